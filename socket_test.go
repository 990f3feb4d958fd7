package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/syncboard/syncboard/internal/apitest"
	"github.com/syncboard/syncboard/internal/testdb"
)

type wsEvent struct {
	Version int64          `json:"version"`
	Type    string         `json:"type"`
	Data    map[string]any `json:"data"`
}

func dial(t *testing.T, base, room, query, token string) (*websocket.Conn, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Accept-Encoding as a browser sends it on the handshake: the
	// compression middleware must leave an upgrade alone.
	opts := &websocket.DialOptions{HTTPHeader: http.Header{"Accept-Encoding": {"gzip, deflate, br, zstd"}}}
	if token != "" {
		opts.HTTPHeader.Set("Authorization", "Bearer "+token)
	}
	u := strings.Replace(base, "http://", "ws://", 1) + "/api/rooms/" + room + "/ws" + query
	conn, resp, err := websocket.Dial(ctx, u, opts)
	if err != nil {
		if resp != nil {
			return nil, resp.StatusCode
		}
		t.Fatalf("dial %s: %v", u, err)
	}
	conn.SetReadLimit(1 << 20)
	return conn, http.StatusSwitchingProtocols
}

func readEvents(t *testing.T, conn *websocket.Conn, from int64, n int) []wsEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []wsEvent
	for i := 0; i < n; {
		_, b, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("read event %d of %d: %v", i+1, n, err)
		}
		var e wsEvent
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		if e.Type == "presence" {
			continue // not an event: presence_test.go tests it
		}
		if want := from + int64(i) + 1; e.Version != want {
			t.Fatalf("event %d has version %d, want %d (in order, exactly once)", i, e.Version, want)
		}
		out = append(out, e)
		i++
	}
	return out
}

// readSkippingPresence reads the next message that is not a presence one.
func readSkippingPresence(ctx context.Context, conn *websocket.Conn) ([]byte, error) {
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			return nil, err
		}
		var e wsEvent
		if json.Unmarshal(b, &e) != nil || e.Type != "presence" {
			return b, nil
		}
	}
}

// expectQuiet fails if an event arrives within 300 ms (presence messages
// may).
func expectQuiet(t *testing.T, conn *websocket.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			return
		}
		var e wsEvent
		if json.Unmarshal(b, &e) != nil || e.Type != "presence" {
			t.Fatalf("an extra message arrived: %s", b)
		}
	}
}

