package middleware

import (
	"io"
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
			discard(c)
			tooLarge(c)
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes)
		c.Next()
	}
}

// DiscardLimit is how much of a body it refuses the server still reads, and
// throws away, before answering: closing a connection with unread data
// resets it, and behind a proxy still forwarding the body (HAProxy in make
// cluster) the reset destroyed the answer, so the client saw no 413 or 415,
// only a broken connection. A longer body is not read: the connection is
// closed instead.
const DiscardLimit = 2 * MaxBodyBytes

// discard reads and drops the request's body when it is known to be at most
// DiscardLimit, and otherwise marks the connection to be closed.
func discard(c *gin.Context) {
	n := c.Request.ContentLength
	if n == 0 {
		return
	}
	if n < 0 || n > DiscardLimit {
		c.Header("Connection", "close")
		return
	}
	if _, err := io.CopyN(io.Discard, c.Request.Body, n); err != nil {
		c.Header("Connection", "close")
	}
}
