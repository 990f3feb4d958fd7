// Command wswatch keeps one room socket open through a load balancer while it
// changes the room, and checks that every change arrives exactly once and in
// order even when the instance holding the socket goes away: on a close it
// reconnects (to whichever instance the balancer picks) resuming with
// ?since= the last version it received. `make cluster` runs it while it
// restarts an instance.
//
//	wswatch -base http://127.0.0.1:18470 [-every 50ms]
//
// It runs until SIGINT or SIGTERM, then waits for the room's last version
// to arrive and prints one summary line. The exit status is 1 when a
// version was skipped or repeated, the last one never arrived, or a change
// request failed.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:18470", "the load balancer's URL")
	every := flag.Duration("every", 50*time.Millisecond, "how often to change the room")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *base, *every); err != nil {
		log.Printf("wswatch: %v", err)
		os.Exit(1)
	}
}

type api struct {
	base  string
	token string
	hc    *http.Client
}

func (a *api) do(ctx context.Context, method, path string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, r)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s = %d %s", method, path, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(b, out)
	}
	return resp.StatusCode, nil
}

type idBody struct {
	ID string `json:"id"`
}

// watch is what the socket side saw.
type watch struct {
	mu         sync.Mutex
	last       int64
	events     int
	bad        []string
	reconnects int
	servers    []string // the instance behind each socket, in order
}

func (w *watch) lastVersion() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

func run(ctx context.Context, base string, every time.Duration) error {
	a := &api{base: base, hc: &http.Client{Timeout: 20 * time.Second}}
	setup, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var auth struct {
		AccessToken string `json:"access_token"`
	}
	email := fmt.Sprintf("wswatch-%d@example.com", time.Now().UnixNano())
	if _, err := a.do(setup, "POST", "/api/auth/register", map[string]string{"email": email, "password": "password123"}, &auth); err != nil {
		return err
	}
	a.token = auth.AccessToken
	var room, col, card idBody
	if _, err := a.do(setup, "POST", "/api/rooms", map[string]string{"name": "wswatch"}, &room); err != nil {
		return err
	}
	if _, err := a.do(setup, "POST", "/api/rooms/"+room.ID+"/columns", map[string]string{"name": "one"}, &col); err != nil {
		return err
	}
	if _, err := a.do(setup, "POST", "/api/columns/"+col.ID+"/cards", map[string]string{"title": "0"}, &card); err != nil {
		return err
	}
	var board struct {
		Version int64 `json:"version"`
	}
	if _, err := a.do(setup, "GET", "/api/rooms/"+room.ID, nil, &board); err != nil {
		return err
	}

	w := &watch{last: board.Version}
	readCtx, stopReading := context.WithCancel(context.Background())
	defer stopReading()
	readDone := make(chan struct{})
	go func() { defer close(readDone); w.read(readCtx, a, room.ID) }()

	// The changes: one card renamed every tick, through the balancer.
	var changes, failures atomic.Int64
	var firstFailure atomic.Value
	tick := time.NewTicker(every)
	defer tick.Stop()
loop:
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
		}
		reqCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err := a.do(reqCtx, "PATCH", "/api/cards/"+card.ID, map[string]string{"title": fmt.Sprint(n)}, nil)
		cancel()
		if err != nil {
			failures.Add(1)
			firstFailure.CompareAndSwap(nil, err.Error())
			continue
		}
		changes.Add(1)
	}

	// Every change made must arrive: wait for the room's version.
	final, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := a.do(final, "GET", "/api/rooms/"+room.ID, nil, &board); err != nil {
		return err
	}
	for w.lastVersion() < board.Version && final.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	stopReading()
	<-readDone

	w.mu.Lock()
	defer w.mu.Unlock()
	fmt.Printf("wswatch: changes=%d failed_changes=%d socket_events=%d reconnects=%d sockets_on=%s last_version=%d room_version=%d gaps_or_repeats=%d\n",
		changes.Load(), failures.Load(), w.events, w.reconnects, strings.Join(w.servers, ","), w.last, board.Version, len(w.bad))
	var problems []string
	if f := failures.Load(); f > 0 {
		problems = append(problems, fmt.Sprintf("%d change requests failed (the first: %v)", f, firstFailure.Load()))
	}
	if len(w.bad) > 0 {
		problems = append(problems, "versions out of order: "+strings.Join(w.bad, "; "))
	}
	if w.last != board.Version {
		problems = append(problems, fmt.Sprintf("the socket got up to version %d, the room is at %d", w.last, board.Version))
	}
	if int64(w.events) != changes.Load() {
		problems = append(problems, fmt.Sprintf("%d events for %d changes", w.events, changes.Load()))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// read keeps a socket open until ctx ends, reconnecting with since=the last
// version received whenever it closes.
func (w *watch) read(ctx context.Context, a *api, roomID string) {
	u := strings.Replace(a.base, "http", "ws", 1) + "/api/rooms/" + roomID + "/ws"
	first := true
	for ctx.Err() == nil {
		if !first {
			w.mu.Lock()
			w.reconnects++
			w.mu.Unlock()
		}
		first = false
		dialCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		conn, resp, err := websocket.Dial(dialCtx, fmt.Sprintf("%s?since=%d", u, w.lastVersion()), &websocket.DialOptions{
			HTTPHeader: http.Header{"Authorization": {"Bearer " + a.token}},
		})
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				log.Printf("wswatch: dial: %v (retrying)", err)
				time.Sleep(200 * time.Millisecond)
			}
			continue
		}
		server := resp.Header.Get("X-Served-By")
		w.mu.Lock()
		w.servers = append(w.servers, server)
		w.mu.Unlock()
		conn.SetReadLimit(1 << 20)
		err = w.stream(ctx, conn)
		conn.CloseNow()
		if ctx.Err() == nil {
			log.Printf("wswatch: socket on %s ended at version %d: %v; reconnecting", server, w.lastVersion(), err)
		}
	}
}

func (w *watch) stream(ctx context.Context, conn *websocket.Conn) error {
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		var e struct {
			Version int64  `json:"version"`
			Type    string `json:"type"`
		}
		if err := json.Unmarshal(b, &e); err != nil {
			return err
		}
		if e.Type == "presence" {
			continue
		}
		w.mu.Lock()
		if e.Version != w.last+1 {
			w.bad = append(w.bad, fmt.Sprintf("got %d after %d", e.Version, w.last))
		}
		if e.Version > w.last {
			w.last = e.Version
		}
		w.events++
		w.mu.Unlock()
	}
}
