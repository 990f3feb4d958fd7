package handlers

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/syncboard/syncboard/middleware"
	"github.com/syncboard/syncboard/models"
)

// withHeader is c with header k set to v; an empty v sends no k at all
// (call.request deletes a header it is given and adds no value).
func withHeader(c call, k, v string) call {
	h := http.Header{}
	for name, vs := range c.header {
		h[name] = vs
	}
	h[http.CanonicalHeaderKey(k)] = nil
	if v != "" {
		h.Set(k, v)
	}
	c.header = h
	return c
}

// withContentType is c with its Content-Type replaced ("": none sent).
func withContentType(c call, contentType string) call {
	return withHeader(c, "Content-Type", contentType)
}

// TestUnsupportedMediaType: a body must come with Content-Type:
// application/json (any case, parameters allowed, a charset only UTF-8);
// anything else is 415 unsupported_media_type and nothing happens.
func TestUnsupportedMediaType(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner := e.user(t, "owner")
	tests := []struct {
		contentType string
		want        int
	}{
		{"application/json", http.StatusCreated},
		{"application/json; charset=utf-8", http.StatusCreated},
		{"application/json;charset=UTF-8", http.StatusCreated},
		{"APPLICATION/JSON", http.StatusCreated},
		{"Application/Json; Charset=\"utf-8\"", http.StatusCreated},
		{"", http.StatusUnsupportedMediaType},
		{"text/plain", http.StatusUnsupportedMediaType},
		{"text/plain; charset=utf-8", http.StatusUnsupportedMediaType},
		{"application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"multipart/form-data; boundary=x", http.StatusUnsupportedMediaType},
		{"application/jsonx", http.StatusUnsupportedMediaType},
		{"application/json-patch+json", http.StatusUnsupportedMediaType},
		{"application/merge-patch+json", http.StatusUnsupportedMediaType},
		{"text/json", http.StatusUnsupportedMediaType},
		{"json", http.StatusUnsupportedMediaType},
		{"application/json; charset=iso-8859-1", http.StatusUnsupportedMediaType},
		{"application/json; charset=utf-16", http.StatusUnsupportedMediaType},
		{"application/json; charset", http.StatusUnsupportedMediaType},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.contentType), func(t *testing.T) {
			t.Parallel()
			email := uniqueEmail("mt")
			calls := []call{
				registerCall(email, "password1"),
				apiCall(http.MethodPost, "/api/rooms", owner, jsonObj{"name": "typed"}),
			}
			for _, c := range calls {
				c = withContentType(c, tt.contentType)
				rec := e.send(t, c)
				if tt.want == http.StatusCreated {
					requireStatus(t, c, rec, http.StatusCreated)
					continue
				}
				requireError(t, c.String(), rec, http.StatusUnsupportedMediaType, models.CodeUnsupportedMediaType)
			}
			wantUsers := int64(0)
			if tt.want == http.StatusCreated {
				wantUsers = 1
			}
			if n := e.countUsers(t, email); n != wantUsers {
				t.Errorf("Content-Type %q: %d user rows for %s, want %d", tt.contentType, n, email, wantUsers)
			}
		})
	}

	t.Run("every endpoint that reads a body", func(t *testing.T) {
		t.Parallel()
		room, cols := e.seedColumns(t, owner, "todo", "done")
		card := e.createCard(t, owner, cols["todo"].ID, "a card")
		other := e.user(t, "other")
		before := e.board(t, owner, room.ID)
		for _, c := range []call{
			loginCall(owner.Email, "password1"),
			patchMeCall(owner.Token, jsonObj{"display_name": "renamed"}),
			apiCall(http.MethodPost, "/api/rooms", owner, jsonObj{"name": "r"}),
			apiCall(http.MethodPatch, roomPath(room.ID), owner, jsonObj{"name": "renamed"}),
			apiCall(http.MethodPost, roomPath(room.ID)+"/members", owner, jsonObj{"email": other.Email}),
			apiCall(http.MethodPost, roomPath(room.ID)+"/columns", owner, jsonObj{"name": "c"}),
			apiCall(http.MethodPatch, columnPath(cols["todo"].ID), owner, jsonObj{"name": "c"}),
			apiCall(http.MethodPost, columnPath(cols["todo"].ID)+"/cards", owner, jsonObj{"title": "t"}),
			apiCall(http.MethodPatch, cardPath(card.ID), owner, jsonObj{"title": "t"}),
			apiCall(http.MethodPost, cardPath(card.ID)+"/move", owner, jsonObj{"column_id": cols["done"].ID, "position": 0}),
			// A body where none is expected is still checked.
			apiCall(http.MethodDelete, roomPath(room.ID), owner, "{}"),
			apiCall(http.MethodPost, "/api/auth/logout-all", owner, "{}"),
		} {
			c = withContentType(c, "text/plain")
			requireError(t, c.String(), e.send(t, c), http.StatusUnsupportedMediaType, models.CodeUnsupportedMediaType)
		}
		e.requireUnchanged(t, owner, before, "requests refused with 415")
		requireMe(t, e.router, owner.Token)
	})

	t.Run("no body needs no Content-Type", func(t *testing.T) {
		t.Parallel()
		u := e.user(t, "nobody")
		room := e.createRoom(t, u, "to delete")
		for _, tc := range []struct {
			c    call
			want int
		}{
			{apiCall(http.MethodGet, "/api/rooms", u, nil), http.StatusOK},
			{apiCall(http.MethodDelete, roomPath(room.ID), u, nil), http.StatusNoContent},
			{call{method: http.MethodPost, path: "/api/auth/logout-all", token: u.Token}, http.StatusNoContent},
		} {
			c := withContentType(tc.c, "")
			requireStatus(t, c, e.send(t, c), tc.want)
		}
	})
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestUnsupportedMediaTypeBeforeReading: 415 is answered from the headers,
// before the body limit and, for a body past middleware.DiscardLimit (a
// smaller one is read and dropped, so the answer survives a proxy), before a
// byte of the body is read, with or without a Content-Length.
func TestUnsupportedMediaTypeBeforeReading(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	// Straight to the engine: the document check reads every body.
	engine := newEngine(t, Deps{Store: env.store, Tokens: env.tokens, Hasher: env.hasher})
	huge := `{"email":"huge@example.com","password":"password1","pad":"` + strings.Repeat("x", 3*middleware.MaxBodyBytes) + `"}`
	for _, tt := range []struct {
		name, contentType string
		sendLength        bool
		want              int
		code              models.Code
	}{
		{"text/plain with Content-Length", "text/plain", true, http.StatusUnsupportedMediaType, models.CodeUnsupportedMediaType},
		{"text/plain chunked", "text/plain", false, http.StatusUnsupportedMediaType, models.CodeUnsupportedMediaType},
		{"no Content-Type, with Content-Length", "", true, http.StatusUnsupportedMediaType, models.CodeUnsupportedMediaType},
		{"no Content-Type, chunked", "", false, http.StatusUnsupportedMediaType, models.CodeUnsupportedMediaType},
		{"JSON with Content-Length", "application/json", true, http.StatusRequestEntityTooLarge, models.CodePayloadTooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var read atomic.Int64
			var body io.Reader = countingReader{strings.NewReader(huge), &read}
			req := httptest.NewRequest(http.MethodPost, "/api/auth/register", body)
			req.ContentLength = -1 // chunked: unknown length
			if tt.sendLength {
				req.ContentLength = int64(len(huge))
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := httptest.NewRecorder()
			engine.ServeHTTP(rec, req)
			desc := fmt.Sprintf("POST /api/auth/register, %d bytes, %s", len(huge), tt.name)
			requireError(t, desc, rec, tt.want, tt.code)
			if tt.want == http.StatusUnsupportedMediaType && read.Load() != 0 {
				t.Errorf("%s: %d bytes of the body were read before the 415", desc, read.Load())
			}
		})
	}

}
