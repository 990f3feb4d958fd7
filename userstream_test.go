package main

import (
	"context"
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
	opts := &websocket.DialOptions{}
	if token != "" {
		opts.HTTPHeader = http.Header{"Authorization": {"Bearer " + token}}
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
	return []string{"/api/rooms/" + room + "/ws"}
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
