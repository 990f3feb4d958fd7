package dbmigrate_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/syncboard/syncboard/dbmigrate"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/migrations"
)

// firstFiles returns the real migration directory cut after its first n
// files, with its own atlas.sum: the directory as it was at that version.
func firstFiles(t *testing.T, n int) dbmigrate.FSDir {
	t.Helper()
	names, err := fs.Glob(migrations.Dir().FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	m := fstest.MapFS{}
	for _, name := range names[:n] {
		b, err := fs.ReadFile(migrations.Dir().FS, name)
		if err != nil {
			t.Fatal(err)
		}
		m[name] = &fstest.MapFile{Data: b}
	}
	dir := dbmigrate.FSDir{FS: m}
	sum, err := dir.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	b, err := sum.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	m[migrate.HashFileName] = &fstest.MapFile{Data: b}
	return dir
}

// applied returns a new database with the first n migration files applied.
func applied(t *testing.T, n int) string {
	t.Helper()
	dbURL := testdb.Empty(t)
	if n > 0 {
		if _, err := dbmigrate.Apply(context.Background(), dbURL, firstFiles(t, n), quiet); err != nil {
			t.Fatalf("apply %d files: %v", n, err)
		}
	}
	return dbURL
}

// inspect returns the schema of dbURL as Atlas sees it, without the
// revision table.
func inspect(t *testing.T, dbURL string) (*schema.Schema, migrate.Driver) {
	t.Helper()
	c, err := dbmigrate.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := c.InspectSchema(context.Background(), "", &schema.InspectOptions{Exclude: []string{dbmigrate.RevisionTable}})
	if err != nil {
		t.Fatal(err)
	}
	return s, c.Driver
}

// sameSchema fails the test unless Atlas's diff between the two databases
// is empty.
func sameSchema(t *testing.T, what, gotURL, wantURL string) {
	t.Helper()
	got, drv := inspect(t, gotURL)
	want, _ := inspect(t, wantURL)
	changes, err := drv.SchemaDiff(got, want, schema.DiffNormalized())
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) > 0 {
		plan, _ := drv.PlanChanges(context.Background(), "diff", changes)
		var stmts []string
		if plan != nil {
			for _, c := range plan.Changes {
				stmts = append(stmts, c.Cmd)
			}
		}
		t.Errorf("%s: schema differs from a fresh apply; to make them equal:\n%s", what, strings.Join(stmts, "\n"))
	}
}

