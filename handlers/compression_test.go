package handlers

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/middleware"
	"github.com/syncboard/syncboard/models"
	"github.com/syncboard/syncboard/web"
)

// browserEncodings is the Accept-Encoding a browser sends.
const browserEncodings = "gzip, deflate, br, zstd"

func gunzipBody(t *testing.T, what string, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: Content-Encoding: gzip, but the body is not gzip: %v", what, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: a broken gzip body: %v", what, err)
	}
	return out
}

func requireVary(t *testing.T, what string, h http.Header) {
	t.Helper()
	for _, v := range h.Values("Vary") {
		for _, name := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(name), "Accept-Encoding") {
				return
			}
		}
	}
	t.Errorf("%s: Vary %q does not list Accept-Encoding", what, h.Values("Vary"))
}

// TestJSONCompression: through the real router, a board of more than 1 KiB
// comes gzip-compressed to a client that takes gzip and decodes to the
// very body an identity client gets; a small JSON body, an error body and a
// client without gzip get identity; the ETag is weak on the compressed
// board, and If-None-Match answers 304 in either form, with and without
// gzip, until the board changes.
func TestJSONCompression(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	tokens := auth.NewTokens(testJWTSecret, time.Hour)
	hasher, _ := auth.NewHasher(4, 0)
	router := newRouter(t, Deps{Store: store, Tokens: tokens, Hasher: hasher})
	u, err := store.CreateUser(ctx, models.NewUser{Email: "gzip@example.com", PasswordHash: []byte("x"), DisplayName: "gzip", Now: time.Now().UTC().Add(-time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	room, _ := store.CreateRoom(ctx, u.ID, "gzip")
	col, _ := store.CreateColumn(ctx, u.ID, room.ID, "todo", nil)
	for i := range 40 {
		if _, err := store.CreateCard(ctx, u.ID, col.ID, models.NewCard{Title: fmt.Sprint("card ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	token, _ := sessionToken(t, store, tokens, u)
	get := func(method, path string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		return rec
	}
	boardPath := "/api/rooms/" + room.ID.String()

	plain := get("GET", boardPath)
	tag := plain.Header().Get("ETag")
	if plain.Code != http.StatusOK || plain.Header().Get("Content-Encoding") != "" || !strings.HasPrefix(tag, `"`) {
		t.Fatalf("GET board without Accept-Encoding = %d, Content-Encoding %q, ETag %s; want 200, identity, a strong tag",
			plain.Code, plain.Header().Get("Content-Encoding"), tag)
	}
	if plain.Body.Len() <= middleware.GzipMinBytes {
		t.Fatalf("the board is %d bytes: too small to test compression", plain.Body.Len())
	}
	requireVary(t, "GET board without Accept-Encoding", plain.Header())

	zipped := get("GET", boardPath, "Accept-Encoding", browserEncodings)
	if zipped.Code != http.StatusOK || zipped.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET board with Accept-Encoding: gzip = %d, Content-Encoding %q; want 200 gzip", zipped.Code, zipped.Header().Get("Content-Encoding"))
	}
	requireVary(t, "GET board with gzip", zipped.Header())
	if got := zipped.Header().Get("ETag"); got != "W/"+tag {
		t.Errorf("GET board with gzip: ETag %s, want W/%s (weak: another representation of the same board)", got, tag)
	}
	if cl := zipped.Header().Get("Content-Length"); cl != "" && cl != strconv.Itoa(zipped.Body.Len()) {
		t.Errorf("GET board with gzip: Content-Length %s for a body of %d bytes", cl, zipped.Body.Len())
	}
	if body := gunzipBody(t, "GET board", zipped.Body.Bytes()); !bytes.Equal(body, plain.Body.Bytes()) {
		t.Errorf("GET board with gzip decodes to %d bytes, not the %d of the identity body", len(body), plain.Body.Len())
	}
	if zipped.Body.Len() >= plain.Body.Len()/3 {
		t.Errorf("the board compressed to %d of %d bytes", zipped.Body.Len(), plain.Body.Len())
	}

	for _, tt := range []struct{ inm, accept, wantTag string }{
		{tag, "", tag},
		{"W/" + tag, browserEncodings, "W/" + tag},
		{tag, browserEncodings, tag},
		{"W/" + tag, "", tag},
		{`"nope", W/` + tag, "gzip", "W/" + tag},
	} {
		rec := get("GET", boardPath, "If-None-Match", tt.inm, "Accept-Encoding", tt.accept)
		what := fmt.Sprintf("GET board, If-None-Match %s, Accept-Encoding %q", tt.inm, tt.accept)
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("Content-Encoding") != "" {
			t.Errorf("%s = %d, %d bytes, Content-Encoding %q; want 304, no body", what, rec.Code, rec.Body.Len(), rec.Header().Get("Content-Encoding"))
		}
		if got := rec.Header().Get("ETag"); got != tt.wantTag {
			t.Errorf("%s: ETag %s, want %s", what, got, tt.wantTag)
		}
		requireVary(t, what, rec.Header())
	}

	small := get("GET", "/api/auth/me", "Accept-Encoding", browserEncodings)
	if small.Code != http.StatusOK || small.Header().Get("Content-Encoding") != "" || small.Body.Len() > middleware.GzipMinBytes {
		t.Errorf("GET /api/auth/me with gzip = %d, Content-Encoding %q, %d bytes; want 200 identity under 1 KiB",
			small.Code, small.Header().Get("Content-Encoding"), small.Body.Len())
	}
	requireVary(t, "GET /api/auth/me", small.Header())

	missing := get("GET", "/api/rooms/"+uuid.NewString(), "Accept-Encoding", browserEncodings)
	if missing.Code != http.StatusNotFound || missing.Header().Get("Content-Encoding") != "" {
		t.Errorf("GET a missing board with gzip = %d, Content-Encoding %q; want a 404 error body, identity", missing.Code, missing.Header().Get("Content-Encoding"))
	}
	var errBody struct {
		Error struct{ Code string } `json:"error"`
	}
	if err := json.Unmarshal(missing.Body.Bytes(), &errBody); err != nil || errBody.Error.Code != "not_found" {
		t.Errorf("GET a missing board with gzip: body %q, want the not_found error body", missing.Body)
	}

	head := get("HEAD", boardPath, "Accept-Encoding", browserEncodings)
	headPlain := get("HEAD", boardPath)
	if head.Code != headPlain.Code || head.Header().Get("Content-Encoding") != "" {
		t.Errorf("HEAD board with gzip = %d, Content-Encoding %q; without gzip %d", head.Code, head.Header().Get("Content-Encoding"), headPlain.Code)
	}

	if _, err := store.CreateCard(ctx, u.ID, col.ID, models.NewCard{Title: "one more"}); err != nil {
		t.Fatal(err)
	}
	changed := get("GET", boardPath, "If-None-Match", "W/"+tag, "Accept-Encoding", browserEncodings)
	if changed.Code != http.StatusOK || changed.Header().Get("ETag") == "W/"+tag {
		t.Errorf("GET a changed board with its old weak tag = %d, ETag %s; want 200 and a new tag", changed.Code, changed.Header().Get("ETag"))
	}
}

// TestWebClientFilesGzip: every text file of the web client, Redoc's
// bundle and the OpenAPI document come precompressed to a client that
// takes gzip: the same Content-Type, no-cache, a strong ETag of their own
// (not the identity one), the Content-Length of the gzip bytes, Vary, and
// 304 to that ETag; the identity ETag does not match the gzip variant.
func TestWebClientFilesGzip(t *testing.T) {
	t.Parallel()
	r := newRouter(t, Deps{})
	files, err := web.Load()
	if err != nil {
		t.Fatal(err)
	}
	redoc, err := web.Redoc()
	if err != nil {
		t.Fatal(err)
	}
	plainDoc := serve(r, http.MethodGet, "/openapi.json", nil)
	targets := map[string]*web.File{
		"/docs/redoc.standalone.js": redoc,
		"/openapi.json":             web.NewFile("openapi.json", "application/json", plainDoc.Body.Bytes()),
	}
	for path, f := range files {
		targets[path] = f
	}
	accept := http.Header{"Accept-Encoding": {browserEncodings}}
	compressed := 0
	for path, f := range targets {
		plain := serve(r, http.MethodGet, path, nil)
		zipped := serve(r, http.MethodGet, path, accept)
		if plain.Code != http.StatusOK || zipped.Code != http.StatusOK {
			t.Errorf("GET %s = %d, with gzip %d; want 200", path, plain.Code, zipped.Code)
			continue
		}
		if ct := zipped.Header().Get("Content-Type"); ct != plain.Header().Get("Content-Type") || ct != f.ContentType {
			t.Errorf("GET %s with gzip: Content-Type %q, want %q", path, ct, f.ContentType)
		}
		if got := zipped.Header().Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s with gzip: Cache-Control %q, want no-cache", path, got)
		}
		if zipped.Header().Get("Content-Encoding") != "gzip" {
			// Only a file that compression does not shrink stays as it is.
			if gz, _ := f.Gzip(); gz != nil || !bytes.Equal(zipped.Body.Bytes(), f.Content) {
				t.Errorf("GET %s with gzip: not compressed", path)
			}
			continue
		}
		compressed++
		requireVary(t, "GET "+path, zipped.Header())
		requireVary(t, "GET "+path+" without gzip", plain.Header())
		tag := zipped.Header().Get("ETag")
		if !strings.HasPrefix(tag, `"`) || tag == f.ETag || tag == plain.Header().Get("ETag") {
			t.Errorf("GET %s with gzip: ETag %s, want a strong tag other than the identity %s", path, tag, f.ETag)
		}
		if cl := zipped.Header().Get("Content-Length"); cl != strconv.Itoa(zipped.Body.Len()) {
			t.Errorf("GET %s with gzip: Content-Length %q for %d bytes", path, cl, zipped.Body.Len())
		}
		if cl := plain.Header().Get("Content-Length"); cl != strconv.Itoa(len(f.Content)) {
			t.Errorf("GET %s: Content-Length %q for %d bytes", path, cl, len(f.Content))
		}
		if body := gunzipBody(t, "GET "+path, zipped.Body.Bytes()); !bytes.Equal(body, f.Content) {
			t.Errorf("GET %s with gzip decodes to %d bytes, not the file's %d", path, len(body), len(f.Content))
		}
		again := serve(r, http.MethodGet, path, http.Header{"Accept-Encoding": {"gzip"}, "If-None-Match": {tag}})
		if again.Code != http.StatusNotModified || again.Body.Len() != 0 || again.Header().Get("ETag") != tag {
			t.Errorf("GET %s with its gzip ETag = %d (%d bytes, ETag %s), want 304 with %s", path, again.Code, again.Body.Len(), again.Header().Get("ETag"), tag)
		}
		requireVary(t, "304 of "+path, again.Header())
		other := serve(r, http.MethodGet, path, http.Header{"Accept-Encoding": {"gzip"}, "If-None-Match": {f.ETag}})
		if other.Code != http.StatusOK || other.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s with gzip and the identity ETag = %d, Content-Encoding %q; want the gzip variant", path, other.Code, other.Header().Get("Content-Encoding"))
		}
	}
	for _, path := range []string{"/", "/assets/app.js", "/assets/app.css", "/docs/redoc.standalone.js", "/openapi.json"} {
		if rec := serve(r, http.MethodGet, path, accept); rec.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s with gzip: not compressed", path)
		}
	}
	if compressed < len(targets)-1 {
		t.Errorf("%d of %d files came compressed", compressed, len(targets))
	}
}
