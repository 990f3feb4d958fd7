package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/middleware"
	"github.com/syncboard/syncboard/web"
)

// requireHeaders checks the headers every response carries:
// X-Content-Type-Options: nosniff and the Cache-Control of its class.
func requireHeaders(t *testing.T, req string, rec *httptest.ResponseRecorder, wantStatus int, wantCache string) {
	t.Helper()
	if rec.Code != wantStatus {
		t.Errorf("%s: status = %d, want %d (body %.300s)", req, rec.Code, wantStatus, rec.Body.String())
	}
	if got := rec.Header().Values("X-Content-Type-Options"); len(got) != 1 || got[0] != "nosniff" {
		t.Errorf("%s (%d): X-Content-Type-Options = %q, want exactly [nosniff]", req, rec.Code, got)
	}
	if got := rec.Header().Values("Cache-Control"); len(got) != 1 || got[0] != wantCache {
		t.Errorf("%s (%d): Cache-Control = %q, want exactly [%q]", req, rec.Code, got, wantCache)
	}
}

// TestResponseHeaders: every response carries nosniff; under /api/auth
// Cache-Control: no-store, on every other JSON response private, no-cache
// (the board keeping its ETag), and on the files that are the same for
// everyone (the web client, /openapi.json, Redoc's bundle) no-cache, with an
// ETag where a 304 can answer; the /docs page, which carries a nonce of its
// own, no-store. Errors, 404s, 405s and 304s included.
func TestResponseHeaders(t *testing.T) {
	t.Parallel()
	const (
		noStore = "no-store"
		private = "private, no-cache"
		file    = "no-cache"
	)
	e := newBoardEnv(t)
	owner := e.user(t, "owner")
	leaver := e.user(t, "leaver")
	renamer := e.user(t, "renamer") // not on the board: its ETag stays
	room := e.createRoom(t, owner, "headers")
	doomed := e.createRoom(t, owner, "doomed")
	board := e.board(t, owner, room.ID)
	email := uniqueEmail("headers")
	big := `{"email":"x@example.com","password":"` + strings.Repeat("p", middleware.MaxBodyBytes) + `"}`
	files, err := web.Load()
	if err != nil {
		t.Fatal(err)
	}
	spec := serve(e.router, http.MethodGet, "/openapi.json", nil).Header().Get("ETag")
	if spec == "" {
		t.Fatal("GET /openapi.json: no ETag")
	}
	tests := []struct {
		c          call
		wantStatus int
		wantCache  string
	}{
		{registerCall(email, "password1"), http.StatusCreated, noStore},
		{registerCall(email, "password1"), http.StatusConflict, noStore},
		{loginCall(email, "password1"), http.StatusOK, noStore},
		{loginCall(email, "wrong-password"), http.StatusUnauthorized, noStore},
		{call{method: http.MethodPost, path: "/api/auth/login", body: "nope"}, http.StatusBadRequest, noStore},
		{call{method: http.MethodPost, path: "/api/auth/login", body: big}, http.StatusRequestEntityTooLarge, noStore},
		{withContentType(loginCall(email, "password1"), "text/plain"), http.StatusUnsupportedMediaType, noStore},
		{meCall(owner.Token), http.StatusOK, noStore},
		{meCall(""), http.StatusUnauthorized, noStore},
		{patchMeCall(renamer.Token, jsonObj{"display_name": "Renamed"}), http.StatusOK, noStore},
		{patchMeCall(renamer.Token, jsonObj{"display_name": ""}), http.StatusUnprocessableEntity, noStore},
		{logoutAllCall(leaver.Token), http.StatusNoContent, noStore},
		{call{method: http.MethodGet, path: "/api/auth/nope"}, http.StatusNotFound, noStore},
		{call{method: http.MethodPut, path: "/api/auth/login"}, http.StatusMethodNotAllowed, noStore},

		{apiCall(http.MethodGet, "/api/rooms", owner, nil), http.StatusOK, private},
		{apiCall(http.MethodPost, "/api/rooms", owner, jsonObj{"name": "more"}), http.StatusCreated, private},
		{apiCall(http.MethodPost, "/api/rooms", owner, jsonObj{"name": ""}), http.StatusUnprocessableEntity, private},
		{withContentType(apiCall(http.MethodPost, "/api/rooms", owner, jsonObj{"name": "x"}), "text/plain"), http.StatusUnsupportedMediaType, private},
		{apiCall(http.MethodGet, roomPath(room.ID), owner, nil), http.StatusOK, private},
		{withHeader(apiCall(http.MethodGet, roomPath(room.ID), owner, nil), "If-None-Match", board.ETag), http.StatusNotModified, private},
		{apiCall(http.MethodGet, roomPath(room.ID), boardUser{}, nil), http.StatusUnauthorized, private},
		{apiCall(http.MethodGet, "/api/rooms/not-a-uuid", owner, nil), http.StatusNotFound, private},
		{apiCall(http.MethodDelete, roomPath(doomed.ID), owner, nil), http.StatusNoContent, private},
		{apiCall(http.MethodGet, "/api/nope", owner, nil), http.StatusNotFound, private},
		{apiCall(http.MethodGet, "/api/authors", owner, nil), http.StatusNotFound, private},
		{apiCall(http.MethodPut, "/api/rooms", owner, nil), http.StatusMethodNotAllowed, private},
		{call{method: http.MethodGet, path: "/healthz"}, http.StatusOK, private},
		{call{method: http.MethodGet, path: "/readyz"}, http.StatusOK, private},
		{call{method: http.MethodGet, path: "/nope"}, http.StatusNotFound, private},
		{call{method: http.MethodPost, path: "/"}, http.StatusMethodNotAllowed, private},
		{call{method: http.MethodGet, path: "/assets/nope.js"}, http.StatusNotFound, private},

		{call{method: http.MethodGet, path: "/"}, http.StatusOK, file},
		{withHeader(call{method: http.MethodGet, path: "/"}, "If-None-Match", files["/"].ETag), http.StatusNotModified, file},
		{call{method: http.MethodGet, path: "/openapi.json"}, http.StatusOK, file},
		{withHeader(call{method: http.MethodGet, path: "/openapi.json"}, "If-None-Match", spec), http.StatusNotModified, file},
		// The docs page carries a nonce of its own: never stored.
		{call{method: http.MethodGet, path: "/docs"}, http.StatusOK, noStore},
		{call{method: http.MethodGet, path: "/docs/redoc.standalone.js"}, http.StatusOK, file},
	}
	for path := range files {
		tests = append(tests, struct {
			c          call
			wantStatus int
			wantCache  string
		}{call{method: http.MethodGet, path: path}, http.StatusOK, file})
	}
	for _, tt := range tests {
		rec := e.send(t, tt.c)
		requireHeaders(t, tt.c.String(), rec, tt.wantStatus, tt.wantCache)
		switch tt.c.path {
		case roomPath(room.ID), "/openapi.json", "/":
			if rec.Code < 400 && rec.Header().Get("ETag") == "" {
				t.Errorf("%s (%d): no ETag", tt.c, rec.Code)
			}
		}
	}
}

// TestResponseHeadersOutsideHandlers: a recovered panic and a CORS
// preflight, answered by middleware, carry the headers too.
func TestResponseHeadersOutsideHandlers(t *testing.T) {
	t.Parallel()
	r := newEngine(t, Deps{CORSAllowedOrigins: []string{"https://app.example.com"}})
	r.GET("/api/auth/boom", func(*gin.Context) { panic("boom") })
	r.GET("/api/boom", func(*gin.Context) { panic("boom") })
	requireHeaders(t, "GET /api/auth/boom (panics)", serve(r, http.MethodGet, "/api/auth/boom", nil), http.StatusInternalServerError, "no-store")
	requireHeaders(t, "GET /api/boom (panics)", serve(r, http.MethodGet, "/api/boom", nil), http.StatusInternalServerError, "private, no-cache")
	for _, origin := range []string{"https://app.example.com", "https://evil.example.com"} {
		rec := serve(r, http.MethodOptions, "/api/rooms", http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"POST"}})
		requireHeaders(t, "OPTIONS /api/rooms preflight from "+origin, rec, http.StatusNoContent, "private, no-cache")
	}
}
