package handlers

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/internal/apitest"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

// Fuzz targets: any body or Authorization header gets a 2xx or a 4xx with
// the contract's error body (checked against the OpenAPI document), never a
// 5xx or a panic. Seed corpora live in testdata/fuzz/<target>/; CI runs each
// target briefly (make fuzz).

// fuzzEnv is a router on a private database with one user, one room, one
// column and one card to aim bodies at.
type fuzzEnv struct {
	engine          *gin.Engine
	token           string
	room, col, card uuid.UUID
}

func newFuzzEnv(f *testing.F) *fuzzEnv {
	f.Helper()
	ctx := context.Background()
	db, _ := testdb.Open(f)
	store := models.NewStore(db)
	tokens := auth.NewTokens(testJWTSecret, time.Hour)
	hasher, err := auth.NewHasher(4, 0)
	if err != nil {
		f.Fatal(err)
	}
	engine, err := NewRouter(Deps{Store: store, Tokens: tokens, Hasher: hasher,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), AuthRateLimit: 1 << 30, AuthRateWindow: time.Minute})
	if err != nil {
		f.Fatal(err)
	}
	hash, _ := hasher.Hash(ctx, "password1")
	u, err := store.CreateUser(ctx, models.NewUser{Email: "fuzz@example.com", PasswordHash: hash, DisplayName: "fuzz", Now: time.Now().UTC().Add(-time.Second)})
	if err != nil {
		f.Fatal(err)
	}
	room, _ := store.CreateRoom(ctx, u.ID, "fuzz")
	col, _ := store.CreateColumn(ctx, u.ID, room.ID, "todo", nil)
	card, _ := store.CreateCard(ctx, u.ID, col.ID, models.NewCard{Title: "card"})
	token, _ := sessionToken(f, store, tokens, u)
	return &fuzzEnv{engine: engine, token: token, room: room.ID, col: col.ID, card: card.ID}
}

// check sends body as JSON (Content-Type: application/json).
func (e *fuzzEnv) check(t *testing.T, method, path, authorization string, body []byte) int {
	return e.checkAs(t, method, path, authorization, "application/json", body)
}

// checkAs sends body with contentType ("": no Content-Type header) and
// returns the status.
func (e *fuzzEnv) checkAs(t *testing.T, method, path, authorization, contentType string, body []byte) int {
	req := httptest.NewRequest(method, path, strings.NewReader(string(body)))
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	apitest.Handler(t, e.engine).ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s with body %q = %d %s", method, path, body, rec.Code, rec.Body)
	}
	if rec.Code >= 400 {
		var eb api.ErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error.Code == "" {
			t.Fatalf("%s %s = %d with a body that is not the error body: %q", method, path, rec.Code, rec.Body)
		}
	}
	return rec.Code
}

// FuzzAuthBodies sends arbitrary bodies to register, login and PATCH me.
// With endpoint's high bit set, it sends the body to register without a
// Content-Type: any body at all is then 415, whatever it holds.
func FuzzAuthBodies(f *testing.F) {
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, endpoint uint8, body []byte) {
		if endpoint >= 128 {
			code := e.checkAs(t, "POST", "/api/auth/register", "", "", body)
			if len(body) > 0 && code != http.StatusUnsupportedMediaType {
				t.Fatalf("POST /api/auth/register with body %q and no Content-Type = %d, want 415", body, code)
			}
			return
		}
		switch endpoint % 3 {
		case 0:
			e.check(t, "POST", "/api/auth/register", "", body)
		case 1:
			e.check(t, "POST", "/api/auth/login", "", body)
		default:
			e.check(t, "PATCH", "/api/auth/me", "Bearer "+e.token, body)
		}
	})
}

// FuzzBoardBodies sends arbitrary bodies to every room, member, column and
// card endpoint that reads one. Bodies that would delete or rename the
// fixtures are harmless: a missing fixture is a 404, still not a 5xx.
func FuzzBoardBodies(f *testing.F) {
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, endpoint uint8, body []byte) {
		bearer := "Bearer " + e.token
		switch endpoint % 8 {
		case 0:
			e.check(t, "POST", "/api/rooms", bearer, body)
		case 1:
			e.check(t, "PATCH", "/api/rooms/"+e.room.String(), bearer, body)
		case 2:
			e.check(t, "POST", "/api/rooms/"+e.room.String()+"/members", bearer, body)
		case 3:
			e.check(t, "POST", "/api/rooms/"+e.room.String()+"/columns", bearer, body)
		case 4:
			e.check(t, "PATCH", "/api/columns/"+e.col.String(), bearer, body)
		case 5:
			e.check(t, "POST", "/api/columns/"+e.col.String()+"/cards", bearer, body)
		case 6:
			e.check(t, "PATCH", "/api/cards/"+e.card.String(), bearer, body)
		default:
			e.check(t, "POST", "/api/cards/"+e.card.String()+"/move", bearer, body)
		}
	})
}

// FuzzAuthorizationHeader sends arbitrary Authorization headers to a
// protected endpoint, and checks the parser directly: it never accepts a
// header that is not "Bearer <one token>".
func FuzzAuthorizationHeader(f *testing.F) {
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, header string) {
		if tok, ok := auth.BearerToken(header); ok {
			scheme, rest, _ := strings.Cut(header, " ")
			if !strings.EqualFold(scheme, "bearer") || rest != tok || tok == "" || strings.ContainsAny(tok, " \t") {
				t.Fatalf("auth.BearerToken(%q) accepted %q", header, tok)
			}
		}
		if strings.ContainsAny(header, "\r\n\x00") {
			return // not a header value net/http would deliver
		}
		e.check(t, "GET", "/api/auth/me", header, nil)
	})
}

// FuzzListRoomsQuery sends arbitrary limit and cursor values to the room
// list, and the same strings as limit and since to the events endpoint.
func FuzzListRoomsQuery(f *testing.F) {
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, limit, cursor string) {
		q := "limit=" + url.QueryEscape(limit) + "&cursor=" + url.QueryEscape(cursor)
		e.check(t, "GET", "/api/rooms?"+q, "Bearer "+e.token, nil)
		// The events endpoint's since and limit, from the same inputs.
		q = "since=" + url.QueryEscape(cursor) + "&limit=" + url.QueryEscape(limit)
		e.check(t, "GET", "/api/rooms/"+e.room.String()+"/events?"+q, "Bearer "+e.token, nil)
	})
}