// TestRealTimeAcrossInstances: two server instances on one database. A
// socket on A receives the changes made through B in order and exactly
// once, during a burst of concurrent moves too; a reconnect with since gets
// what was missed; tickets open sockets once; removed members and revoked
// tokens are shut out.
func TestRealTimeAcrossInstances(t *testing.T) {
	dbURL := testdb.New(t)
	env := baseEnv(dbURL)
	env["BCRYPT_COST"] = "4"
	env["AUTH_RATE_LIMIT"] = "1000"
	a, b := start(t, env), start(t, env)
	hc := &http.Client{Timeout: 20 * time.Second, Transport: apitest.Transport(t, nil)}
	stamp := time.Now().UnixNano()
	ownerB, _ := register(t, b.url, hc, fmt.Sprintf("rt-owner-%d@example.com", stamp))
	bobEmail := fmt.Sprintf("rt-bob-%d@example.com", stamp)
	bobA, _ := register(t, a.url, hc, bobEmail)

	var room, col1, col2 idBody
	ownerB.do("POST", "/api/rooms", map[string]string{"name": "live"}, &room)
	ownerB.do("POST", "/api/rooms/"+room.ID+"/columns", map[string]string{"name": "one"}, &col1)
	ownerB.do("POST", "/api/rooms/"+room.ID+"/columns", map[string]string{"name": "two"}, &col2)
	var cards []string
	for i := range 8 {
		var card idBody
		ownerB.do("POST", "/api/columns/"+col1.ID+"/cards", map[string]string{"title": fmt.Sprint("card ", i)}, &card)
		cards = append(cards, card.ID)
	}
	var board boardBody
	ownerB.do("GET", "/api/rooms/"+room.ID, nil, &board)
	v0 := board.Version

	// The owner watches on instance A; changes go through B.
	watch, code := dial(t, a.url, room.ID, "", ownerB.token)
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("open the socket: %d", code)
	}
	defer watch.CloseNow()
	const workers, moves = 6, 8
	moveConcurrently(t, ownerB, cards, col1.ID, col2.ID, workers, moves)
	got := readEvents(t, watch, v0, workers*moves)
	if got[0].Type != "card.moved" || got[0].Data["card"] == nil || got[0].Data["from"] == nil || got[0].Data["cards"] != nil {
		t.Errorf("first event = %+v; want a card.moved with the card and where it came from, and no column orders", got[0])
	}
	expectQuiet(t, watch)
	last := got[len(got)-1].Version
	watch.Close(websocket.StatusNormalClosure, "")

	// Missed while away: a reconnect with since gets exactly those.
	for i := range 3 {
		ownerB.do("PATCH", "/api/cards/"+cards[i], map[string]string{"title": fmt.Sprint("renamed ", i)}, nil)
	}
	again, _ := dial(t, a.url, room.ID, fmt.Sprintf("?since=%d", last), ownerB.token)
	defer again.CloseNow()
	if evs := readEvents(t, again, last, 3); evs[2].Type != "card.updated" {
		t.Errorf("replayed %+v; want the three card.updated", evs)
	}
	expectQuiet(t, again)

	// Tickets: issued on B, used on A, once.
	var ticket struct {
		Ticket string `json:"ticket"`
	}
	if code := ownerB.do("POST", "/api/rooms/"+room.ID+"/ws-ticket", nil, &ticket); code != 201 {
		t.Fatalf("ticket = %d", code)
	}
	byTicket, code := dial(t, a.url, room.ID, "?ticket="+ticket.Ticket, "")
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("open with a ticket = %d", code)
	}
	byTicket.CloseNow()
	if _, code := dial(t, a.url, room.ID, "?ticket="+ticket.Ticket, ""); code != http.StatusUnauthorized {
		t.Errorf("reuse a ticket = %d, want 401", code)
	}
	if _, code := dial(t, a.url, room.ID, "", ""); code != http.StatusUnauthorized {
		t.Errorf("no token, no ticket = %d, want 401", code)
	}

	// A removed member's socket is closed.
	ownerB.do("POST", "/api/rooms/"+room.ID+"/members", map[string]string{"email": bobEmail}, nil)
	var me struct {
		ID string `json:"id"`
	}
	bobA.do("GET", "/api/auth/me", nil, &me)
	bobWatch, code := dial(t, a.url, room.ID, "", bobA.token)
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("bob opens the socket: %d", code)
	}
	ownerB.do("DELETE", "/api/rooms/"+room.ID+"/members/"+me.ID, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var closeErr error
	for closeErr == nil {
		_, _, closeErr = bobWatch.Read(ctx)
	}
	if websocket.CloseStatus(closeErr) != 4001 {
		t.Errorf("removed member's socket ended with %v, want close code 4001", closeErr)
	}

	// Deleting the room: watchers get room.deleted, then a normal close.
	byTicket2, _ := dial(t, a.url, room.ID, "", ownerB.token)
	// Its first presence message says the socket is past its access check
	// (a room deleted before that check closes it with 4001 instead).
	if _, b, err := byTicket2.Read(ctx); err != nil || !strings.Contains(string(b), `"type":"presence"`) {
		t.Fatalf("the socket's first message = %s, %v; want its presence", b, err)
	}
	if code := ownerB.do("DELETE", "/api/rooms/"+room.ID, nil, nil); code != 204 {
		t.Fatalf("delete room = %d", code)
	}
	msg, err := readSkippingPresence(ctx, byTicket2)
	var deleted wsEvent
	if err != nil || json.Unmarshal(msg, &deleted) != nil || deleted.Type != "room.deleted" {
		t.Fatalf("after deleting the room the socket read %s, %v; want a room.deleted event", msg, err)
	}
	if _, err := readSkippingPresence(ctx, byTicket2); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Errorf("after room.deleted the socket ended with %v, want a normal close", err)
	}
	ownerB.do("POST", "/api/rooms", map[string]string{"name": "again"}, &room)

	// Revoking the tokens closes an open socket (the 5-second check) and
	// keeps the revoked token from opening another.
	ownerB.do("POST", "/api/rooms/"+room.ID+"/members", map[string]string{"email": bobEmail}, nil)
	old := bobA.token
	open, code := dial(t, a.url, room.ID, "", old)
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("bob opens a socket on the new room: %d", code)
	}
	if code := bobA.do("POST", "/api/auth/logout-all", nil, nil); code != 204 {
		t.Fatalf("logout-all = %d", code)
	}
	var revokedErr error
	for revokedErr == nil {
		_, _, revokedErr = open.Read(ctx)
	}
	if websocket.CloseStatus(revokedErr) != 4001 {
		t.Errorf("socket of a revoked token ended with %v, want close code 4001", revokedErr)
	}
	if _, code := dial(t, a.url, room.ID, "", old); code != http.StatusUnauthorized {
		t.Errorf("open with a revoked token = %d, want 401", code)
	}
}

