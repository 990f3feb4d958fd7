// Command sockets measures SyncBoard's real-time fan-out against a running
// server: it opens many WebSockets spread over some rooms, moves cards at a
// steady rate (round robin over the rooms), and reports the server's memory
// per connection, the delay from an event's commit to its receipt on every
// socket (p50, p99), and whether every socket got every event of its room
// exactly once, in order.
//
//	go run ./bench/sockets -url http://127.0.0.1:18090 -pid <server pid> -sockets 10000 -rooms 100
//
// -columns and -cards size each room's board (issue 19's large board is
// -columns 8 -cards 500); moves go between its first two columns, to the
// top, and the report gives the bytes of each event as a socket got it.
//
// The sockets belong to one user, so the server needs WS_MAX_PER_USER at
// least -sockets (bench/sockets.sh sets it).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:18090", "server URL")
	pid := flag.Int("pid", 0, "server process ID, for its memory")
	n := flag.Int("sockets", 1000, "sockets, spread round robin over the rooms")
	rooms := flag.Int("rooms", 1, "rooms")
	parallel := flag.Int("dial", 32, "sockets opened at a time")
	rate := flag.Int("rate", 20, "card moves per second")
	dur := flag.Duration("duration", 10*time.Second, "how long to move cards")
	columns := flag.Int("columns", 2, "columns per room (at least 2)")
	cards := flag.Int("cards", 0, "cards per column (0: 20 cards in the first column only, as in the issue 18 runs)")
	flag.Parse()
	if err := run(*base, *pid, *n, *rooms, *parallel, *rate, *dur, max(*columns, 2), *cards); err != nil {
		fmt.Fprintln(os.Stderr, "sockets:", err)
		os.Exit(1)
	}
}

