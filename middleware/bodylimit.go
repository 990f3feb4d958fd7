package middleware

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// MaxBodyBytes is the largest request body the API reads (1 MiB).
const MaxBodyBytes = 1 << 20

// BodyLimit refuses a body over MaxBodyBytes before any handler parses or
// hashes it: at once when Content-Length says so, and otherwise (chunked
// bodies) when reading passes the limit, which the decoder reports as 413.
func BodyLimit(tooLarge gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > MaxBodyBytes {
			// The rest of the body is not read: close the connection
			// rather than drain a huge upload.
			c.Header("Connection", "close")
			tooLarge(c)
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes)
		c.Next()
	}
}
