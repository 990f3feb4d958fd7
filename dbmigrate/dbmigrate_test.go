package dbmigrate_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"ariga.io/atlas/sql/migrate"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/syncboard/syncboard/dbmigrate"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/migrations"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func versions(t *testing.T, dir migrate.Dir) []string {
	t.Helper()
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	var vs []string
	for _, f := range files {
		vs = append(vs, f.Version())
	}
	return vs
}

func openSQL(t *testing.T, dbURL string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type revision struct {
	Version, Description, Hash, Operator string
	Type, Applied, Total                 int
}

func readRevisions(t *testing.T, db *sql.DB, table string) []revision {
	t.Helper()
	rows, err := db.Query(`SELECT version, description, hash, operator_version, type, applied, total FROM ` + table + ` ORDER BY version`)
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	var revs []revision
	for rows.Next() {
		var r revision
		if err := rows.Scan(&r.Version, &r.Description, &r.Hash, &r.Operator, &r.Type, &r.Applied, &r.Total); err != nil {
			t.Fatal(err)
		}
		revs = append(revs, r)
	}
	return revs
}

func tables(t *testing.T, db *sql.DB, schema string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

func TestApplyRecordsRevisionsLikeTheAtlasCLI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testdb.Empty(t)
	dir := migrations.Dir()
	want := versions(t, dir)

	res, err := dbmigrate.Apply(ctx, dbURL, dir, quiet)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if strings.Join(res.Applied, ",") != strings.Join(want, ",") || res.Current != want[len(want)-1] {
		t.Fatalf("Apply = %+v, want applied %v and current %s", res, want, want[len(want)-1])
	}
	db := openSQL(t, dbURL)
	sum, err := dir.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	// search_path=public binds the URL to public, so the CLI keeps its
	// table there too.
	revs := readRevisions(t, db, `public.atlas_schema_revisions`)
	if len(revs) != len(want) {
		t.Fatalf("revisions = %+v, want one per file %v", revs, want)
	}
	for i, r := range revs {
		wantHash, _ := sum.SumByName(sum[i].N)
		if r.Version != want[i] || r.Type != int(migrate.RevisionTypeExecute) || r.Applied != r.Total || r.Total == 0 ||
			r.Hash != wantHash || r.Operator != dbmigrate.OperatorVersion {
			t.Errorf("revision %d = %+v; want version %s, type 2, applied == total > 0, hash %s", i, r, want[i], wantHash)
		}
	}
	gotTables := tables(t, db, "public")
	wantTables := []string{"atlas_schema_revisions", "auth_rate_limits", "card_assignees", "card_labels", "cards", "columns", "comments", "instances", "invites", "labels",
		"presence", "room_events", "room_members", "rooms", "sessions", "spent_refresh_tokens", "users", "ws_tickets"}
	if strings.Join(gotTables, ",") != strings.Join(wantTables, ",") {
		t.Errorf("tables = %v, want %v", gotTables, wantTables)
	}
}

// TestRevisionTableHasTheCLIColumns pins the columns the atlas CLI's own
// revision table has on PostgreSQL, so both tools can read each other's rows.
func TestRevisionTableHasTheCLIColumns(t *testing.T) {
	t.Parallel()
	dbURL := testdb.New(t)
	db := openSQL(t, dbURL)
	rows, err := db.Query(`SELECT column_name, data_type, is_nullable, coalesce(column_default, '')
FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'atlas_schema_revisions'
ORDER BY ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name, typ, null, def string
		if err := rows.Scan(&name, &typ, &null, &def); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{name, typ, null, def}, " "))
	}
	want := []string{
		"version character varying NO ",
		"description character varying NO ",
		"type bigint NO 2",
		"applied bigint NO 0",
		"total bigint NO 0",
		"executed_at timestamp with time zone NO ",
		"execution_time bigint NO ",
		"error text YES ",
		"error_stmt text YES ",
		"hash character varying NO ",
		"partial_hashes jsonb YES ",
		"operator_version character varying NO ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("columns:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestApplyTwiceIsANoop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testdb.New(t) // already migrated once, by the template
	db := openSQL(t, dbURL)
	var before string
	if err := db.QueryRow(`SELECT string_agg(version || executed_at::text, ',') FROM atlas_schema_revisions`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	res, err := dbmigrate.Apply(ctx, dbURL, migrations.Dir(), quiet)
	if err != nil {
		t.Fatalf("second Apply: %v", err)
	}
	if len(res.Applied) != 0 {
		t.Errorf("second Apply applied %v, want nothing", res.Applied)
	}
	var after string
	if err := db.QueryRow(`SELECT string_agg(version || executed_at::text, ',') FROM atlas_schema_revisions`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Errorf("revisions changed on a no-op apply:\nbefore %s\nafter  %s", before, after)
	}
}

// TestConcurrentApplyRunsEachFileOnce starts several instances' migrations
// at the same moment on one empty database.
func TestConcurrentApplyRunsEachFileOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testdb.Empty(t)
	want := versions(t, migrations.Dir())
	const instances = 4
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		applied []string
		errs    []error
	)
	for range instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := dbmigrate.Apply(ctx, dbURL, migrations.Dir(), quiet)
			mu.Lock()
			defer mu.Unlock()
			applied = append(applied, res.Applied...)
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("concurrent Apply failed: %v", errs)
	}
	sort.Strings(applied)
	if strings.Join(applied, ",") != strings.Join(want, ",") {
		t.Errorf("files applied across %d instances = %v, want each of %v exactly once", instances, applied, want)
	}
	if revs := readRevisions(t, openSQL(t, dbURL), "atlas_schema_revisions"); len(revs) != len(want) {
		t.Errorf("revisions = %d, want %d", len(revs), len(want))
	}
}

// copyDir returns an in-memory copy of the real migration directory.
func copyDir(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(migrations.Dir().FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.Dir().FS, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTamperedDirectoryIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name   string
		tamper func(m fstest.MapFS)
	}{
		{"edited file", func(m fstest.MapFS) {
			for name, f := range m {
				if strings.HasSuffix(name, ".sql") {
					f.Data = append(f.Data, []byte("DROP TABLE users;\n")...)
					return
				}
			}
		}},
		{"added file", func(m fstest.MapFS) {
			m["29990101000000_sneaky.sql"] = &fstest.MapFile{Data: []byte("DROP TABLE users;\n")}
		}},
		{"missing atlas.sum", func(m fstest.MapFS) { delete(m, "atlas.sum") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbURL := testdb.Empty(t)
			m := copyDir(t)
			tc.tamper(m)
			_, err := dbmigrate.Apply(ctx, dbURL, dbmigrate.FSDir{FS: m}, quiet)
			if err == nil {
				t.Fatal("Apply of a tampered directory succeeded")
			}
			if !strings.Contains(err.Error(), "atlas.sum") {
				t.Errorf("error %q does not name atlas.sum", err)
			}
			if got := tables(t, openSQL(t, dbURL), "public"); len(got) != 0 {
				t.Errorf("tables after a refused apply = %v, want none", got)
			}
		})
	}
	t.Run("checksum error is typed", func(t *testing.T) {
		m := copyDir(t)
		m["29990101000000_sneaky.sql"] = &fstest.MapFile{Data: []byte("SELECT 1;\n")}
		_, err := dbmigrate.Apply(ctx, "postgres://unused.invalid/x", dbmigrate.FSDir{FS: m}, quiet)
		var cerr *migrate.ChecksumError
		if !errors.As(err, &cerr) || cerr.File != "29990101000000_sneaky.sql" {
			t.Errorf("got %v, want a *migrate.ChecksumError naming the added file", err)
		}
	})
}

// TestFailingFileLeavesNothingBehind: each file runs in one transaction.
func TestFailingFileLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testdb.Empty(t)
	m := fstest.MapFS{
		"20250101000000_good.sql": {Data: []byte("CREATE TABLE a (id int);\n")},
		"20250102000000_bad.sql":  {Data: []byte("CREATE TABLE b (id int);\nINSERT INTO nope VALUES (1);\n")},
	}
	dir := dbmigrate.FSDir{FS: m}
	sum, err := dir.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sum.MarshalText()
	m["atlas.sum"] = &fstest.MapFile{Data: b}

	res, err := dbmigrate.Apply(ctx, dbURL, dir, quiet)
	if err == nil || !strings.Contains(err.Error(), "20250102000000_bad.sql") {
		t.Fatalf("Apply = %v, want an error naming the bad file", err)
	}
	if strings.Join(res.Applied, ",") != "20250101000000" {
		t.Errorf("applied = %v, want only the good file", res.Applied)
	}
	db := openSQL(t, dbURL)
	if got := strings.Join(tables(t, db, "public"), ","); got != "a,atlas_schema_revisions" {
		t.Errorf("tables = %s, want a,atlas_schema_revisions (table b rolled back)", got)
	}
	revs := readRevisions(t, db, "atlas_schema_revisions")
	if len(revs) != 1 || revs[0].Version != "20250101000000" {
		t.Errorf("revisions = %+v, want only the good file", revs)
	}
	st, err := dbmigrate.ReadStatus(ctx, dbURL, dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.OK() || strings.Join(st.Pending, ",") != "20250102000000_bad.sql" {
		t.Errorf("status = %+v, want the bad file pending", st)
	}
}

func TestRevisionSchemaFollowsTheURLLikeTheCLI(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://h/db?search_path=public":            "public",
		"postgres://h/db?sslmode=disable&search_path=x": "x",
		"postgres://h/db?sslmode=disable":               "atlas_schema_revisions",
	} {
		if got := dbmigrate.RevisionSchema(in); got != want {
			t.Errorf("RevisionSchema(%q) = %q, want %q", in, got, want)
		}
	}
	// Not bound to a schema: the revisions go to their own schema and the
	// application's tables still land in public.
	ctx := context.Background()
	bound := testdb.Empty(t)
	u, _ := url.Parse(bound)
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	if _, err := dbmigrate.Apply(ctx, u.String(), migrations.Dir(), quiet); err != nil {
		t.Fatalf("Apply without search_path: %v", err)
	}
	db := openSQL(t, bound)
	if got := tables(t, db, "atlas_schema_revisions"); strings.Join(got, ",") != "atlas_schema_revisions" {
		t.Errorf("atlas_schema_revisions schema holds %v", got)
	}
	if got := tables(t, db, "public"); len(got) != 17 {
		t.Errorf("public holds %v, want the 17 application tables", got)
	}
}

func TestStatusBeforeAndAfterApply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testdb.Empty(t)
	files, _ := migrations.Dir().Files()
	st, err := dbmigrate.ReadStatus(ctx, dbURL, migrations.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if st.OK() || len(st.Pending) != len(files) || st.Current != "" {
		t.Errorf("status of an empty database = %+v, want all %d files pending", st, len(files))
	}
	if got := tables(t, openSQL(t, dbURL), "public"); len(got) != 0 {
		t.Errorf("ReadStatus created %v; it must change nothing", got)
	}
	if _, err := dbmigrate.Apply(ctx, dbURL, migrations.Dir(), quiet); err != nil {
		t.Fatal(err)
	}
	st, err = dbmigrate.ReadStatus(ctx, dbURL, migrations.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if !st.OK() || len(st.Applied) != len(files) || st.Current != files[len(files)-1].Version() {
		t.Errorf("status after apply = %+v, want OK at %s", st, files[len(files)-1].Version())
	}
}

// TestCascadesExistInTheDatabase reads the foreign keys back from
// pg_constraint: the ON DELETE actions must be in the database itself.
func TestCascadesExistInTheDatabase(t *testing.T) {
	t.Parallel()
	db := openSQL(t, testdb.New(t))
	rows, err := db.Query(`SELECT conname, conrelid::regclass::text, confrelid::regclass::text, confdeltype
FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY conname`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]string{}
	for rows.Next() {
		var name, from, to, action string
		if err := rows.Scan(&name, &from, &to, &action); err != nil {
			t.Fatal(err)
		}
		got[name] = from + "->" + to + " " + action
	}
	// confdeltype: c = CASCADE, r = RESTRICT, n = SET NULL.
	want := map[string]string{
		"fk_rooms_members":       "room_members->rooms c",
		"fk_users_memberships":   "room_members->users c",
		"fk_rooms_columns":       "columns->rooms c",
		"fk_columns_cards":       "cards->columns c",
		"fk_users_created_rooms": "rooms->users r",
		"fk_users_created_cards": "cards->users n",
		"fk_rooms_events":        "room_events->rooms c",
		"fk_users_events":        "room_events->users n",
		"fk_rooms_tickets":       "ws_tickets->rooms c",
		"fk_users_tickets":       "ws_tickets->users c",
		"fk_users_sessions":      "sessions->users c",
		"fk_sessions_spent":      "spent_refresh_tokens->sessions c",
		"fk_sessions_tickets":    "ws_tickets->sessions c",
		"fk_rooms_labels":        "labels->rooms c",
		"fk_card_labels_card":    "card_labels->cards c",
		"fk_card_labels_label":   "card_labels->labels c",
		"fk_card_assignees_card": "card_assignees->cards c",
		"fk_card_assignees_user": "card_assignees->users c",
		"fk_cards_comments":      "comments->cards c",
		"fk_users_comments":      "comments->users c",
		"fk_rooms_invites":       "invites->rooms c",
		"fk_users_invites":       "invites->users c",
		"fk_instances_presence":  "presence->instances c",
		"fk_presence_room":       "presence->rooms c",
		"fk_presence_user":       "presence->users c",
	}
	if len(got) != len(want) {
		t.Errorf("foreign keys = %v, want %v", got, want)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("foreign key %s = %q, want %q", name, got[name], w)
		}
	}
	var def string
	if err := db.QueryRow(`SELECT pg_get_indexdef('uq_room_user'::regclass)`).Scan(&def); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(def, "UNIQUE INDEX uq_room_user ON public.room_members USING btree (room_id, user_id)") {
		t.Errorf("uq_room_user = %q, want a unique index on (room_id, user_id)", def)
	}
}
