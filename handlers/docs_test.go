package handlers

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/syncboard/syncboard/web"
)

var docsNonce = regexp.MustCompile(`<meta property="csp-nonce" nonce="([A-Za-z0-9+/=]+)">`)

// TestDocsPage: /docs loads only the embedded Redoc, has no inline code,
// and carries a policy whose nonce is the one its meta tag gives
// styled-components, new on every response (so never stored).
func TestDocsPage(t *testing.T) {
	t.Parallel()
	r := newRouter(t, Deps{})
	seen := map[string]bool{}
	for range 2 {
		rec := serve(r, http.MethodGet, "/docs", nil)
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /docs = %d %.300s", rec.Code, body)
		}
		m := docsNonce.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("GET /docs: no csp-nonce meta tag in %s", body)
		}
		nonce := m[1]
		if seen[nonce] {
			t.Errorf("GET /docs reused the nonce %q", nonce)
		}
		seen[nonce] = true
		for h, want := range map[string]string{
			"Content-Security-Policy": fmt.Sprintf(docsPolicy, nonce),
			"Content-Type":            "text/html; charset=utf-8",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"X-Frame-Options":         "DENY",
			"Cache-Control":           "no-store",
		} {
			if got := rec.Header().Get(h); got != want {
				t.Errorf("GET /docs %s = %q, want %q", h, got, want)
			}
		}
		csp := rec.Header().Get("Content-Security-Policy")
		for _, loose := range []string{"unsafe-inline", "unsafe-eval", "http:", "https:", "*", "blob:"} {
			if strings.Contains(csp, loose) {
				t.Errorf("GET /docs: the policy allows %s: %s", loose, csp)
			}
		}
		if loc := inlineCode.FindStringIndex(body); loc != nil {
			t.Errorf("GET /docs has inline code at %q", body[loc[0]:min(loc[1]+40, len(body))])
		}
		var refs []string
		for _, m := range htmlRef.FindAllStringSubmatch(body, -1) {
			refs = append(refs, m[1])
		}
		if want := []string{"/docs/redoc.standalone.js"}; fmt.Sprint(refs) != fmt.Sprint(want) {
			t.Errorf("GET /docs refers to %v, want only %v", refs, want)
		}
		if strings.Contains(body, "://") {
			t.Errorf("GET /docs names another site: %s", body)
		}
	}
}

// TestDocsRenderer: the page's script is the embedded bundle, served as a
// module with nosniff and a content ETag that a repeat request turns into
// a 304.
func TestDocsRenderer(t *testing.T) {
	t.Parallel()
	r := newRouter(t, Deps{})
	f, err := web.Redoc()
	if err != nil {
		t.Fatal(err)
	}
	const path = "/docs/redoc.standalone.js"
	rec := serve(r, http.MethodGet, path, nil)
	if rec.Code != http.StatusOK || rec.Body.String() != string(f.Content) {
		t.Fatalf("GET %s = %d (%d bytes), want 200 and the embedded bundle (%d bytes)", path, rec.Code, rec.Body.Len(), len(f.Content))
	}
	for h, want := range map[string]string{
		"Content-Type":           "text/javascript; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "no-cache",
		"ETag":                   f.ETag,
	} {
		if got := rec.Header().Get(h); got != want {
			t.Errorf("GET %s %s = %q, want %q", path, h, got, want)
		}
	}
	again := serve(r, http.MethodGet, path, http.Header{"If-None-Match": {f.ETag}})
	if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
		t.Errorf("GET %s with its ETag = %d (%d bytes), want 304 and no body", path, again.Code, again.Body.Len())
	}
}
