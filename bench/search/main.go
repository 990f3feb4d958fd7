// Command search measures GET /api/search on a running SyncBoard (see
// bench/search.sh): it registers the searching users through the API,
// bulk-loads 1,000 boards of 100 cards each (100,000 cards, with comments)
// straight into the server's database with SQL, then sends searches from
// 32 connections for a user who is a member of 10 boards and for one who is
// a member of all 1,000, and prints p50 and p99 of each, and the plan of
// the statement the Store runs, with EXPLAIN (ANALYZE, BUFFERS).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/models"
)

// words are the cards' common vocabulary. Each word of a card is one of
// them with probability 0.3, else one of 20,000 rare made-up words
// (zq0 ... zq19999): a common word is then in about 3% of the cards, a
// rare one in about 50, as in real boards.
var words = strings.Fields(`release bug login page deploy server database migration test review
design api mobile client payment invoice report customer email search cache memory timeout
latency index query backup restore monitor alert dashboard metric budget roadmap sprint
retro onboarding docs tutorial video upload download export import permission role audit
security password token session cookie browser layout color font icon button dialog form
validation error crash freeze slow fast refactor cleanup upgrade dependency library framework
build pipeline docker kubernetes cluster node network firewall proxy certificate domain
analytics tracking campaign newsletter launch partner contract legal privacy policy
shipping warehouse inventory supplier order refund discount coupon checkout cart wishlist
translation locale timezone calendar reminder notification webhook integration slack`)

// queries are what the load sends, round robin: common and rare words,
// two words, a phrase, an exclusion, a stem.
var queries = []string{"release", "login page", "deploy", `"payment invoice"`, "database -migration",
	"checkout", "zq1234", "timeout", "zq777 release", "security audit", "customers", "zq4242"}

type client struct {
	base string
	hc   *http.Client
}

func (c client) call(method, path, token string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s = %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(data, out)
	}
	return resp.StatusCode, nil
}

type account struct {
	ID    uuid.UUID
	Token string
}

func (c client) register(email string) (account, error) {
	var out struct {
		AccessToken string `json:"access_token"`
		User        struct {
			ID uuid.UUID `json:"id"`
		} `json:"user"`
	}
	_, err := c.call("POST", "/api/auth/register", "",
		map[string]string{"email": email, "password": "bench password 123", "display_name": email}, &out)
	return account{ID: out.User.ID, Token: out.AccessToken}, err
}

func main() {
	base := flag.String("url", "http://127.0.0.1:18090", "the server")
	dbURL := flag.String("db", "", "the server's database (bulk load, EXPLAIN)")
	conns := flag.Int("c", 32, "concurrent connections")
	dur := flag.Duration("d", 20*time.Second, "how long each scenario runs")
	rooms := flag.Int("rooms", 1000, "boards")
	perRoom := flag.Int("cards", 100, "cards per board")
	flag.Parse()
	if err := run(*base, *dbURL, *conns, *dur, *rooms, *perRoom); err != nil {
		fmt.Fprintln(os.Stderr, "bench/search:", err)
		os.Exit(1)
	}
}

