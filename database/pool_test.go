package database_test

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/syncboard/syncboard/config"
	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/internal/testdb"
)

// TestPoolDoesNotChurnUnderLoad runs sustained, bursty load through a pool
// configured from the defaults and counts, in PostgreSQL's own statistics,
// the sessions it opened: about the pool size, however many queries ran.
// The control shows the count can fail: with fewer idle connections kept
// than opened, the same load opens new sessions all the time.
func TestPoolDoesNotChurnUnderLoad(t *testing.T) {
	t.Parallel()
	defaults, err := config.FromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if defaults.DBMaxIdleConns != defaults.DBMaxOpenConns {
		t.Fatalf("default pool keeps %d idle of %d open connections; want all of them", defaults.DBMaxIdleConns, defaults.DBMaxOpenConns)
	}
	opts := func(idle int) database.Options {
		return database.Options{MaxOpenConns: defaults.DBMaxOpenConns, MaxIdleConns: idle,
			ConnMaxLifetime: defaults.DBConnMaxLifetime, ConnMaxIdleTime: defaults.DBConnMaxIdleTime,
			Logger: slog.New(slog.DiscardHandler)}
	}
	t.Run("defaults", func(t *testing.T) {
		t.Parallel()
		opened, queries := sessionsUnderLoad(t, opts(defaults.DBMaxIdleConns))
		t.Logf("%d queries opened %d sessions (pool of %d)", queries, opened, defaults.DBMaxOpenConns)
		if opened > int64(defaults.DBMaxOpenConns)+2 {
			t.Errorf("%d queries opened %d PostgreSQL sessions; want at most the pool size %d (+2)", queries, opened, defaults.DBMaxOpenConns)
		}
	})
	t.Run("control: idle below open churns", func(t *testing.T) {
		t.Parallel()
		opened, queries := sessionsUnderLoad(t, opts(2))
		t.Logf("%d queries opened %d sessions (pool of %d, 2 idle)", queries, opened, defaults.DBMaxOpenConns)
		if opened <= int64(2*defaults.DBMaxOpenConns) {
			t.Errorf("with 2 idle connections, %d queries opened only %d sessions; the load no longer shows churn, so the test above proves nothing", queries, opened)
		}
	})
}

// sessionsUnderLoad opens a pool with opts on a fresh database, runs 3 s of
// load from as many clients as the pool has connections, each pausing
// between queries the way a handler encodes its response, closes the pool
// and returns how many sessions PostgreSQL counted for it.
func sessionsUnderLoad(t *testing.T, opts database.Options) (opened int64, queries int64) {
	ctx := context.Background()
	url := testdb.New(t)
	observer, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer observer.Close(ctx)
	sessions := func() int64 {
		var n int64
		if err := observer.QueryRow(ctx, "SELECT sessions FROM pg_stat_database WHERE datname = current_database()").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := sessions()

	db, err := database.Open(ctx, url, opts)
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		until = time.Now().Add(3 * time.Second)
	)
	for range opts.MaxOpenConns {
		wg.Go(func() {
			var n int64
			for time.Now().Before(until) {
				var one int
				if err := db.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error; err != nil {
					t.Error(err)
					return
				}
				n++
				time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
			}
			mu.Lock()
			queries += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if err := database.Close(db); err != nil {
		t.Fatal(err)
	}
	// A session's count reaches the statistics by the time it has ended;
	// wait until the closed pool's sessions have all ended.
	var prev int64 = -1
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var alive int
		if err := observer.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").Scan(&alive); err != nil {
			t.Fatal(err)
		}
		if n := sessions(); alive == 0 && n == prev {
			break
		} else {
			prev = n
		}
	}
	return prev - before, queries
}
