package middleware

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// CORS lets browsers on the allowed origins call the API. Only an origin in
// allowed is echoed back (never "*"), and credentials are never allowed: the
// API authenticates with bearer tokens, not cookies, so a page needs no
// ambient credentials. Preflight requests from an allowed origin are
// answered here with 204; from any other origin they get no CORS headers,
// so the browser refuses the call.
func CORS(allowed []string) gin.HandlerFunc {
	origins := make(map[string]bool, len(allowed))
	for _, o := range allowed {
		origins[strings.TrimRight(o, "/")] = true
	}
	const (
		methods = "GET, POST, PATCH, DELETE, OPTIONS"
		headers = "Authorization, Content-Type, If-None-Match, X-Request-ID"
		exposed = "ETag, Retry-After, WWW-Authenticate, X-Request-ID"
	)
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin == "" {
			c.Next()
			return
		}
		h := c.Writer.Header()
		h.Add("Vary", "Origin")
		preflight := c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != ""
		if !origins[origin] {
			if preflight {
				c.AbortWithStatus(http.StatusNoContent)
				return
			}
			c.Next()
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", exposed)
		if preflight {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", methods)
			h.Set("Access-Control-Allow-Headers", headers)
			h.Set("Access-Control-Max-Age", "600")
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
		c.Next()
	}
}
