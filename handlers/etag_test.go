package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

type statementCounter struct {
	logger.Interface
	sql []string
	n   atomic.Int64
}

func (l *statementCounter) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	l.sql = append(l.sql, sql)
	l.n.Add(1)
}
func (l *statementCounter) LogMode(logger.LogLevel) logger.Interface { return l }

// TestNotModifiedSkipsTheBoard: a matching If-None-Match costs the token's
// user lookup and one tag query, and never reads columns or cards.
func TestNotModifiedSkipsTheBoard(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := testdb.Open(t)
	counter := &statementCounter{Interface: logger.Discard}
	store := models.NewStore(db.Session(&gorm.Session{Logger: counter}))
	tokens := auth.NewTokens(testJWTSecret, time.Hour)
	hasher, _ := auth.NewHasher(4, 0)
	router := newRouter(t, Deps{Store: store, Tokens: tokens, Hasher: hasher, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	u, _ := store.CreateUser(ctx, models.NewUser{Email: "etag@example.com", PasswordHash: []byte("x"), DisplayName: "etag", Now: time.Now().UTC().Add(-time.Second)})
	room, _ := store.CreateRoom(ctx, u.ID, "etag")
	col, _ := store.CreateColumn(ctx, u.ID, room.ID, "todo", nil)
	for range 20 {
		store.CreateCard(ctx, u.ID, col.ID, models.NewCard{Title: "card"})
	}
	token, _ := sessionToken(t, store, tokens, u)
	get := func(inm string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/api/rooms/"+room.ID.String(), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		return rec
	}
	full := get("")
	tag := full.Header().Get("ETag")
	if full.Code != http.StatusOK || tag == "" {
		t.Fatalf("GET board = %d, ETag %q", full.Code, tag)
	}
	counter.n.Store(0)
	counter.sql = nil
	rec := get(tag)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("ETag") != tag {
		t.Fatalf("conditional GET = %d, body %q, ETag %q; want 304, empty, %s", rec.Code, rec.Body, rec.Header().Get("ETag"), tag)
	}
	if n := counter.n.Load(); n != 2 {
		t.Errorf("a 304 cost %d statements, want 2 (user lookup, tag):\n%s", n, strings.Join(counter.sql, "\n"))
	}
	for _, sql := range counter.sql {
		if strings.Contains(sql, `FROM "cards"`) || strings.Contains(sql, `FROM "columns"`) {
			t.Errorf("a 304 read columns or cards: %s", sql)
		}
	}
}
