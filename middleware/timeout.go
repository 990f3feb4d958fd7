package middleware

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"
)

// Timeout gives each request's context a deadline d (none when d is 0).
// Every query runs on that context, so waiting for a pooled connection or a
// lock ends at the deadline and the request answers 503 instead of piling up.
// A client that disconnects cancels the same context, and with it its query.
func Timeout(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		if d <= 0 {
			c.Next()
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}
