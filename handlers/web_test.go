package handlers

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/syncboard/syncboard/web"
)

// TestWebClientFiles: the page and every asset are served with their
// content type, the Content-Security-Policy and an ETag that a repeat
// request turns into a 304; an unknown asset is the contract's 404.
func TestWebClientFiles(t *testing.T) {
	t.Parallel()
	r := newRouter(t, Deps{})
	files, err := web.Load()
	if err != nil {
		t.Fatal(err)
	}
	wantType := map[string]string{".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
	for path, f := range files {
		t.Run(path, func(t *testing.T) {
			rec := serve(r, http.MethodGet, path, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s = %d %.200s", path, rec.Code, rec.Body)
			}
			ext := f.Name[strings.LastIndex(f.Name, "."):]
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, wantType[ext]) {
				t.Errorf("GET %s Content-Type = %q, want %s", path, ct, wantType[ext])
			}
			for h, want := range map[string]string{
				"Content-Security-Policy": ContentSecurityPolicy,
				"X-Content-Type-Options":  "nosniff",
				"Cache-Control":           "no-cache",
				"ETag":                    f.ETag,
			} {
				if got := rec.Header().Get(h); got != want {
					t.Errorf("GET %s %s = %q, want %q", path, h, got, want)
				}
			}
			if rec.Body.String() != string(f.Content) {
				t.Errorf("GET %s: the body is not the embedded file", path)
			}
			ranged := serve(r, http.MethodGet, path, http.Header{"Range": {"bytes=0-9"}})
			if ranged.Code != http.StatusOK || ranged.Body.String() != string(f.Content) {
				t.Errorf("GET %s with a Range = %d (%d bytes), want 200 and the whole file", path, ranged.Code, ranged.Body.Len())
			}
			again := serve(r, http.MethodGet, path, http.Header{"If-None-Match": {f.ETag}})
			if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
				t.Errorf("GET %s with its ETag = %d (%d bytes), want 304 and no body", path, again.Code, again.Body.Len())
			}
		})
	}
	rec := serve(r, http.MethodGet, "/assets/nope.js", nil)
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), `"not_found"`) {
		t.Errorf("GET /assets/nope.js = %d %s, want 404 not_found", rec.Code, rec.Body)
	}
}

var (
	htmlRef    = regexp.MustCompile(`(?:src|href)="(/[^"]*)"`)
	importRef  = regexp.MustCompile(`(?m)^import .* from '\./([^']+)';$`)
	inlineCode = regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]|<style|\son[a-z]+=`)
	// Sinks that turn a string into markup or code: the client must never
	// use them (Trusted Types would throw at run time; this finds it first).
	htmlSinks = regexp.MustCompile(`\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(|srcdoc`)
)

// TestWebClientSource: everything the page and its modules refer to is
// embedded (a typo in an import fails here, not in a user's browser), the
// page has no inline script, style or handler for the CSP to refuse, and
// no module uses an HTML sink.
func TestWebClientSource(t *testing.T) {
	t.Parallel()
	files, err := web.Load()
	if err != nil {
		t.Fatal(err)
	}
	page := string(files["/"].Content)
	if inlineCode.MatchString(page) {
		t.Errorf("index.html has inline code: %q", inlineCode.FindString(page))
	}
	refs := htmlRef.FindAllStringSubmatch(page, -1)
	if len(refs) < 3 {
		t.Fatalf("index.html refers to %d files; the pattern no longer reads it", len(refs))
	}
	for _, m := range refs {
		// "/" and "/docs" are pages the server serves, not embedded files.
		if m[1] != "/" && m[1] != "/docs" && !strings.HasPrefix(m[1], "/#") {
			if _, ok := files[m[1]]; !ok {
				t.Errorf("index.html refers to %s, which is not embedded", m[1])
			}
		}
	}
	modules := 0
	for path, f := range files {
		if !strings.HasSuffix(path, ".js") {
			continue
		}
		modules++
		src := string(f.Content)
		if m := htmlSinks.FindString(src); m != "" {
			t.Errorf("%s uses %s; build elements with dom.js's h() instead", path, m)
		}
		for _, m := range importRef.FindAllStringSubmatch(src, -1) {
			if _, ok := files["/assets/"+m[1]]; !ok {
				t.Errorf("%s imports ./%s, which is not embedded", path, m[1])
			}
		}
	}
	if modules < 5 {
		t.Errorf("found %d modules", modules)
	}
}
