package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/syncboard/syncboard/internal/apitest"
	"github.com/syncboard/syncboard/internal/testdb"
)

// presenceMsg is the room socket's presence message.
type presenceMsg struct {
	Type    string `json:"type"`
	Version *int64 `json:"version"`
	Users   []struct {
		ID          string `json:"id"`
		DisplayName string `json:"display_name"`
	} `json:"users"`
}

func (p presenceMsg) names() []string {
	var out []string
	for _, u := range p.Users {
		out = append(out, u.DisplayName)
	}
	return out
}

// awaitPresence reads conn until a presence message lists exactly names
// (in that order), failing after within. It returns how long that took.
func awaitPresence(t *testing.T, conn *websocket.Conn, within time.Duration, names ...string) time.Duration {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	var last []string
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("no presence of %v within %s (the last was %v): %v", names, within, last, err)
		}
		var m presenceMsg
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if m.Type != "presence" {
			continue // an event
		}
		if m.Version != nil {
			t.Errorf("a presence message carries a version: %s", b)
		}
		if last = m.names(); slices.Equal(last, names) {
			return time.Since(start)
		}
	}
}

// presenceEnv is the environment of the instances of a presence test, with
// the heartbeat and staleness short, so a dead instance drops out fast.
func presenceEnv(dbURL string) map[string]string {
	env := baseEnv(dbURL)
	env["AUTH_RATE_LIMIT"] = "1000"
	env["PRESENCE_HEARTBEAT"] = "1s"
	env["PRESENCE_STALE"] = "5s"
	return env
}

// presenceRoom registers Ann on a and Bob on b (named so), and makes a room
// of Ann's that Bob is a member of.
func presenceRoom(t *testing.T, a, b string) (ann, bob *client, room string) {
	t.Helper()
	hc := &http.Client{Timeout: 20 * time.Second, Transport: apitest.Transport(t, nil)}
	stamp := time.Now().UnixNano()
	ann, _ = register(t, a, hc, fmt.Sprintf("pr-ann-%d@example.com", stamp))
	bobEmail := fmt.Sprintf("pr-bob-%d@example.com", stamp)
	bob, _ = register(t, b, hc, bobEmail)
	ann.do("PATCH", "/api/auth/me", map[string]string{"display_name": "Ann"}, nil)
	bob.do("PATCH", "/api/auth/me", map[string]string{"display_name": "Bob"}, nil)
	var r idBody
	ann.do("POST", "/api/rooms", map[string]string{"name": "presence"}, &r)
	if code := ann.do("POST", "/api/rooms/"+r.ID+"/members", map[string]string{"email": bobEmail}, nil); code != 201 {
		t.Fatalf("add Bob = %d", code)
	}
	return ann, bob, r.ID
}

// TestPresenceAcrossInstances: Ann's socket on instance A and Bob's on B
// each learn within 2 s that both have the board open; when Bob closes
// his, Ann learns within 2 s. Presence is no event: the version stays and
// the events list stays empty.
func TestPresenceAcrossInstances(t *testing.T) {
	dbURL := testdb.New(t)
	a, b := start(t, presenceEnv(dbURL)), start(t, presenceEnv(dbURL))
	ann, bob, room := presenceRoom(t, a.url, b.url)
	var board boardBody
	ann.do("GET", "/api/rooms/"+room, nil, &board)
	v0 := board.Version

	annWS, _ := dial(t, a.url, room, "", ann.token)
	defer annWS.CloseNow()
	awaitPresence(t, annWS, 2*time.Second, "Ann") // at once, herself
	bobWS, _ := dial(t, b.url, room, "", bob.token)
	defer bobWS.CloseNow()
	tBob := awaitPresence(t, bobWS, 2*time.Second, "Ann", "Bob")
	tAnn := awaitPresence(t, annWS, 2*time.Second, "Ann", "Bob")
	t.Logf("both present: on Bob's socket after %s, on Ann's %s later", tBob, tAnn)

	// A second socket of Bob's changes nothing; closing one of two leaves
	// him present: Ann's next presence message is the one of his leaving.
	bob2, _ := dial(t, a.url, room, "", bob.token)
	awaitPresence(t, bob2, 2*time.Second, "Ann", "Bob")
	bob2.Close(websocket.StatusNormalClosure, "")
	time.Sleep(time.Second)

	bobWS.Close(websocket.StatusNormalClosure, "")
	closed := time.Now()
	if got := nextPresence(t, annWS, 2*time.Second); !slices.Equal(got.names(), []string{"Ann"}) {
		t.Errorf("Ann's next presence = %v, want [Ann] (nothing while the set did not change)", got.names())
	}
	t.Logf("Bob gone from Ann's socket after %s", time.Since(closed))

	ann.do("GET", "/api/rooms/"+room, nil, &board)
	if board.Version != v0 {
		t.Errorf("version went from %d to %d; presence must not change it", v0, board.Version)
	}
	var events struct {
		Items []json.RawMessage `json:"items"`
	}
	if code := ann.do("GET", fmt.Sprintf("/api/rooms/%s/events?since=%d", room, v0), nil, &events); code != 200 || len(events.Items) != 0 {
		t.Errorf("GET events since %d = %d with %d events; want 200 and none", v0, code, len(events.Items))
	}
}

// nextPresence reads conn's next presence message. (A read that times out
// closes the socket, so "nothing arrives for a while" is checked this way:
// the next message is the one of the next change.)
func nextPresence(t *testing.T, conn *websocket.Conn, within time.Duration) presenceMsg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("no presence message within %s: %v", within, err)
		}
		var m presenceMsg
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if m.Type == "presence" {
			return m
		}
	}
}

// TestPresenceOfAKilledInstance: a real server process with Bob's socket is
// killed (SIGKILL: no goodbye); Ann's socket on the surviving instance
// learns that Bob left within the staleness bound plus a sweep period.
func TestPresenceOfAKilledInstance(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server binary")
	}
	dbURL := testdb.New(t)
	env := presenceEnv(dbURL)
	bin := t.TempDir() + "/syncboard"
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	a := start(t, env)
	victim := startProcess(t, bin, env)
	ann, bob, room := presenceRoom(t, a.url, victim.url)

	annWS, _ := dial(t, a.url, room, "", ann.token)
	defer annWS.CloseNow()
	bobWS, _ := dial(t, victim.url, room, "", bob.token)
	defer bobWS.CloseNow()
	awaitPresence(t, annWS, 2*time.Second, "Ann", "Bob")

	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Stale 5 s after its last beat, swept at the next sweep (every 1 s).
	took := awaitPresence(t, annWS, 5*time.Second+2*time.Second+2*time.Second, "Ann")
	t.Logf("Bob dropped out %s after his instance was killed (stale 5s, heartbeat 1s)", took)
}

type process struct {
	url string
	cmd *exec.Cmd
}

// startProcess runs the server binary with env (and nothing of this
// process's environment but PATH and HOME) and waits until it listens.
func startProcess(t *testing.T, bin string, env map[string]string) *process {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() { // read to the end, so the process never blocks on its log
			if m := listening.FindStringSubmatch(sc.Text()); m != nil && !sent {
				addr <- m[1]
				sent = true
			}
		}
	}()
	select {
	case a := <-addr:
		return &process{url: "http://" + strings.TrimSpace(a), cmd: cmd}
	case <-time.After(30 * time.Second):
		t.Fatal("the server process did not listen within 30s")
		return nil
	}
}
