package middleware

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

func corsEngine() *gin.Engine {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(CORS([]string{"https://app.example.com", "http://localhost:5173/"}))
	r.GET("/api/things", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	return r
}

func TestCORS(t *testing.T) {
	t.Parallel()
	r := corsEngine()
	tests := []struct {
		name, method, origin, reqMethod string
		wantStatus                      int
		wantAllow                       string
	}{
		{"allowed origin", "GET", "https://app.example.com", "", 200, "https://app.example.com"},
		{"allowed origin, configured with a slash", "GET", "http://localhost:5173", "", 200, "http://localhost:5173"},
		{"other origin still served, not allowed", "GET", "https://evil.example", "", 200, ""},
		{"no origin (not a browser)", "GET", "", "", 200, ""},
		{"preflight from an allowed origin", "OPTIONS", "https://app.example.com", "PATCH", 204, "https://app.example.com"},
		{"preflight from another origin", "OPTIONS", "https://evil.example", "PATCH", 204, ""},
		{"look-alike origin", "GET", "https://app.example.com.evil.example", "", 200, ""},
		{"null origin", "GET", "null", "", 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "/api/things", nil)
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			if tc.reqMethod != "" {
				req.Header.Set("Access-Control-Request-Method", tc.reqMethod)
				req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			h := rec.Header()
			if rec.Code != tc.wantStatus || h.Get("Access-Control-Allow-Origin") != tc.wantAllow {
				t.Fatalf("%s %s from %q: status %d, Allow-Origin %q; want %d, %q",
					tc.method, req.URL, tc.origin, rec.Code, h.Get("Access-Control-Allow-Origin"), tc.wantStatus, tc.wantAllow)
			}
			if h.Get("Access-Control-Allow-Origin") == "*" || h.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("wildcard or credentials sent: %v", h)
			}
			if tc.origin != "" && h.Get("Vary") == "" {
				t.Error("no Vary: Origin; a shared cache could serve one origin's answer to another")
			}
			if tc.wantAllow != "" && tc.method == "OPTIONS" {
				if h.Get("Access-Control-Allow-Headers") == "" || h.Get("Access-Control-Allow-Methods") == "" {
					t.Errorf("preflight lacks allowed methods or headers: %v", h)
				}
			}
		})
	}
}