func exec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func hasTable(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var ok bool
	if err := db.QueryRow(`SELECT to_regclass($1) IS NOT NULL`, "public."+name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

func hasColumn(t *testing.T, db *sql.DB, table, column string) bool {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2`,
		table, column).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// seed fills whichever application tables exist: two users, a room with
// a column and two cards, an event, sessions with a spent refresh token,
// and a socket ticket.
func seed(t *testing.T, db *sql.DB) {
	t.Helper()
	exec(t, db,
		`INSERT INTO users (id, email, password_hash, display_name, created_at, updated_at) VALUES
 ('00000000-0000-4000-8000-000000000001', 'ann@example.com', 'h1', 'Ann', now(), now()),
 ('00000000-0000-4000-8000-000000000002', 'bob@example.com', 'h2', 'Bob', now(), now())`,
		`INSERT INTO rooms (id, name, created_by, version, created_at, updated_at) VALUES
 ('00000000-0000-4000-8000-000000000010', 'Launch', '00000000-0000-4000-8000-000000000001', 3, now(), now())`,
		`INSERT INTO room_members (id, room_id, user_id, role) VALUES
 ('00000000-0000-4000-8000-000000000011', '00000000-0000-4000-8000-000000000010', '00000000-0000-4000-8000-000000000001', 'owner'),
 ('00000000-0000-4000-8000-000000000012', '00000000-0000-4000-8000-000000000010', '00000000-0000-4000-8000-000000000002', 'member')`,
		`INSERT INTO columns (id, room_id, name, position, created_at, updated_at) VALUES
 ('00000000-0000-4000-8000-000000000020', '00000000-0000-4000-8000-000000000010', 'To do', 0, now(), now())`,
		`INSERT INTO cards (id, column_id, title, description, position, created_by, created_at, updated_at) VALUES
 ('00000000-0000-4000-8000-000000000030', '00000000-0000-4000-8000-000000000020', 'Ship it', 'soon', 0, '00000000-0000-4000-8000-000000000001', now(), now()),
 ('00000000-0000-4000-8000-000000000031', '00000000-0000-4000-8000-000000000020', 'Test it', '', 1, NULL, now(), now())`,
	)
	if hasTable(t, db, "room_events") {
		exec(t, db, `INSERT INTO room_events (id, room_id, version, type, actor_id, at, data) VALUES
 ('00000000-0000-4000-8000-000000000040', '00000000-0000-4000-8000-000000000010', 3, 'card.created', '00000000-0000-4000-8000-000000000001', now(), '{"id":"x"}')`)
	}
	if hasTable(t, db, "sessions") {
		exec(t, db,
			`INSERT INTO sessions (id, user_id, refresh_hash, created_at, last_used_at, expires_at) VALUES
 ('00000000-0000-4000-8000-000000000050', '00000000-0000-4000-8000-000000000001', '\x01', now(), now(), now() + interval '30 days'),
 ('00000000-0000-4000-8000-000000000051', '00000000-0000-4000-8000-000000000002', '\x02', now(), now(), now() + interval '30 days')`,
			`INSERT INTO spent_refresh_tokens (hash, session_id, spent_at) VALUES ('\x03', '00000000-0000-4000-8000-000000000050', now())`)
	}
	if hasTable(t, db, "ws_tickets") {
		cols, vals := "", ""
		if hasColumn(t, db, "ws_tickets", "session_id") {
			cols, vals = ", session_id", ", '00000000-0000-4000-8000-000000000050'"
		}
		exec(t, db, `INSERT INTO ws_tickets (hash, user_id, room_id, issued_at, expires_at`+cols+`) VALUES
 ('\x04', '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000010', now(), now() + interval '30 seconds'`+vals+`)`)
	}
}

// rows returns every application table's rows as JSON objects, ordered.
func rows(t *testing.T, db *sql.DB) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for _, table := range tables(t, db, "public") {
		if table == dbmigrate.RevisionTable {
			continue
		}
		var raw []byte
		if err := db.QueryRow(fmt.Sprintf(`SELECT coalesce(json_agg(t ORDER BY t::text), '[]') FROM %q t`, table)).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var rs []map[string]any
		if err := json.Unmarshal(raw, &rs); err != nil {
			t.Fatal(err)
		}
		out[table] = rs
	}
	return out
}

// kept checks that every row of before whose table still exists after is
// still there, with the same values in the columns both sides have.
func kept(t *testing.T, before, after map[string][]map[string]any) {
	t.Helper()
	for table, got := range after {
		want, ok := before[table]
		if !ok {
			continue
		}
		if len(got) != len(want) {
			t.Errorf("table %s: %d rows after the down, %d before", table, len(got), len(want))
			continue
		}
		byID := func(rs []map[string]any) map[string]map[string]any {
			m := map[string]map[string]any{}
			for _, r := range rs {
				key := fmt.Sprint(r["id"], r["hash"])
				m[key] = r
			}
			return m
		}
		w := byID(want)
		for key, g := range byID(got) {
			wr, ok := w[key]
			if !ok {
				t.Errorf("table %s: row %s appeared", table, key)
				continue
			}
			for col, v := range g {
				if wv, ok := wr[col]; ok && !reflect.DeepEqual(v, wv) {
					t.Errorf("table %s row %s column %s = %v after the down, %v before", table, key, col, v, wv)
				}
			}
		}
	}
}

func versionsOf(t *testing.T, db *sql.DB) []string {
	t.Helper()
	var vs []string
	for _, r := range readRevisions(t, db, "atlas_schema_revisions") {
		vs = append(vs, r.Version)
	}
	return vs
}

// TestUpDownUpForEveryMigration takes a database holding data to each
// version, reverts that version, and applies it again: after the down the
// schema is a fresh apply of the version before (Atlas's diff is empty),
// the rows the down does not drop are kept, the history says the file is
// pending; after the up again, the schema is a fresh apply of the version.
func TestUpDownUpForEveryMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	all := versions(t, migrations.Dir())
	for k := 1; k <= len(all); k++ {
		t.Run(all[k-1], func(t *testing.T) {
			t.Parallel()
			dbURL := applied(t, k)
			db := openSQL(t, dbURL)
			seed(t, db)
			before := rows(t, db)

			res, err := dbmigrate.Down(ctx, dbURL, migrations.Dir(), dbmigrate.DownOptions{DevURL: testdb.Empty(t), AllowDataLoss: true}, quiet)
			if err != nil {
				t.Fatalf("Down: %v", err)
			}
			wantTarget := ""
			if k > 1 {
				wantTarget = all[k-2]
			}
			if !slices.Equal(res.Reverted, []string{all[k-1]}) || res.Target != wantTarget {
				t.Errorf("Down = reverted %v, target %q; want [%s], %q", res.Reverted, res.Target, all[k-1], wantTarget)
			}
			sameSchema(t, "after the down", dbURL, applied(t, k-1))
			kept(t, before, rows(t, db))
			if got := versionsOf(t, db); !slices.Equal(got, all[:k-1]) {
				t.Errorf("revisions after the down = %v, want %v", got, all[:k-1])
			}
			st, err := dbmigrate.ReadStatus(ctx, dbURL, migrations.Dir())
			if err != nil {
				t.Fatal(err)
			}
			if st.Current != wantTarget || len(st.Pending) != len(all)-k+1 {
				t.Errorf("status after the down = %+v, want current %q and %d pending", st, wantTarget, len(all)-k+1)
			}

			up, err := dbmigrate.Apply(ctx, dbURL, firstFiles(t, k), quiet)
			if err != nil {
				t.Fatalf("apply again: %v", err)
			}
			if !slices.Equal(up.Applied, []string{all[k-1]}) {
				t.Errorf("apply again applied %v, want [%s]", up.Applied, all[k-1])
			}
			sameSchema(t, "after the up again", dbURL, applied(t, k))
		})
	}
}

// TestDownRefusesDataLoss: a down that would drop a table or a column
// holding rows is refused, naming each and its row count, and changes
// nothing, unless the loss is allowed.
func TestDownRefusesDataLoss(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	all := versions(t, migrations.Dir())
	head := len(all)
	// Cases name the migration they revert to by its file name, so a new
	// migration does not shift them.
	sessions := fileIndex(t, "_sessions.sql")
	events := fileIndex(t, "_room_events.sql")
	sessionLoss := []string{`DS102: dropping table "spent_refresh_tokens" deletes 1 row(s)`, `DS102: dropping table "sessions" deletes 2 row(s)`,
		`DS103: dropping column "ws_tickets"."session_id" deletes its value in 1 row(s)`}
	tests := []struct {
		name     string
		seed     func(t *testing.T, db *sql.DB)
		keep     int // how many migrations stay applied: the target
		dryRun   bool
		allow    bool
		wantLoss []string // Loss.String() of each refused drop; nil: the down runs
	}{
		{name: "sessions hold rows", seed: seed, keep: sessions, wantLoss: sessionLoss},
		{name: "dry run of a refused down", seed: seed, keep: sessions, dryRun: true, wantLoss: sessionLoss},
		{name: "dry run with the loss allowed", seed: seed, keep: sessions, dryRun: true, allow: true},
		{
			name: "down to the first migration: events and tickets too", seed: seed, keep: events,
			wantLoss: append(slices.Clone(sessionLoss[:2]),
				`DS102: dropping table "room_events" deletes 1 row(s)`, `DS102: dropping table "ws_tickets" deletes 1 row(s)`),
		},
		{
			name: "users but no sessions: nothing is lost", keep: sessions,
			seed: func(t *testing.T, db *sql.DB) {
				exec(t, db, `INSERT INTO users (id, email, password_hash, display_name, created_at, updated_at) VALUES (gen_random_uuid(), 'a@example.com', 'h', 'A', now(), now())`)
			},
		},
		{name: "empty database", seed: func(*testing.T, *sql.DB) {}, keep: sessions},
		{
			// The newest migration adds columns with constant defaults to
			// cards: rows nobody touched hold only those defaults, which a
			// down does not count as data.
			name: "one step with cards at their defaults", seed: seed, keep: head - 1,
		},
	}
	if fileIndex(t, "_card_details.sql") == head-1 {
		tests = append(tests, struct {
			name     string
			seed     func(t *testing.T, db *sql.DB)
			keep     int
			dryRun   bool
			allow    bool
			wantLoss []string
		}{
			name: "a card with a due date and a comment", keep: head - 1,
			seed: func(t *testing.T, db *sql.DB) {
				seed(t, db)
				exec(t, db, `UPDATE cards SET due_at = now(), comment_count = 1 WHERE id = '00000000-0000-4000-8000-000000000030'`,
					`INSERT INTO comments (id, card_id, author_id, body, created_at, updated_at) VALUES (gen_random_uuid(),
 '00000000-0000-4000-8000-000000000030', '00000000-0000-4000-8000-000000000001', 'hi', now(), now())`)
			},
			wantLoss: []string{`DS102: dropping table "comments" deletes 1 row(s)`,
				`DS103: dropping column "cards"."due_at" deletes its value in 1 row(s)`,
				`DS103: dropping column "cards"."comment_count" deletes its value in 1 row(s)`},
		})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbURL := applied(t, head)
			db := openSQL(t, dbURL)
			tc.seed(t, db)
			before := rows(t, db)
			opts := dbmigrate.DownOptions{To: all[tc.keep-1], DryRun: tc.dryRun, AllowDataLoss: tc.allow, DevURL: testdb.Empty(t)}
			res, err := dbmigrate.Down(ctx, dbURL, migrations.Dir(), opts, quiet)
			var loss *dbmigrate.DataLossError
			switch {
			case tc.wantLoss != nil:
				if !errors.As(err, &loss) {
					t.Fatalf("Down = %v, want a *DataLossError", err)
				}
				var got []string
				for _, l := range loss.Loss {
					got = append(got, l.String())
				}
				slices.Sort(got)
				want := slices.Sorted(slices.Values(tc.wantLoss))
				if !slices.Equal(got, want) {
					t.Errorf("refused for\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				for _, w := range tc.wantLoss {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not name %q", err, w)
					}
				}
				if len(res.SQL) == 0 {
					t.Error("a refused down returned no SQL to show")
				}
			case err != nil:
				t.Fatalf("Down: %v", err)
			}
			if tc.wantLoss == nil && !tc.dryRun {
				sameSchema(t, "after the down", dbURL, applied(t, tc.keep))
				return
			}
			sameSchema(t, "after a down that changed nothing", dbURL, applied(t, head))
			if got := versionsOf(t, db); !slices.Equal(got, all) {
				t.Errorf("revisions = %v, want all of %v", got, all)
			}
			if after := rows(t, db); !reflect.DeepEqual(after, before) {
				t.Errorf("rows changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// fileIndex is the position in migrations/ (0-based) of the file whose name
// ends with suffix; fails the test when there is none.
func fileIndex(t *testing.T, suffix string) int {
	t.Helper()
	files, err := migrations.Dir().Files()
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		if strings.HasSuffix(f.Name(), suffix) {
			return i
		}
	}
	t.Fatalf("no migration file ends with %s", suffix)
	return 0
}

// TestConcurrentDownsSerialize starts two one-step downs at once: the lock
// makes the second wait and start from what the first left, so together
// they revert the two newest migrations, one each.
func TestConcurrentDownsSerialize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	all := versions(t, migrations.Dir())
	dbURL := applied(t, len(all))
	seed(t, openSQL(t, dbURL))
	devs := []string{testdb.Empty(t), testdb.Empty(t)}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		reverted []string
		errs     []error
	)
	for _, dev := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := dbmigrate.Down(ctx, dbURL, migrations.Dir(), dbmigrate.DownOptions{DevURL: dev, AllowDataLoss: true}, quiet)
			mu.Lock()
			defer mu.Unlock()
			reverted = append(reverted, res.Reverted...)
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("concurrent downs failed: %v", errs)
	}
	slices.Sort(reverted)
	if want := all[len(all)-2:]; !slices.Equal(reverted, want) {
		t.Errorf("reverted %v across two downs, want each of %v once", reverted, want)
	}
	if got := versionsOf(t, openSQL(t, dbURL)); !slices.Equal(got, all[:len(all)-2]) {
		t.Errorf("revisions = %v, want %v", got, all[:len(all)-2])
	}
	sameSchema(t, "after two downs", dbURL, applied(t, len(all)-2))
}

func TestDownTargets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	all := versions(t, migrations.Dir())
	n := len(all)
	dbURL := applied(t, n)
	tests := []struct {
		name    string
		opts    dbmigrate.DownOptions
		want    []string // reverted
		wantErr string
	}{
		{"default is one step", dbmigrate.DownOptions{}, []string{all[n-1]}, ""},
		{"two steps", dbmigrate.DownOptions{Steps: 2}, []string{all[n-1], all[n-2]}, ""},
		{"to a version", dbmigrate.DownOptions{To: all[n-3]}, []string{all[n-1], all[n-2]}, ""},
		{"to the current version", dbmigrate.DownOptions{To: all[n-1]}, nil, ""},
		{"every migration", dbmigrate.DownOptions{Steps: n}, reversed(all), ""},
		{"more steps than applied", dbmigrate.DownOptions{Steps: n + 1}, nil, fmt.Sprintf("only %d applied", n)},
		{"unknown version", dbmigrate.DownOptions{To: "20200101000000"}, nil, "not applied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := tc.opts
			opts.DryRun, opts.AllowDataLoss, opts.DevURL = true, true, testdb.Empty(t)
			res, err := dbmigrate.Down(ctx, dbURL, migrations.Dir(), opts, quiet)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Down(%+v) = %v, want an error containing %q", tc.opts, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Down(%+v): %v", tc.opts, err)
			}
			if !slices.Equal(res.Reverted, tc.want) {
				t.Errorf("Down(%+v) reverts %v, want %v", tc.opts, res.Reverted, tc.want)
			}
		})
	}
}

func TestHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	all := versions(t, migrations.Dir())
	dbURL := applied(t, len(all)-1)
	entries, err := dbmigrate.History(ctx, dbURL, migrations.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(all) {
		t.Fatalf("history has %d entries, want %d", len(entries), len(all))
	}
	for i, e := range entries {
		wantState := dbmigrate.StateApplied
		if i == len(all)-1 {
			wantState = dbmigrate.StatePending
		}
		if e.Version != all[i] || e.State != wantState || e.Description == "" || !strings.HasPrefix(e.File, all[i]+"_") {
			t.Errorf("entry %d = %+v, want version %s, state %s", i, e, all[i], wantState)
		}
		if (e.AppliedAt != nil) != (wantState == dbmigrate.StateApplied) || (e.DurationMS != nil) != (wantState == dbmigrate.StateApplied) {
			t.Errorf("entry %d = %+v: applied_at and duration must be set exactly for applied files", i, e)
		}
	}
	// The init file creates every table: it takes longer than a millisecond,
	// which Atlas's executor would not record (its clock restarts per
	// statement).
	if e := entries[0]; e.Duration <= 0 || *e.DurationMS < 1 {
		t.Errorf("init took %v (%v ms), want the whole file's time", e.Duration, *e.DurationMS)
	}
}

// reversed is vs newest first: the order a down reverts them in.
func reversed(vs []string) []string {
	out := slices.Clone(vs)
	slices.Reverse(out)
	return out
}
