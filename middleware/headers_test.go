package middleware

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestHeaders: every response carries nosniff, and the Cache-Control of its
// path, no-store matching only whole path segments. (Not parallel: it sets
// gin's global mode.)
func TestHeaders(t *testing.T) {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(Headers("/api/auth"))
	r.NoRoute(func(c *gin.Context) { c.Status(http.StatusNotFound) })
	for _, tt := range []struct{ path, want string }{
		{"/api/auth", CacheNoStore},
		{"/api/auth/", CacheNoStore},
		{"/api/auth/login", CacheNoStore},
		{"/api/auth/sessions/x", CacheNoStore},
		{"/api/authors", CachePrivateNoCache},
		{"/api/rooms", CachePrivateNoCache},
		{"/api", CachePrivateNoCache},
		{"/", CachePrivateNoCache},
		{"/x/api/auth", CachePrivateNoCache},
	} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
		if got := rec.Header().Get("Cache-Control"); got != tt.want {
			t.Errorf("GET %s: Cache-Control = %q, want %q", tt.path, got, tt.want)
		}
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options = %q, want nosniff", tt.path, got)
		}
	}
}
