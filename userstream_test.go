package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/syncboard/syncboard/internal/apitest"
	"github.com/syncboard/syncboard/internal/testdb"
)

// dialRaw opens a WebSocket at path on base and, when the upgrade is
// refused, returns the refusal's response.
func dialRaw(t *testing.T, base, path, token string) (*websocket.Conn, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Accept-Encoding as a browser sends it on the handshake: the
	// compression middleware must leave an upgrade alone.
	opts := &websocket.DialOptions{HTTPHeader: http.Header{"Accept-Encoding": {"gzip, deflate, br, zstd"}}}
	if token != "" {
		opts.HTTPHeader.Set("Authorization", "Bearer "+token)
	}
	conn, resp, err := websocket.Dial(ctx, strings.Replace(base, "http://", "ws://", 1)+path, opts)
	if err != nil {
		if resp == nil {
			t.Fatalf("dial %s: %v", path, err)
		}
		return nil, resp
	}
	conn.SetReadLimit(1 << 20)
	return conn, nil
}

// TestSocketLimitPerUser: WS_MAX_PER_USER=3 lets a user hold three sockets
// on an instance, of any kind; the fourth is refused before the upgrade
// with 429 rate_limited and Retry-After, another user is not affected, and
// once one closes a new one opens.
func TestSocketLimitPerUser(t *testing.T) {
	env := baseEnv(testdb.New(t))
	env["WS_MAX_PER_USER"] = "3"
	srv := start(t, env)
	hc := &http.Client{Timeout: 20 * time.Second, Transport: apitest.Transport(t, nil)}
	stamp := time.Now().UnixNano()
	ann, _ := register(t, srv.url, hc, fmt.Sprintf("limit-ann-%d@example.com", stamp))
	bob, _ := register(t, srv.url, hc, fmt.Sprintf("limit-bob-%d@example.com", stamp))
	var room, other idBody
	ann.do("POST", "/api/rooms", map[string]string{"name": "one"}, &room)
	bob.do("POST", "/api/rooms", map[string]string{"name": "bob's"}, &other)

	paths := socketPaths(room.ID)
	var open []*websocket.Conn
	for i := range 3 {
		conn, refused := dialRaw(t, srv.url, paths[i%len(paths)], ann.token)
		if refused != nil {
			t.Fatalf("socket %d of 3 refused: %d", i+1, refused.StatusCode)
		}
		open = append(open, conn)
	}
	for _, p := range paths {
		_, refused := dialRaw(t, srv.url, p, ann.token)
		if refused == nil {
			t.Fatalf("a 4th socket (%s) opened; want 429", p)
		}
		requireSocketLimited(t, p, refused)
	}
	// Another user's budget is their own.
	if conn, refused := dialRaw(t, srv.url, "/api/rooms/"+other.ID+"/ws", bob.token); refused != nil {
		t.Fatalf("another user's socket refused: %d", refused.StatusCode)
	} else {
		defer conn.CloseNow()
	}

	open[0].Close(websocket.StatusNormalClosure, "")
	// The server releases the socket when its handler sees the close,
	// a moment after the client's close handshake.
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, refused := dialRaw(t, srv.url, paths[0], ann.token)
		if refused == nil {
			conn.CloseNow()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after closing a socket a new one is still refused: %d", refused.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, c := range open[1:] {
		c.CloseNow()
	}
}

// socketPaths are the socket kinds a user can open, to mix in the limit.
func socketPaths(room string) []string {
	return []string{"/api/rooms/" + room + "/ws", "/api/ws"}
}

func requireSocketLimited(t *testing.T, path string, resp *http.Response) {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), `"code":"rate_limited"`) ||
		resp.Header.Get("Retry-After") == "" {
		t.Errorf("%s over the limit: %d %v %s; want 429 rate_limited with Retry-After", path, resp.StatusCode, resp.Header, body)
	}
}

type userMessage struct {
	Type string `json:"type"`
	Room *struct {
		ID        string    `json:"id"`
		Name      string    `json:"name"`
		CreatedBy string    `json:"created_by"`
		CreatedAt time.Time `json:"created_at"`
		Role      string    `json:"role"`
		Version   int64     `json:"version"`
	} `json:"room"`
	RoomID string `json:"room_id"`
}

