package middleware

import (
	"mime"
	"strings"

	"github.com/gin-gonic/gin"
)

// RequireJSON refuses a request that has a body (a Content-Length above 0, or
// a chunked body of unknown length) unless its Content-Type is
// application/json. The media type is matched without regard to case and may
// carry parameters; a charset, if given, must be UTF-8, the only encoding
// JSON allows between systems (RFC 8259) and the only one the decoder reads.
// It answers from the headers alone, whatever the body holds, so it must run
// before BodyLimit: a huge upload of the wrong type is 415, not 413.
// A request without a body (GET, DELETE, POST /api/auth/logout-all) needs no
// Content-Type.
func RequireJSON(unsupported gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength == 0 || IsJSON(c.GetHeader("Content-Type")) {
			c.Next()
			return
		}
		// The body is not parsed; it is read and dropped (up to
		// DiscardLimit) so the answer survives a proxy still sending it.
		discard(c)
		unsupported(c)
	}
}

// IsJSON reports whether a Content-Type header names application/json, with
// at most a UTF-8 charset among its parameters.
func IsJSON(contentType string) bool {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != "application/json" {
		return false
	}
	charset, ok := params["charset"]
	return !ok || strings.EqualFold(charset, "utf-8")
}
