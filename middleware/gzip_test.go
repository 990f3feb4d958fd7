package middleware

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
)

// jsonOf returns a JSON document of exactly n bytes (n >= 8).
func jsonOf(n int) []byte {
	return []byte(`{"a":"` + strings.Repeat("x", n-8) + `"}`)
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return out
}

// gzipRouter serves what the tests ask for behind Recover and Gzip.
func gzipRouter(t *testing.T) *gin.Engine {
	t.Helper()
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(Recover(slog.New(slog.NewTextHandler(io.Discard, nil)), func(c *gin.Context) {
		c.JSON(http.StatusInternalServerError, gin.H{"error": "internal"})
	}), Gzip())
	// /json/N: a JSON body of N bytes, written in one piece, or in pieces
	// of ?piece= bytes, with ?status= and ?etag=.
	r.GET("/json/:n", func(c *gin.Context) {
		n, _ := strconv.Atoi(c.Param("n"))
		body := jsonOf(n)
		if tag := c.Query("etag"); tag != "" {
			c.Header("ETag", tag)
		}
		status := http.StatusOK
		if s := c.Query("status"); s != "" {
			status, _ = strconv.Atoi(s)
		}
		c.Header("Content-Type", "application/json; charset=utf-8")
		c.Status(status)
		piece, _ := strconv.Atoi(c.Query("piece"))
		if piece <= 0 {
			piece = len(body)
		}
		for len(body) > 0 {
			k := min(piece, len(body))
			_, _ = c.Writer.Write(body[:k])
			body = body[k:]
		}
	})
	r.GET("/text", func(c *gin.Context) { c.String(http.StatusOK, "%s", strings.Repeat("t", 5000)) })
	r.GET("/encoded", func(c *gin.Context) {
		c.Header("Content-Encoding", "br")
		c.Data(http.StatusOK, "application/json", jsonOf(5000))
	})
	r.GET("/not-modified", func(c *gin.Context) {
		c.Header("ETag", `"v1"`)
		c.Status(http.StatusNotModified)
	})
	r.GET("/flush", func(c *gin.Context) {
		c.Header("Content-Type", "application/json")
		_, _ = c.Writer.Write([]byte("[1"))
		c.Writer.Flush()
		_, _ = c.Writer.Write(bytes.Repeat([]byte(",1"), 2000))
		_, _ = c.Writer.Write([]byte("]"))
	})
	r.GET("/panic", func(c *gin.Context) {
		c.Header("Content-Type", "application/json")
		_, _ = c.Writer.Write([]byte(`{"half":`))
		panic("boom")
	})
	r.GET("/wrapped", func(c *gin.Context) {
		_, wrapped := c.Writer.(*gzipResponse)
		c.String(http.StatusOK, "%t", wrapped)
	})
	r.HEAD("/wrapped", func(c *gin.Context) {
		_, wrapped := c.Writer.(*gzipResponse)
		c.Header("X-Wrapped", fmt.Sprint(wrapped))
	})
	return r
}

func get(r http.Handler, method, target string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	return rec
}

var acceptGzip = http.Header{"Accept-Encoding": {"gzip, deflate, br"}}