// TestSocketResumeBehindPrunedEvents: a client that resumes with a since
// whose events were pruned is told at once (4010, refetch the board), even
// in a quiet room where no new event would reveal the gap; a client at the
// current version streams as usual.
func TestSocketResumeBehindPrunedEvents(t *testing.T) {
	dbURL := testdb.New(t)
	env := baseEnv(dbURL)
	env["BCRYPT_COST"] = "4"
	srv := start(t, env)
	hc := &http.Client{Timeout: 20 * time.Second, Transport: apitest.Transport(t, nil)}
	owner, _ := register(t, srv.url, hc, fmt.Sprintf("prune-%d@example.com", time.Now().UnixNano()))
	var room, col idBody
	owner.do("POST", "/api/rooms", map[string]string{"name": "quiet"}, &room)
	owner.do("POST", "/api/rooms/"+room.ID+"/columns", map[string]string{"name": "one"}, &col)
	owner.do("POST", "/api/columns/"+col.ID+"/cards", map[string]string{"title": "a"}, nil) // version 3

	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "DELETE FROM room_events WHERE room_id = $1", room.ID); err != nil {
		t.Fatal(err)
	}

	behind, code := dial(t, srv.url, room.ID, "?since=1", owner.token)
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("open the socket: %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, b, err := behind.Read(ctx); websocket.CloseStatus(err) != 4010 {
		t.Errorf("resuming behind pruned events: read = %q, %v; want close 4010", b, err)
	}

	current, _ := dial(t, srv.url, room.ID, "?since=3", owner.token)
	defer current.CloseNow()
	owner.do("POST", "/api/columns/"+col.ID+"/cards", map[string]string{"title": "b"}, nil)
	if got := readEvents(t, current, 3, 1); got[0].Type != "card.created" {
		t.Errorf("after resuming at the current version: %+v, want card.created", got[0])
	}
}

// moveConcurrently has workers goroutines each make moves moves of cards
// between two columns as c, all at once, every one of which must succeed.
func moveConcurrently(t *testing.T, c *client, cards []string, col1, col2 string, workers, moves int) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range moves {
				target := []string{col1, col2}[(w+i)%2]
				if code := c.do("POST", "/api/cards/"+cards[(w*3+i)%len(cards)]+"/move", map[string]any{"column_id": target, "position": i % 3}, nil); code != 200 {
					t.Errorf("move = %d", code)
				}
			}
		})
	}
	wg.Wait()
}
