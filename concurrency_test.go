package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/syncboard/syncboard/internal/apitest"
	"github.com/syncboard/syncboard/internal/testdb"
)

// client is one signed-in user talking HTTP to a running server. Any 5xx
// answer fails the test, but 503 when busyOK is set (a test that loads the
// server past its pool on purpose).
type client struct {
	t      *testing.T
	base   string
	token  string
	http   *http.Client
	busyOK bool
}

func (c *client) do(method, path string, body any, out any) int {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Errorf("%s %s: %v", method, path, err)
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Errorf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	if resp.StatusCode >= 500 && !(c.busyOK && resp.StatusCode == http.StatusServiceUnavailable) {
		c.t.Errorf("%s %s = %d %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode
}

type idBody struct {
	ID string `json:"id"`
}

type boardBody struct {
	Version int64 `json:"version"`
	Columns []struct {
		ID       string `json:"id"`
		Position int    `json:"position"`
		Cards    []struct {
			ID       string `json:"id"`
			Position int    `json:"position"`
		} `json:"cards"`
	} `json:"columns"`
}

func register(t *testing.T, base string, hc *http.Client, email string) (*client, string) {
	t.Helper()
	c := &client{t: t, base: base, http: hc}
	var out struct {
		AccessToken string `json:"access_token"`
		User        struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if code := c.do("POST", "/api/auth/register", map[string]string{"email": email, "password": "password123"}, &out); code != 201 {
		t.Fatalf("register %s = %d", email, code)
	}
	c.token = out.AccessToken
	return c, out.User.ID
}

// TestConcurrentBoardEditing: 16 members each make 60 random moves,
// reorders, creates, deletes, archives and restores (of cards and columns)
// on one board of 3 columns, while two more clients move cards in opposite
// directions between the same two columns. Afterwards no response was 5xx,
// positions are exactly 0..n-1 among the unarchived columns and cards;
// once everything archived is restored they still are, every card exists
// exactly once and the count is creates minus deletes; and the version went
// up by exactly the number of successful changes.
func TestConcurrentBoardEditing(t *testing.T) {
	env := baseEnv(testdb.New(t))
	env["BCRYPT_COST"] = "4"
	env["AUTH_RATE_LIMIT"] = "1000"
	// Every change here queues on the one room's lock, 18 clients deep. The
	// 3 s lock timeout (503 once run out) is for production's short
	// transactions; under the race detector on a loaded machine that queue
	// once took longer, and this test is about positions, not timeouts.
	env["DB_LOCK_TIMEOUT"] = "60s"
	env["DB_STATEMENT_TIMEOUT"] = "60s"
	s := start(t, env)
	// Every exchange is checked against the OpenAPI document.
	hc := &http.Client{Timeout: 30 * time.Second, Transport: apitest.Transport(t, &http.Transport{MaxIdleConnsPerHost: 64})}
	suffix := time.Now().UnixNano()

	owner, _ := register(t, s.url, hc, fmt.Sprintf("owner-%d@example.com", suffix))
	var room idBody
	if code := owner.do("POST", "/api/rooms", map[string]string{"name": "stress"}, &room); code != 201 {
		t.Fatalf("create room = %d", code)
	}
	const workers, opsEach, seedCards = 16, 60, 12
	clients := []*client{owner}
	for i := 1; i < workers+2; i++ {
		c, _ := register(t, s.url, hc, fmt.Sprintf("member-%d-%d@example.com", i, suffix))
		if code := owner.do("POST", "/api/rooms/"+room.ID+"/members", map[string]string{"email": fmt.Sprintf("member-%d-%d@example.com", i, suffix)}, nil); code != 201 {
			t.Fatalf("add member %d = %d", i, code)
		}
		clients = append(clients, c)
	}
	cols := make([]string, 3)
	for i := range cols {
		var col idBody
		if code := owner.do("POST", "/api/rooms/"+room.ID+"/columns", map[string]string{"name": fmt.Sprint("col ", i)}, &col); code != 201 {
			t.Fatalf("create column = %d", code)
		}
		cols[i] = col.ID
	}
	var cards sync.Map // card ID -> true while believed alive
	for i := range seedCards {
		var card idBody
		if code := owner.do("POST", "/api/columns/"+cols[i%3]+"/cards", map[string]string{"title": fmt.Sprint("seed ", i)}, &card); code != 201 {
			t.Fatalf("create card = %d", code)
		}
		cards.Store(card.ID, true)
	}
	var before boardBody
	owner.do("GET", "/api/rooms/"+room.ID, nil, &before)

	var creates, deletes, changes atomic.Int64
	randomCard := func(r *rand.Rand) string {
		var ids []string
		cards.Range(func(k, _ any) bool { ids = append(ids, k.(string)); return true })
		if len(ids) == 0 {
			return "00000000-0000-0000-0000-000000000000"
		}
		return ids[r.IntN(len(ids))]
	}
	ok := func(code int) bool { return code >= 200 && code < 300 }
	var wg sync.WaitGroup
	seed := time.Now().UnixNano()
	t.Logf("random seed %d", seed)
	for w := range workers {
		wg.Add(1)
		go func(c *client, r *rand.Rand) {
			defer wg.Done()
			for range opsEach {
				switch op := r.IntN(14); {
				case op < 5: // move a card
					code := c.do("POST", "/api/cards/"+randomCard(r)+"/move",
						map[string]any{"column_id": cols[r.IntN(3)], "position": r.IntN(8)}, nil)
					if ok(code) {
						changes.Add(1)
					}
				case op < 6: // reorder a column
					if ok(c.do("PATCH", "/api/columns/"+cols[r.IntN(3)], map[string]any{"position": r.IntN(4)}, nil)) {
						changes.Add(1)
					}
				case op < 8: // create a card
					var card idBody
					code := c.do("POST", "/api/columns/"+cols[r.IntN(3)]+"/cards",
						map[string]any{"title": "new", "position": r.IntN(10)}, &card)
					if ok(code) {
						cards.Store(card.ID, true)
						creates.Add(1)
						changes.Add(1)
					}
				case op < 10: // delete a card
					id := randomCard(r)
					if ok(c.do("DELETE", "/api/cards/"+id, nil, nil)) {
						cards.Delete(id)
						deletes.Add(1)
						changes.Add(1)
					}
				default: // archive or restore a card or a column
					what := []string{"/api/cards/" + randomCard(r), "/api/columns/" + cols[r.IntN(3)]}[r.IntN(2)]
					action := []string{"/archive", "/restore"}[r.IntN(2)]
					if ok(c.do("POST", what+action, nil, nil)) {
						changes.Add(1)
					}
				}
			}
		}(clients[w], rand.New(rand.NewPCG(uint64(seed), uint64(w))))
	}
	// Opposite moves between columns 0 and 1, at the same time: with a
	// careless lock order these deadlock.
	for dir := range 2 {
		wg.Add(1)
		go func(c *client, from, to string, r *rand.Rand) {
			defer wg.Done()
			for range opsEach {
				var b boardBody
				if c.do("GET", "/api/rooms/"+room.ID, nil, &b) != 200 {
					continue
				}
				for _, col := range b.Columns {
					if col.ID == from && len(col.Cards) > 0 {
						if ok(c.do("POST", "/api/cards/"+col.Cards[r.IntN(len(col.Cards))].ID+"/move",
							map[string]any{"column_id": to, "position": 0}, nil)) {
							changes.Add(1)
						}
					}
				}
			}
		}(clients[workers+dir], cols[dir], cols[1-dir], rand.New(rand.NewPCG(uint64(seed), uint64(100+dir))))
	}
	wg.Wait()

	// checkBoard reads the board and checks 0..n-1 among what it shows
	// (the unarchived columns and cards); it returns the board and how
	// many times each card is on it.
	checkBoard := func(when string) (boardBody, map[string]int) {
		var b boardBody
		if code := owner.do("GET", "/api/rooms/"+room.ID, nil, &b); code != 200 {
			t.Fatalf("board %s = %d", when, code)
		}
		seen := map[string]int{}
		for i, col := range b.Columns {
			if col.Position != i {
				t.Errorf("%s: column %d has position %d: want 0..n-1", when, i, col.Position)
			}
			for j, card := range col.Cards {
				if card.Position != j {
					t.Errorf("%s: column %d card %d has position %d: want 0..n-1", when, i, j, card.Position)
				}
				seen[card.ID]++
			}
		}
		return b, seen
	}
	checkBoard("after the race")

	// Restore everything archived: columns first, so that every card has
	// its own column to return to.
	var archived struct {
		Columns []idBody `json:"columns"`
		Cards   []idBody `json:"cards"`
	}
	if code := owner.do("GET", "/api/rooms/"+room.ID+"/archive", nil, &archived); code != 200 {
		t.Fatalf("archive = %d", code)
	}
	for _, col := range archived.Columns {
		if code := owner.do("POST", "/api/columns/"+col.ID+"/restore", nil, nil); code != 200 {
			t.Fatalf("restore column %s = %d", col.ID, code)
		}
		changes.Add(1)
	}
	for _, card := range archived.Cards {
		if code := owner.do("POST", "/api/cards/"+card.ID+"/restore", nil, nil); code != 200 {
			t.Fatalf("restore card %s = %d", card.ID, code)
		}
		changes.Add(1)
	}
	after, seen := checkBoard("after restoring everything")
	if len(after.Columns) != len(cols) {
		t.Errorf("columns after restoring everything = %d, want %d", len(after.Columns), len(cols))
	}
	total := 0
	for _, n := range seen {
		total += n
	}
	cards.Range(func(k, _ any) bool {
		if n := seen[k.(string)]; n != 1 {
			t.Errorf("card %s is on the board %d times, want once", k, n)
		}
		return true
	})
	if want := seedCards + int(creates.Load()) - int(deletes.Load()); total != want || len(seen) != want {
		t.Errorf("cards = %d (%d distinct), want %d seeded + %d created - %d deleted = %d", total, len(seen), seedCards, creates.Load(), deletes.Load(), want)
	}
	if want := before.Version + changes.Load(); after.Version != want {
		t.Errorf("version = %d, want %d before + %d successful changes = %d", after.Version, before.Version, changes.Load(), want)
	}
	// Every successful change recorded exactly one event, with consecutive
	// versions.
	next := before.Version
	for next < after.Version {
		var page struct {
			Events []struct {
				Version int64 `json:"version"`
			} `json:"events"`
		}
		if code := owner.do("GET", fmt.Sprintf("/api/rooms/%s/events?since=%d&limit=1000", room.ID, next), nil, &page); code != 200 || len(page.Events) == 0 {
			t.Fatalf("events since %d = %d with %d events", next, code, len(page.Events))
		}
		for _, ev := range page.Events {
			if ev.Version != next+1 {
				t.Fatalf("event after version %d has version %d: not consecutive", next, ev.Version)
			}
			next = ev.Version
		}
	}
	t.Logf("%d successful changes (%d creates, %d deletes; %d columns and %d cards restored at the end); %d cards; version %d",
		changes.Load(), creates.Load(), deletes.Load(), len(archived.Columns), len(archived.Cards), total, after.Version)
}