func run(base, dbURL string, conns int, dur time.Duration, rooms, perRoom int) error {
	ctx := context.Background()
	c := client{base: base, hc: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: conns}}}
	tag := time.Now().Format("150405")
	owner, err := c.register("owner-" + tag + "@bench.test")
	if err != nil {
		return err
	}
	typical, err := c.register("typical-" + tag + "@bench.test")
	if err != nil {
		return err
	}
	everywhere, err := c.register("everywhere-" + tag + "@bench.test")
	if err != nil {
		return err
	}
	db, err := database.Open(ctx, dbURL, database.Options{MaxOpenConns: 2, MaxIdleConns: 2})
	if err != nil {
		return err
	}
	start := time.Now()
	// Rooms of the owner, 4 columns each, perRoom cards spread over them,
	// a comment on every fifth card; memberships: the owner and the
	// everywhere user in every room, the typical user in 10.
	steps := []string{
		`CREATE FUNCTION pg_temp.bench_text(n int, ws text[]) RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT string_agg(CASE WHEN random() < 0.3 THEN ws[1 + floor(array_length(ws, 1) * random())::int]
    ELSE 'zq' || floor(20000 * random())::int END, ' ') FROM generate_series(1, n) $$`,
		`INSERT INTO rooms (id, name, created_by, version, created_at, updated_at)
  SELECT gen_random_uuid(), 'board ' || r, @owner, 1, now(), now() FROM generate_series(1, @rooms) AS r`,
		`INSERT INTO room_members (id, room_id, user_id, role, joined_at)
  SELECT gen_random_uuid(), id, CAST(@owner AS uuid), 'owner', now() FROM rooms WHERE created_by = @owner
  UNION ALL SELECT gen_random_uuid(), id, CAST(@everywhere AS uuid), 'member', now() FROM rooms WHERE created_by = @owner`,
		`INSERT INTO room_members (id, room_id, user_id, role, joined_at)
  SELECT gen_random_uuid(), id, @typical, 'member', now() FROM rooms WHERE created_by = @owner ORDER BY id LIMIT 10`,
		`INSERT INTO columns (id, room_id, name, position, created_at, updated_at)
  SELECT gen_random_uuid(), r.id, (ARRAY['To do','Doing','Review','Done'])[p + 1], p, now(), now()
  FROM rooms r CROSS JOIN generate_series(0, 3) AS p WHERE r.created_by = @owner`,
		`INSERT INTO cards (id, column_id, title, description, position, created_by, created_at, updated_at)
  SELECT gen_random_uuid(), k.id, initcap(pg_temp.bench_text(5, string_to_array(@words, ' '))),
    pg_temp.bench_text(12, string_to_array(@words, ' ')), n, @owner, now(), now()
  FROM columns k JOIN rooms r ON r.id = k.room_id CROSS JOIN generate_series(0, @per_column - 1) AS n
  WHERE r.created_by = @owner`,
		`INSERT INTO comments (id, card_id, author_id, body, created_at, updated_at)
  SELECT gen_random_uuid(), c.id, @owner, pg_temp.bench_text(10, string_to_array(@words, ' ')), now(), now()
  FROM cards c WHERE c.created_by = @owner AND random() < 0.2`,
		// What the comment writes keep (models.commentWritten).
		`UPDATE cards SET comment_count = c.n, comments_text = c.body FROM (SELECT card_id, count(*) AS n,
  string_agg(body, E'\n' ORDER BY created_at, id) AS body FROM comments GROUP BY card_id) AS c WHERE c.card_id = cards.id`,
	}
	args := map[string]any{"words": strings.Join(words, " "), "owner": owner.ID, "everywhere": everywhere.ID, "typical": typical.ID,
		"rooms": rooms, "per_column": perRoom / 4}
	// One transaction: one connection, which the temporary function needs.
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, s := range steps {
			var vars []any
			if strings.Contains(s, "@") {
				vars = append(vars, args)
			}
			if err := tx.Exec(s, vars...).Error; err != nil {
				return fmt.Errorf("seed: %s: %w", strings.SplitN(s, "\n", 2)[0], err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	conn := db.WithContext(ctx)
	// What autovacuum would do next: statistics, the GIN pending list merged.
	if err := conn.Exec("VACUUM ANALYZE cards, columns, rooms, room_members, comments").Error; err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	var nCards, nRooms int64
	conn.Raw("SELECT count(*) FROM cards").Scan(&nCards)
	conn.Raw("SELECT count(*) FROM rooms").Scan(&nRooms)
	fmt.Printf("seeded %d cards in %d boards in %s\n", nCards, nRooms, time.Since(start).Round(time.Millisecond))

	store := models.NewStore(db)
	for _, sc := range []struct {
		name string
		who  account
	}{{"member of 10 boards", typical}, {"member of all 1,000 boards", everywhere}} {
		var hits struct {
			Items []json.RawMessage `json:"items"`
		}
		counts := []string{}
		for _, q := range queries {
			if _, err := c.call("GET", "/api/search?limit=100&q="+url.QueryEscape(q), sc.who.Token, nil, &hits); err != nil {
				return err
			}
			counts = append(counts, fmt.Sprintf("%s:%d", q, len(hits.Items)))
		}
		fmt.Printf("\n== %s: first-page hits per query (limit 100): %s\n", sc.name, strings.Join(counts, " "))
		lat, errs := load(c, sc.who.Token, conns, dur)
		slices.Sort(lat)
		fmt.Printf("RESULT search %-28s requests=%d errors=%d req/s=%.0f p50=%s p99=%s max=%s\n", sc.name, len(lat), errs,
			float64(len(lat))/dur.Seconds(), pct(lat, 50), pct(lat, 99), lat[len(lat)-1].Round(time.Microsecond))
		for _, q := range []string{"deploy", "zq1234"} {
			plan, err := store.ExplainSearch(ctx, sc.who.ID, q, 50, nil, true)
			if err != nil {
				return err
			}
			fmt.Printf("\n-- EXPLAIN (ANALYZE, BUFFERS) of Store.Search for %s, q=%q, limit 50:\n%s\n", sc.name, q, plan)
		}
	}
	return nil
}

// load sends searches from conns connections for dur, the queries round
// robin from a random start each, and returns every latency.
func load(c client, token string, conns int, dur time.Duration) ([]time.Duration, int) {
	var (
		mu   sync.Mutex
		all  []time.Duration
		errs int
		wg   sync.WaitGroup
	)
	deadline := time.Now().Add(dur)
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for i := rand.IntN(len(queries)) + w; time.Now().Before(deadline); i++ {
				q := queries[i%len(queries)]
				t0 := time.Now()
				if _, err := c.call("GET", "/api/search?q="+url.QueryEscape(q), token, nil, nil); err != nil {
					bad++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all, errs = append(all, mine...), errs+bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, errs
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[(len(sorted)-1)*p/100].Round(time.Microsecond)
}