// TestGzipThreshold: JSON of more than GzipMinBytes is compressed, and
// decodes to the same bytes however the handler wrote it; JSON of
// GzipMinBytes or fewer, other types, bodies already encoded, and clients
// that do not take gzip get identity. Every response says Vary.
func TestGzipThreshold(t *testing.T) {
	r := gzipRouter(t)
	for _, tt := range []struct {
		target   string
		header   http.Header
		wantGzip bool
		want     []byte
	}{
		{"/json/1025", acceptGzip, true, jsonOf(1025)},
		{"/json/1024", acceptGzip, false, jsonOf(1024)},
		{"/json/200", acceptGzip, false, jsonOf(200)},
		{"/json/100000", acceptGzip, true, jsonOf(100000)},
		{"/json/1025?piece=1", acceptGzip, true, jsonOf(1025)},
		{"/json/1024?piece=7", acceptGzip, false, jsonOf(1024)},
		{"/json/5000?piece=1000", acceptGzip, true, jsonOf(5000)},
		{"/json/5000?piece=1000&status=404", acceptGzip, true, jsonOf(5000)},
		{"/json/5000", nil, false, jsonOf(5000)},
		{"/json/5000", http.Header{"Accept-Encoding": {"gzip;q=0"}}, false, jsonOf(5000)},
		{"/json/5000", http.Header{"Accept-Encoding": {"identity"}}, false, jsonOf(5000)},
		{"/text", acceptGzip, false, []byte(strings.Repeat("t", 5000))},
		{"/encoded", acceptGzip, false, jsonOf(5000)},
		{"/flush", acceptGzip, false, []byte("[1" + strings.Repeat(",1", 2000) + "]")},
	} {
		rec := get(r, http.MethodGet, tt.target, tt.header)
		enc := rec.Header().Get("Content-Encoding")
		body := rec.Body.Bytes()
		if tt.wantGzip {
			if enc != "gzip" {
				t.Errorf("GET %s (%v): Content-Encoding %q, want gzip", tt.target, tt.header, enc)
				continue
			}
			body = gunzip(t, body)
		} else if enc == "gzip" {
			t.Errorf("GET %s (%v): compressed, want identity", tt.target, tt.header)
			continue
		}
		if !bytes.Equal(body, tt.want) {
			t.Errorf("GET %s (%v): body of %d bytes, want the %d written", tt.target, tt.header, len(body), len(tt.want))
		}
		want := http.StatusOK
		if strings.Contains(tt.target, "status=404") {
			want = http.StatusNotFound
		}
		if rec.Code != want {
			t.Errorf("GET %s: status %d, want %d", tt.target, rec.Code, want)
		}
		if v := rec.Header().Values("Vary"); len(v) != 1 || v[0] != "Accept-Encoding" {
			t.Errorf("GET %s: Vary %q, want [Accept-Encoding]", tt.target, v)
		}
	}
}

// TestGzipETag: a compressed body's strong ETag turns weak (a weak one
// stays), and a 304 sends the tag back in the form the client sent it.
func TestGzipETag(t *testing.T) {
	r := gzipRouter(t)
	for _, tt := range []struct {
		target string
		header http.Header
		want   string
	}{
		{`/json/5000?etag="v1"`, acceptGzip, `W/"v1"`},
		{`/json/5000?etag=W/"v1"`, acceptGzip, `W/"v1"`},
		{`/json/5000?etag="v1"`, nil, `"v1"`},
		{`/json/100?etag="v1"`, acceptGzip, `"v1"`},
		{"/not-modified", http.Header{"Accept-Encoding": {"gzip"}, "If-None-Match": {`W/"v1"`}}, `W/"v1"`},
		{"/not-modified", http.Header{"Accept-Encoding": {"gzip"}, "If-None-Match": {`"v0", "v1"`}}, `"v1"`},
		{"/not-modified", http.Header{"If-None-Match": {`"v1"`}}, `"v1"`},
	} {
		rec := get(r, http.MethodGet, tt.target, tt.header)
		if got := rec.Header().Get("ETag"); got != tt.want {
			t.Errorf("GET %s (%v): ETag %s, want %s", tt.target, tt.header, got, tt.want)
		}
		if tt.target == "/not-modified" && (rec.Code != http.StatusNotModified || rec.Body.Len() != 0) {
			t.Errorf("GET %s: %d with %d bytes, want 304 and no body", tt.target, rec.Code, rec.Body.Len())
		}
	}
}

