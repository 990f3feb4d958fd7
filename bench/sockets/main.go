// Command sockets measures SyncBoard's real-time fan-out against a running
// server: it opens many WebSockets on one room, moves cards at a steady
// rate, and reports the server's memory per connection and the delay from
// an event's commit to its receipt on every socket (p50, p99).
//
//	go run ./bench/sockets -url http://127.0.0.1:18090 -pid <server pid>
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
	n := flag.Int("sockets", 1000, "sockets on the room")
	rate := flag.Int("rate", 20, "card moves per second")
	dur := flag.Duration("duration", 10*time.Second, "how long to move cards")
	flag.Parse()
	if err := run(*base, *pid, *n, *rate, *dur); err != nil {
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

func run(base string, pid, n, rate int, dur time.Duration) error {
	var auth struct {
		AccessToken string `json:"access_token"`
	}
	email := fmt.Sprintf("sockets-%d@bench.test", time.Now().UnixNano())
	if err := call(base, "POST", "/api/auth/register", "", map[string]string{"email": email, "password": "bench-password-1"}, &auth); err != nil {
		return err
	}
	tok := auth.AccessToken
	var room, c1, c2 struct {
		ID string `json:"id"`
	}
	if err := call(base, "POST", "/api/rooms", tok, map[string]string{"name": "sockets"}, &room); err != nil {
		return err
	}
	call(base, "POST", "/api/rooms/"+room.ID+"/columns", tok, map[string]string{"name": "a"}, &c1)
	call(base, "POST", "/api/rooms/"+room.ID+"/columns", tok, map[string]string{"name": "b"}, &c2)
	var cards []string
	for i := range 20 {
		var card struct {
			ID string `json:"id"`
		}
		if err := call(base, "POST", "/api/columns/"+c1.ID+"/cards", tok, map[string]string{"title": fmt.Sprint("card ", i)}, &card); err != nil {
			return err
		}
		cards = append(cards, card.ID)
	}

	before := rssMiB(pid)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wsURL := strings.Replace(base, "http://", "ws://", 1) + "/api/rooms/" + room.ID + "/ws"
	var (
		mu     sync.Mutex
		delays []time.Duration
		wg     sync.WaitGroup
	)
	conns := make([]*websocket.Conn, 0, n)
	for range n {
		conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + tok}}})
		if err != nil {
			return fmt.Errorf("open socket %d: %w", len(conns)+1, err)
		}
		conns = append(conns, conn)
	}
	time.Sleep(2 * time.Second) // let the server settle before reading its memory
	after := rssMiB(pid)
	for _, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, b, err := conn.Read(ctx)
				if err != nil {
					return
				}
				got := time.Now()
				var e struct {
					Type string    `json:"type"`
					At   time.Time `json:"at"`
				}
				if json.Unmarshal(b, &e) == nil && e.Type != "presence" { // presence is no event: no at

					mu.Lock()
					delays = append(delays, got.Sub(e.At))
					mu.Unlock()
				}
			}
		}()
	}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	end := time.Now().Add(dur)
	moves := 0
	for time.Now().Before(end) {
		<-tick.C
		col := []string{c1.ID, c2.ID}[moves%2]
		if err := call(base, "POST", "/api/cards/"+cards[moves%len(cards)]+"/move", tok, map[string]any{"column_id": col, "position": 0}, nil); err != nil {
			return err
		}
		moves++
	}
	time.Sleep(2 * time.Second) // the last events arrive
	peak := rssMiB(pid)
	cancel()
	for _, c := range conns {
		c.CloseNow()
	}
	wg.Wait()
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	pct := func(p float64) time.Duration {
		if len(delays) == 0 {
			return 0
		}
		return delays[min(len(delays)-1, int(float64(len(delays))*p))]
	}
	fmt.Printf("RESULT sockets=%d moves=%d rate=%d/s deliveries=%d expected=%d commit_to_receipt_p50_ms=%.1f p99_ms=%.1f max_ms=%.1f rss_before_mib=%.1f rss_sockets_mib=%.1f rss_peak_mib=%.1f kib_per_socket=%.1f\n",
		n, moves, rate, len(delays), n*moves, float64(pct(0.50).Microseconds())/1000, float64(pct(0.99).Microseconds())/1000,
		float64(pct(1).Microseconds())/1000, before, after, peak, (after-before)*1024/float64(n))
	return nil
}