func call(base, method, path, token string, body, out any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s = %d", method, path, resp.StatusCode)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

func rssMiB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:")), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

// board is one room of the run: columns columns of cards cards each; the
// moves take the first column's cards.
type board struct {
	id, c1, c2 string
	cards      []string
	moves      int   // made in the room
	version    int64 // after seeding
}

func seedBoard(base, tok string, i, columns, cards int) (*board, error) {
	var room struct {
		ID string `json:"id"`
	}
	if err := call(base, "POST", "/api/rooms", tok, map[string]string{"name": fmt.Sprint("sockets ", i)}, &room); err != nil {
		return nil, err
	}
	cols := make([]string, columns)
	for c := range cols {
		var col struct {
			ID string `json:"id"`
		}
		if err := call(base, "POST", "/api/rooms/"+room.ID+"/columns", tok, map[string]string{"name": fmt.Sprint("column ", c+1)}, &col); err != nil {
			return nil, err
		}
		cols[c] = col.ID
	}
	seeded := columns
	if cards == 0 {
		cards, seeded = 20, 1
	}
	b := &board{id: room.ID, c1: cols[0], c2: cols[1], version: int64(1 + columns + seeded*cards)}
	// One writer per column: a column's cards in order, the columns at
	// once.
	errs := make(chan error, seeded)
	for c, col := range cols[:seeded] {
		go func() {
			for j := range cards {
				var card struct {
					ID string `json:"id"`
				}
				if err := call(base, "POST", "/api/columns/"+col+"/cards", tok, map[string]string{"title": fmt.Sprint("card ", j+1)}, &card); err != nil {
					errs <- err
					return
				}
				if c == 0 {
					b.cards = append(b.cards, card.ID)
				}
			}
			errs <- nil
		}()
	}
	for range seeded {
		if err := <-errs; err != nil {
			return nil, err
		}
	}
	return b, nil
}

// socket is one connection and what it received.
type socket struct {
	conn  *websocket.Conn
	room  *board
	got   int   // events received
	bytes int   // their bytes
	bad   int   // events out of order or repeated
	last  int64 // the last version received
	start int64 // the room's version when the socket opened
}

func run(base string, pid, n, nrooms, parallel, rate int, dur time.Duration, columns, cards int) error {
	var auth struct {
		AccessToken string `json:"access_token"`
	}
	email := fmt.Sprintf("sockets-%d@bench.test", time.Now().UnixNano())
	if err := call(base, "POST", "/api/auth/register", "", map[string]string{"email": email, "password": "bench-password-1"}, &auth); err != nil {
		return err
	}
	tok := auth.AccessToken
	boards := make([]*board, nrooms)
	for i := range boards {
		b, err := seedBoard(base, tok, i, columns, cards)
		if err != nil {
			return err
		}
		boards[i] = b
	}
	before := rssMiB(pid)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu     sync.Mutex
		delays []time.Duration
		wg     sync.WaitGroup
	)
	socks := make([]*socket, n)
	opened := time.Now()
	sem := make(chan struct{}, parallel)
	var dialErr error
	var dmu sync.Mutex
	for i := range socks {
		b := boards[i%nrooms]
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			u := strings.Replace(base, "http://", "ws://", 1) + "/api/rooms/" + b.id + "/ws"
			dctx, dcancel := context.WithTimeout(ctx, time.Minute)
			defer dcancel()
			conn, _, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + tok}}})
			if err != nil {
				dmu.Lock()
				dialErr = fmt.Errorf("open socket %d: %w", i+1, err)
				dmu.Unlock()
				return
			}
			// Contract v1's card events on a large board were bigger than
			// the library's 32 KiB default (a move between two 500-card
			// columns: 39 KiB), so a before-and-after needs more.
			conn.SetReadLimit(1 << 20)
			socks[i] = &socket{conn: conn, room: b, last: b.version, start: b.version}
		}()
	}
	wg.Wait()
	if dialErr != nil {
		return dialErr
	}
	openTime := time.Since(opened)
	time.Sleep(3 * time.Second) // let the server settle before reading its memory
	after := rssMiB(pid)
	for _, s := range socks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, b, err := s.conn.Read(ctx)
				if err != nil {
					return
				}
				got := time.Now()
				var e struct {
					Version int64     `json:"version"`
					At      time.Time `json:"at"`
				}
				if json.Unmarshal(b, &e) != nil || e.Version == 0 {
					continue // not an event (presence)
				}
				if e.Version != s.last+1 {
					s.bad++
				}
				s.last = e.Version
				s.got++
				s.bytes += len(b)
				mu.Lock()
				delays = append(delays, got.Sub(e.At))
				mu.Unlock()
			}
		}()
	}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	end := time.Now().Add(dur)
	moves := 0
	for time.Now().Before(end) {
		<-tick.C
		b := boards[moves%nrooms]
		col := []string{b.c1, b.c2}[(moves/nrooms)%2]
		if err := call(base, "POST", "/api/cards/"+b.cards[b.moves%len(b.cards)]+"/move", tok, map[string]any{"column_id": col, "position": 0}, nil); err != nil {
			return err
		}
		b.moves++
		moves++
	}
	time.Sleep(5 * time.Second) // the last events arrive
	peak := rssMiB(pid)
	cancel()
	for _, s := range socks {
		s.conn.CloseNow()
	}
	wg.Wait()
	expected, wrong, bytes := 0, 0, 0
	for _, s := range socks {
		expected += s.room.moves
		bytes += s.bytes
		if s.got != s.room.moves || s.bad > 0 {
			wrong++
		}
	}
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	pct := func(p float64) time.Duration {
		if len(delays) == 0 {
			return 0
		}
		return delays[min(len(delays)-1, int(float64(len(delays))*p))]
	}
	fmt.Printf("RESULT board=%dx%d bytes_per_event=%d ", columns, cards, bytes/max(len(delays), 1))
	fmt.Printf("sockets=%d rooms=%d open_s=%.1f moves=%d rate=%d/s deliveries=%d expected=%d sockets_not_exactly_once=%d commit_to_receipt_p50_ms=%.1f p99_ms=%.1f max_ms=%.1f rss_before_mib=%.1f rss_sockets_mib=%.1f rss_peak_mib=%.1f kib_per_socket=%.1f\n",
		n, nrooms, openTime.Seconds(), moves, rate, len(delays), expected, wrong, float64(pct(0.50).Microseconds())/1000, float64(pct(0.99).Microseconds())/1000,
		float64(pct(1).Microseconds())/1000, before, after, peak, (after-before)*1024/float64(n))
	if wrong > 0 {
		return fmt.Errorf("%d sockets did not get every event of their room exactly once, in order", wrong)
	}
	return nil
}
