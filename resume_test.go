package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/syncboard/syncboard/internal/apitest"
	"github.com/syncboard/syncboard/internal/testdb"
)

// TestSocketLongResume: sockets that resume 5,000 events behind get every
// one, in order, over real sockets on one instance while the changes come
// through another, and live delivery in another room stays in its normal
// range meanwhile. A socket that stops reading is closed (4008) instead
// of queueing events for it.
func TestSocketLongResume(t *testing.T) {
	dbURL := testdb.New(t)
	env := baseEnv(dbURL)
	env["BCRYPT_COST"] = "4"
	a, b := start(t, env), start(t, env)
	hc := &http.Client{Timeout: 20 * time.Second, Transport: apitest.Transport(t, nil)}
	owner, _ := register(t, b.url, hc, fmt.Sprintf("resume-%d@example.com", time.Now().UnixNano()))
	var busy, huge, live, col, card idBody
	owner.do("POST", "/api/rooms", map[string]string{"name": "busy afternoon"}, &busy)
	owner.do("POST", "/api/rooms", map[string]string{"name": "huge cards"}, &huge)
	owner.do("POST", "/api/rooms", map[string]string{"name": "live"}, &live)
	owner.do("POST", "/api/rooms/"+live.ID+"/columns", map[string]string{"name": "one"}, &col)
	owner.do("POST", "/api/columns/"+col.ID+"/cards", map[string]string{"title": "moving"}, &card)

	// The busy room's afternoon: 5,000 events; the huge room's, 5,000 of
	// 4 KB each (20 MB, more than a socket's buffers hold). Written
	// straight into the table.
	const missed = 5000
	db, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	for room, pad := range map[string]int{busy.ID: 0, huge.ID: 4000} {
		if _, err := db.Exec(context.Background(), `INSERT INTO room_events (id, room_id, version, type, at, data)
SELECT gen_random_uuid(), $1, v, 'room.updated', now(), jsonb_build_object('name', repeat('x', $3) || v)
FROM generate_series(2, $2::int + 1) AS v`, room, missed, pad); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(context.Background(), "UPDATE rooms SET version = $2 WHERE id = $1", room, missed+1); err != nil {
			t.Fatal(err)
		}
	}

	watch, code := dial(t, a.url, live.ID, "", owner.token)
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("open the live socket: %d", code)
	}
	defer watch.CloseNow()
	version := int64(3)
	// latencies moves the live room's card n times through B and times
	// each from the request to the event on A's socket.
	latencies := func(n int) []time.Duration {
		out := make([]time.Duration, 0, n)
		for i := range n {
			began := time.Now()
			owner.do("POST", "/api/cards/"+card.ID+"/move", map[string]any{"column_id": col.ID, "position": i % 2}, nil)
			readEvents(t, watch, version, 1)
			version++
			out = append(out, time.Since(began))
		}
		slices.Sort(out)
		return out
	}
	quiet := latencies(20)

	// Three laptops that slept through it, reading as fast as they can.
	var wg sync.WaitGroup
	counts := make([]int, 3)
	resumed := time.Now()
	for i := range counts {
		conn, code := dial(t, a.url, busy.ID, "?since=1", owner.token)
		if code != http.StatusSwitchingProtocols {
			t.Fatalf("open resume socket %d: %d", i, code)
		}
		defer conn.CloseNow()
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			for want := int64(2); want <= missed+1; want++ {
				_, msg, err := conn.Read(ctx)
				if err != nil {
					t.Errorf("resume socket %d: read version %d: %v", i, want, err)
					return
				}
				var e wsEvent
				if err := json.Unmarshal(msg, &e); err == nil && e.Type == "presence" {
					want-- // not an event: no version
					continue
				}
				if err := json.Unmarshal(msg, &e); err != nil || e.Version != want {
					t.Errorf("resume socket %d: got version %d (%v), want %d: every event, in order", i, e.Version, err, want)
					return
				}
				counts[i]++
			}
		})
	}
	during := latencies(20)
	wg.Wait()
	t.Logf("3 sockets resumed %d events behind in %s; live latency in another room p50/max: quiet %s/%s, during the resumes %s/%s",
		missed, time.Since(resumed).Round(time.Millisecond), quiet[len(quiet)/2], quiet[len(quiet)-1], during[len(during)/2], during[len(during)-1])
	for i, n := range counts {
		if n != missed {
			t.Errorf("resume socket %d got %d of %d events", i, n, missed)
		}
	}
	// Loosely: the resumes share two cores with everything else, but must
	// not stall live delivery the way a hub-held replay would.
	if p50 := during[len(during)/2]; p50 > 10*quiet[len(quiet)/2]+200*time.Millisecond {
		t.Errorf("live p50 during the resumes %s, against %s when quiet", p50, quiet[len(quiet)/2])
	}

	// A socket that stops reading: the huge room's events fill its
	// buffers, and after the write timeout the server lets it go. Wait
	// that out, then read what the buffers held: it ends before the last
	// event, because the server closed it.
	stalled, code := dial(t, a.url, huge.ID, "?since=1", owner.token)
	if code != http.StatusSwitchingProtocols {
		t.Fatalf("open the stalled socket: %d", code)
	}
	defer stalled.CloseNow()
	time.Sleep(13 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := 0
	var end error
	for {
		if _, _, err := stalled.Read(ctx); err != nil {
			end = err
			break
		}
		got++
	}
	if got >= missed || ctx.Err() != nil {
		t.Errorf("the stalled socket read %d of %d events and ended with %v; want it closed by the server before the end", got, missed, end)
	}
	t.Logf("the stalled socket held %d events when the server let it go (%v)", got, end)
	if code := websocket.CloseStatus(end); code != -1 && code != 4008 {
		t.Errorf("the stalled socket closed with %d, want 4008 or a cut connection", code)
	}
	// The instance counts it (README, Metrics).
	awaitSample(t, a.url+"/metrics", `syncboard_hub_slow_closes_total{stream="room"}`, 1)
}
