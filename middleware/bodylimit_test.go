package middleware

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestRefusedBodiesAreReadUpToDiscardLimit: a body refused for its size
// (413) or its type (415) is read and dropped when it is at most
// DiscardLimit, so the connection carries the answer and the next request
// (a proxy's, or the client's); a longer one closes the connection.
func TestRefusedBodiesAreReadUpToDiscardLimit(t *testing.T) {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(RequireJSON(func(c *gin.Context) { c.AbortWithStatus(http.StatusUnsupportedMediaType) }),
		BodyLimit(func(c *gin.Context) { c.AbortWithStatus(http.StatusRequestEntityTooLarge) }))
	r.POST("/", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	srv := httptest.NewServer(r)
	defer srv.Close()
	hc := srv.Client()
	tests := []struct {
		name        string
		size        int
		contentType string
		status      int
		keptAlive   bool
	}{
		{"over the limit", MaxBodyBytes + 1000, "application/json", 413, true},
		{"not JSON, over the limit", MaxBodyBytes + 1000, "text/plain", 415, true},
		{"past DiscardLimit", DiscardLimit + 1, "application/json", 413, false},
		{"not JSON, past DiscardLimit", DiscardLimit + 1, "text/plain", 415, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			post := func() (int, bool) {
				reused := false
				ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
					GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused },
				})
				req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL, bytes.NewReader(make([]byte, tt.size)))
				req.Header.Set("Content-Type", tt.contentType)
				resp, err := hc.Do(req)
				if err != nil {
					t.Fatalf("POST %d bytes: %v", tt.size, err)
				}
				resp.Body.Close()
				return resp.StatusCode, reused
			}
			if code, _ := post(); code != tt.status {
				t.Fatalf("POST %d bytes of %s = %d, want %d", tt.size, tt.contentType, code, tt.status)
			}
			if _, reused := post(); reused != tt.keptAlive {
				t.Errorf("the next request reused the connection: %v, want %v", reused, tt.keptAlive)
			}
		})
	}
}
