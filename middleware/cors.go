package middleware

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"
)

// CORS lets browsers on the allowed origins call the API, through
// gin-contrib/cors. Only an origin in allowed is echoed back (never "*"),
// with credentials allowed: the one cookie the API reads, the refresh token,
// is scoped to /api/auth and accepted only from this origin or an allowed
// one, so an allowed web client on another origin of the same site can
// refresh its session. Every other endpoint reads bearer tokens only.
// Preflight requests from an allowed origin are answered here with 204.
//
// Requests from any other origin never reach gin-contrib/cors, which would
// answer them 403 with an empty body: they are served as before, with
// Vary: Origin and no CORS headers, so the browser refuses to show the
// answer; their preflights get an empty 204 with no CORS headers, which the
// browser refuses as well (docs/DESIGN.md, CORS).
func CORS(allowed []string) gin.HandlerFunc {
	origins := make(map[string]bool, len(allowed))
	for _, o := range allowed {
		origins[strings.TrimRight(o, "/")] = true
	}
	isAllowed := func(origin string) bool { return origins[origin] }
	library := cors.New(cors.Config{
		// A function rather than AllowOrigins: the library lower-cases and
		// validates that list, and refuses an empty one at start-up.
		AllowOriginFunc: isAllowed,
		AllowMethods:    []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"},
		AllowHeaders:    []string{"Authorization", "Content-Type", "If-None-Match", "X-Request-ID"},
		ExposeHeaders:   []string{"ETag", "Retry-After", "WWW-Authenticate", "X-Request-ID"},
		MaxAge:          600 * time.Second,
		// The origin stays echoed, never "*", as browsers require with
		// credentials.
		AllowCredentials: true,
	})
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin == "" || isAllowed(origin) {
			library(c)
			return
		}
		c.Writer.Header().Add("Vary", "Origin")
		if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
			c.AbortWithStatus(http.StatusNoContent)
		}
	}
}
