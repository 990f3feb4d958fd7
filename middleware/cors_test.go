package middleware

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
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

// headerList splits a comma-separated header into lower-case names, sorted:
// header names are case-insensitive and their order carries no meaning.
func headerList(h http.Header, key string) string {
	var names []string
	for _, v := range h.Values(key) {
		for _, n := range strings.Split(v, ",") {
			names = append(names, strings.ToLower(strings.TrimSpace(n)))
		}
	}
	slices.Sort(names)
	return strings.Join(names, ",")
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
		{"origin differing only in case", "GET", "https://APP.example.com", "", 200, ""},
		{"null origin", "GET", "null", "", 200, ""},
		{"OPTIONS from another origin, not a preflight", "OPTIONS", "https://evil.example", "", 405, ""},
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
			// Credentials (the refresh cookie) for the allowed origins only.
			if got, want := h.Get("Access-Control-Allow-Credentials"), map[bool]string{true: "true"}[tc.wantAllow != ""]; got != want {
				t.Errorf("Access-Control-Allow-Credentials = %q, want %q: %v", got, want, h)
			}
			if tc.origin != "" && !slices.Contains(strings.Split(headerList(h, "Vary"), ","), "origin") {
				t.Errorf("Vary = %q, want Origin in it; a shared cache could serve one origin's answer to another", h.Values("Vary"))
			}
			if tc.wantAllow == "" {
				for k := range h {
					if strings.HasPrefix(k, "Access-Control-") {
						t.Errorf("a request from %q got %s: %q", tc.origin, k, h.Values(k))
					}
				}
				return
			}
			if tc.method != "OPTIONS" {
				if got, want := headerList(h, "Access-Control-Expose-Headers"), "etag,retry-after,www-authenticate,x-request-id"; got != want {
					t.Errorf("Expose-Headers = %q, want %q", got, want)
				}
				return
			}
			for _, c := range []struct{ key, want string }{
				{"Access-Control-Allow-Methods", "delete,get,options,patch,post,put"},
				{"Access-Control-Allow-Headers", "authorization,content-type,if-none-match,x-request-id"},
				{"Access-Control-Max-Age", "600"},
				{"Vary", "access-control-request-headers,access-control-request-method,origin"},
			} {
				if got := headerList(h, c.key); got != c.want {
					t.Errorf("preflight %s = %q, want %q", c.key, got, c.want)
				}
			}
		})
	}
}
