package middleware

import (
	"strings"

	"github.com/gin-gonic/gin"
)

// The Cache-Control values of the API's responses.
const (
	// CacheNoStore keeps answers that hold credentials (tokens, accounts)
	// out of every cache.
	CacheNoStore = "no-store"
	// CachePrivateNoCache lets the caller's own browser keep an answer but
	// only reuse it after asking the server (the board's ETag answers 304),
	// and keeps it out of shared caches: every answer depends on who asks.
	CachePrivateNoCache = "private, no-cache"
)

// Headers sets the headers that every response carries, before anything
// else runs, so that error bodies, 404s, 405s, 304s, CORS preflights and
// recovered panics carry them too: X-Content-Type-Options: nosniff, and a
// Cache-Control of CacheNoStore for paths under one of noStore (a prefix
// that ends at a path segment: "/api/auth" covers "/api/auth/login", not
// "/api/authors") and CachePrivateNoCache for every other path. A handler
// that serves the same file to everyone (the web client, the OpenAPI
// document) replaces the Cache-Control with its own.
func Headers(noStore ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", CachePrivateNoCache)
		path := c.Request.URL.Path
		for _, prefix := range noStore {
			if rest, ok := strings.CutPrefix(path, prefix); ok && (rest == "" || rest[0] == '/') {
				h.Set("Cache-Control", CacheNoStore)
				break
			}
		}
		c.Next()
	}
}