// TestGzipLeavesAlone: a WebSocket handshake and a HEAD are never wrapped
// (the handshake's hijack must reach the connection), and a panic after
// part of a body was held still gets Recover's 500 body, uncompressed.
func TestGzipLeavesAlone(t *testing.T) {
	r := gzipRouter(t)
	upgrade := http.Header{"Accept-Encoding": {"gzip"}, "Connection": {"keep-alive, Upgrade"}, "Upgrade": {"websocket"}}
	if rec := get(r, http.MethodGet, "/wrapped", upgrade); rec.Body.String() != "false" {
		t.Errorf("a WebSocket handshake was wrapped")
	}
	if rec := get(r, http.MethodGet, "/wrapped", acceptGzip); rec.Body.String() != "true" {
		t.Errorf("a GET that takes gzip was not wrapped: the test no longer tests anything")
	}
	if rec := get(r, http.MethodHead, "/wrapped", acceptGzip); rec.Header().Get("X-Wrapped") != "false" {
		t.Errorf("a HEAD was wrapped")
	}
	rec := get(r, http.MethodGet, "/panic", acceptGzip)
	if rec.Code != http.StatusInternalServerError || rec.Body.String() != `{"error":"internal"}` || rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("GET /panic = %d %q (%v), want Recover's 500 body", rec.Code, rec.Body, rec.Header())
	}
}

// TestGzipOverTheWire: through a real server, an identity body keeps its
// Content-Length, a compressed one's Content-Length (if any) is the
// compressed size, and many requests at once each get their own body
// (the pooled writers and buffers are not shared).
func TestGzipOverTheWire(t *testing.T) {
	srv := httptest.NewServer(gzipRouter(t))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	fetch := func(path string, gz bool) (*http.Response, []byte, error) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	resp, b, err := fetch("/json/1024", true)
	if err != nil || resp.ContentLength != 1024 || len(b) != 1024 {
		t.Errorf("GET /json/1024: Content-Length %d, %d bytes, %v; want 1024", resp.ContentLength, len(b), err)
	}
	resp, b, err = fetch("/json/1500", true)
	if err != nil || resp.Header.Get("Content-Encoding") != "gzip" || (resp.ContentLength != -1 && resp.ContentLength != int64(len(b))) {
		t.Errorf("GET /json/1500: Content-Length %d, %d bytes, %v", resp.ContentLength, len(b), err)
	}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 900 + i*97 // both sides of the threshold
			resp, b, err := fetch(fmt.Sprint("/json/", n, "?piece=", 1+i*13), true)
			if err != nil {
				t.Error(err)
				return
			}
			if resp.Header.Get("Content-Encoding") == "gzip" {
				b = gunzip(t, b)
			}
			if !bytes.Equal(b, jsonOf(n)) {
				t.Errorf("GET /json/%d: got another body (%d bytes)", n, len(b))
			}
		}()
	}
	wg.Wait()
}

func TestAcceptsGzip(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"gzip, deflate, br, zstd", true},
		{"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;q=0.001", true},
		{"identity", false},
		{"deflate, br", false},
		{"*", true},
		{"*;q=0", false},
		{"*;q=0, gzip", true},
		{"gzip;q=0, *", false},
		{"gzipx", false},
	} {
		if got := AcceptsGzip(tt.header); got != tt.want {
			t.Errorf("AcceptsGzip(%q) = %t, want %t", tt.header, got, tt.want)
		}
	}
}

func TestAddVary(t *testing.T) {
	for _, tt := range []struct {
		before []string
		want   []string
	}{
		{nil, []string{"Accept-Encoding"}},
		{[]string{"Origin"}, []string{"Origin", "Accept-Encoding"}},
		{[]string{"Origin, accept-encoding"}, []string{"Origin, accept-encoding"}},
		{[]string{"*"}, []string{"*"}},
	} {
		h := http.Header{}
		for _, v := range tt.before {
			h.Add("Vary", v)
		}
		AddVary(h, "Accept-Encoding")
		if got := h.Values("Vary"); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("AddVary to %q = %q, want %q", tt.before, got, tt.want)
		}
	}
}
