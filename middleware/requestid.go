// Package middleware holds SyncBoard's Gin middleware, in the order
// handlers/routes.go installs them: the headers of every response
// (headers.go), request IDs (requestid.go), the request's span when
// tracing is on (trace.go), the access log and panic recovery (log.go),
// CORS (cors.go), the per-request deadline (timeout.go), then on the API's
// routes the JSON media type (mediatype.go) and the 1 MiB body limit
// (bodylimit.go), and, on the routes that need a signed-in user,
// authentication (auth.go).
//
// Middleware that must answer with an error takes the API's one error
// writer as a function, so every error body comes from one place.
package middleware

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/syncboard/syncboard/internal/reqid"
)

// RequestIDHeader carries the request ID in and out.
const RequestIDHeader = "X-Request-ID"

// RequestID gives every request an ID, echoed in the response header and
// carried in the request's context for every log line. A well-formed ID from
// the client or a proxy is kept, so one ID can follow a request across
// services; anything else is replaced, so logs never carry arbitrary input.
func RequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if !validID(id) {
			id = uuid.NewString()
		}
		c.Header(RequestIDHeader, id)
		c.Request = c.Request.WithContext(reqid.With(c.Request.Context(), id))
		c.Next()
	}
}

func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}