// readUserMessage reads the next message of a user stream and checks its
// type and room.
func readUserMessage(t *testing.T, conn *websocket.Conn, wantType, wantRoom string) userMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := conn.Read(ctx)
	if err != nil {
		t.Fatalf("waiting for %s of room %s: %v", wantType, wantRoom, err)
	}
	var m userMessage
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("message %s: %v", b, err)
	}
	id := m.RoomID
	if m.Room != nil {
		id = m.Room.ID
	}
	if m.Type != wantType || id != wantRoom || (m.Type == "room.removed") != (m.Room == nil) {
		t.Fatalf("message %s; want %s of room %s", b, wantType, wantRoom)
	}
	return m
}

// requireClosedWith reads until conn closes and checks the close code.
func requireClosedWith(t *testing.T, conn *websocket.Conn, code websocket.StatusCode, why string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	for err == nil {
		var b []byte
		if _, b, err = conn.Read(ctx); err == nil {
			t.Errorf("%s: unexpected message %s before the close", why, b)
		}
	}
	if websocket.CloseStatus(err) != code {
		t.Errorf("%s: the socket ended with %v, want close code %d", why, err, code)
	}
}

// TestUserStreamAcrossInstances: a user's stream on instance A hears of
// every room the user gains, has changed or loses through instance B, with
// the user's own role and the room's current version: creating a room,
// being added by email, accepting a link (and a link that raises the role),
// a rename, a role change, removal, leaving and deletion. Tickets open it
// once (a room's ticket never), and it closes with 4001 when the session
// ends.
func TestUserStreamAcrossInstances(t *testing.T) {
	env := baseEnv(testdb.New(t))
	env["AUTH_RATE_LIMIT"] = "1000"
	a, b := start(t, env), start(t, env)
	hc := &http.Client{Timeout: 20 * time.Second, Transport: apitest.Transport(t, nil)}
	stamp := time.Now().UnixNano()
	ann, _ := register(t, b.url, hc, fmt.Sprintf("us-ann-%d@example.com", stamp))
	bobEmail := fmt.Sprintf("us-bob-%d@example.com", stamp)
	bobA, bobID := register(t, a.url, hc, bobEmail)
	bobB := &client{t: t, base: b.url, token: bobA.token, http: hc}

	stream, refused := dialRaw(t, a.url, "/api/ws", bobA.token)
	if refused != nil {
		t.Fatalf("open the user stream: %d", refused.StatusCode)
	}
	defer stream.CloseNow()

	// Bob's own new room, made through B.
	var own idBody
	bobB.do("POST", "/api/rooms", map[string]string{"name": "bob's own"}, &own)
	if m := readUserMessage(t, stream, "room.added", own.ID); m.Room.Role != "owner" || m.Room.Name != "bob's own" || m.Room.Version != 1 {
		t.Errorf("creator's room.added = %+v", *m.Room)
	}

	// Added by email, renamed, demoted, removed.
	var room idBody
	ann.do("POST", "/api/rooms", map[string]string{"name": "shared"}, &room)
	ann.do("POST", "/api/rooms/"+room.ID+"/columns", map[string]string{"name": "one"}, nil)
	if code := ann.do("POST", "/api/rooms/"+room.ID+"/members", map[string]string{"email": bobEmail}, nil); code != 201 {
		t.Fatalf("add bob = %d", code)
	}
	if m := readUserMessage(t, stream, "room.added", room.ID); m.Room.Role != "member" || m.Room.Name != "shared" || m.Room.Version != 3 {
		t.Errorf("room.added on being added = %+v; want member, version 3", *m.Room)
	}
	ann.do("PATCH", "/api/rooms/"+room.ID, map[string]string{"name": "renamed"}, nil)
	if m := readUserMessage(t, stream, "room.updated", room.ID); m.Room.Name != "renamed" || m.Room.Role != "member" || m.Room.Version != 4 {
		t.Errorf("room.updated on a rename = %+v", *m.Room)
	}
	if code := ann.do("PATCH", "/api/rooms/"+room.ID+"/members/"+bobID, map[string]string{"role": "viewer"}, nil); code != 200 {
		t.Fatalf("demote bob = %d", code)
	}
	if m := readUserMessage(t, stream, "room.updated", room.ID); m.Room.Role != "viewer" || m.Room.Version != 5 {
		t.Errorf("room.updated on a role change = %+v", *m.Room)
	}
	// A link that raises the role is an update; the owner's own changes
	// of others do not reach bob.
	var link struct {
		Token string `json:"token"`
	}
	if code := ann.do("POST", "/api/rooms/"+room.ID+"/invites", map[string]string{"role": "member"}, &link); code != 201 {
		t.Fatalf("create a link = %d", code)
	}
	if code := bobB.do("POST", "/api/invites/by-token/"+link.Token+"/accept", nil, nil); code != 200 {
		t.Fatalf("accept the raising link = %d", code)
	}
	if m := readUserMessage(t, stream, "room.updated", room.ID); m.Room.Role != "member" {
		t.Errorf("room.updated on a raising link = %+v", *m.Room)
	}
	ann.do("DELETE", "/api/rooms/"+room.ID+"/members/"+bobID, nil, nil)
	readUserMessage(t, stream, "room.removed", room.ID)

	// Back through the link; then leaving.
	if code := bobB.do("POST", "/api/invites/by-token/"+link.Token+"/accept", nil, nil); code != 201 {
		t.Fatalf("accept the link = %d", code)
	}
	if m := readUserMessage(t, stream, "room.added", room.ID); m.Room.Role != "member" {
		t.Errorf("room.added on accepting a link = %+v", *m.Room)
	}
	if code := bobB.do("DELETE", "/api/rooms/"+room.ID+"/members/"+bobID, nil, nil); code != 204 {
		t.Fatalf("leave = %d", code)
	}
	readUserMessage(t, stream, "room.removed", room.ID)

	// Deletion: every member hears of it.
	ann.do("POST", "/api/rooms/"+room.ID+"/members", map[string]string{"email": bobEmail}, nil)
	readUserMessage(t, stream, "room.added", room.ID)
	if code := ann.do("DELETE", "/api/rooms/"+room.ID, nil, nil); code != 204 {
		t.Fatalf("delete the room = %d", code)
	}
	readUserMessage(t, stream, "room.removed", room.ID)
	expectQuiet(t, stream) // (a read that times out closes the socket)

	// Tickets: issued on B, used on A, once; a room's ticket does not open
	// the user stream.
	var ticket struct {
		Ticket string `json:"ticket"`
	}
	if code := bobB.do("POST", "/api/ws-ticket", nil, &ticket); code != 201 {
		t.Fatalf("user stream ticket = %d", code)
	}
	byTicket, refused := dialRaw(t, a.url, "/api/ws?ticket="+ticket.Ticket, "")
	if refused != nil {
		t.Fatalf("open with a ticket = %d", refused.StatusCode)
	}
	defer byTicket.CloseNow()
	if _, refused := dialRaw(t, a.url, "/api/ws?ticket="+ticket.Ticket, ""); refused == nil || refused.StatusCode != http.StatusUnauthorized {
		t.Errorf("reuse a ticket: %v, want 401", refused)
	}
	var roomTicket struct {
		Ticket string `json:"ticket"`
	}
	bobB.do("POST", "/api/rooms/"+own.ID+"/ws-ticket", nil, &roomTicket)
	if _, refused := dialRaw(t, a.url, "/api/ws?ticket="+roomTicket.Ticket, ""); refused == nil || refused.StatusCode != http.StatusUnauthorized {
		t.Errorf("a room's ticket on the user stream: %v, want 401", refused)
	}
	if _, refused := dialRaw(t, a.url, "/api/ws", ""); refused == nil || refused.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token, no ticket: %v, want 401", refused)
	}
	if _, refused := dialRaw(t, a.url, "/api/ws?ticket=nonsense", ""); refused == nil || refused.StatusCode != http.StatusUnauthorized {
		t.Errorf("an unknown ticket: %v, want 401", refused)
	}

	// The session ends on B: the stream on A (the ticket's, of the same
	// session) closes with 4001.
	if code := bobB.do("POST", "/api/auth/logout-all", nil, nil); code != 204 {
		t.Fatalf("logout-all = %d", code)
	}
	requireClosedWith(t, byTicket, 4001, "after logout-all")
	if _, refused := dialRaw(t, a.url, "/api/ws", bobA.token); refused == nil || refused.StatusCode != http.StatusUnauthorized {
		t.Errorf("open with an ended session's token: %v, want 401", refused)
	}
}
