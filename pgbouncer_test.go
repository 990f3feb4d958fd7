package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/syncboard/syncboard/internal/apitest"
	"github.com/syncboard/syncboard/internal/pgbouncer"
	"github.com/syncboard/syncboard/internal/testdb"
)

// TestThroughPgBouncer runs two instances whose DATABASE_URL goes through a
// real PgBouncer in transaction pooling (DB_POOLER=pgbouncer) and whose
// DATABASE_DIRECT_URL reaches PostgreSQL (migrations, LISTEN): people
// register and log in, build a board, move cards concurrently through one
// instance while a socket on the other receives every move in order and
// exactly once, and the board ends consistent. Without DB_POOLER the
// server cannot start there.
func TestThroughPgBouncer(t *testing.T) {
	bouncer := pgbouncer.Start(t, testdb.ServerURL(), pgbouncer.Options{PoolSize: 4})
	direct := testdb.Empty(t) // the instance migrates it, through the direct URL
	env := baseEnv(bouncer.URL(direct))
	env["DATABASE_DIRECT_URL"] = direct
	env["AUTH_RATE_LIMIT"] = "1000"
	env["DB_MAX_OPEN_CONNS"] = "8"

	// The control: a direct-mode pool is refused by PgBouncer.
	noPooler := make(map[string]string)
	for k, v := range env {
		noPooler[k] = v
	}
	if err := run(t.Context(), nil, envOf(noPooler), &logBuffer{}); err == nil || !strings.Contains(err.Error(), "unsupported startup parameter") {
		t.Fatalf("serving through PgBouncer without DB_POOLER: %v; want PgBouncer's unsupported startup parameter", err)
	}

	env["DB_POOLER"] = "pgbouncer"
	a, b := start(t, env), start(t, env)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("A's log:\n%s\nB's log:\n%s", a.logs, b.logs)
		}
	})
	hc := &http.Client{Timeout: 20 * time.Second, Transport: apitest.Transport(t, nil)}
	stamp := time.Now().UnixNano()
	email := fmt.Sprintf("bouncer-%d@example.com", stamp)
	register(t, a.url, hc, email)
	owner := &client{t: t, base: b.url, http: hc}
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if code := owner.do("POST", "/api/auth/login", map[string]string{"email": email, "password": "password123"}, &login); code != 200 {
		t.Fatalf("login on B = %d", code)
	}
	owner.token = login.AccessToken

	var room, col1, col2 idBody
	if code := owner.do("POST", "/api/rooms", map[string]string{"name": "pooled"}, &room); code != 201 {
		t.Fatalf("create room = %d", code)
	}
	owner.do("POST", "/api/rooms/"+room.ID+"/columns", map[string]string{"name": "one"}, &col1)
	owner.do("POST", "/api/rooms/"+room.ID+"/columns", map[string]string{"name": "two"}, &col2)
	var cards []string
	for i := range 8 {
		var card idBody
		if code := owner.do("POST", "/api/columns/"+col1.ID+"/cards", map[string]string{"title": fmt.Sprint("card ", i)}, &card); code != 201 {
			t.Fatalf("create card = %d", code)
		}
		cards = append(cards, card.ID)
	}
	var board boardBody
	owner.do("GET", "/api/rooms/"+room.ID, nil, &board)

	watch, code := dial(t, a.url, room.ID, "", owner.token)
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("open the socket on A: %d", code)
	}
	defer watch.CloseNow()
	const workers, moves = 6, 8
	moveConcurrently(t, owner, cards, col1.ID, col2.ID, workers, moves)
	got := readEvents(t, watch, board.Version, workers*moves)
	if got[0].Type != "card.moved" {
		t.Errorf("first event = %+v; want a card.moved", got[0])
	}
	expectQuiet(t, watch)
	watch.Close(websocket.StatusNormalClosure, "")

	var after boardBody
	owner.do("GET", "/api/rooms/"+room.ID, nil, &after)
	if after.Version != board.Version+workers*moves {
		t.Errorf("version %d after %d moves from %d", after.Version, workers*moves, board.Version)
	}
	seen := 0
	for _, col := range after.Columns {
		for i, c := range col.Cards {
			if c.Position != i {
				t.Errorf("column %s: card %d at position %d", col.ID, i, c.Position)
			}
			seen++
		}
	}
	if seen != len(cards) {
		t.Errorf("%d cards on the board, want %d", seen, len(cards))
	}
	if n := bouncer.Transactions(t, direct); n < workers*moves {
		t.Errorf("PgBouncer passed %d transactions; the API's traffic did not go through it", n)
	}
}
