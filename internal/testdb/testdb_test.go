package testdb_test

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/syncboard/syncboard/internal/testdb"
)

func tablesOf(t testing.TB, dbURL string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestNewIsMigratedAndPrivate(t *testing.T) {
	t.Parallel()
	a, b := testdb.New(t), testdb.New(t)
	if a == b {
		t.Fatalf("two calls returned the same database %s", a)
	}
	want := "atlas_schema_revisions,auth_rate_limits,card_assignees,card_labels,cards,columns,comments,instances,invites,labels,presence,room_events,room_members,rooms,sessions,spent_refresh_tokens,users,ws_tickets"
	if got := strings.Join(tablesOf(t, a), ","); got != want {
		t.Errorf("tables = %s, want %s", got, want)
	}
	if !strings.Contains(a, "search_path=public") {
		t.Errorf("URL %s is not bound to public", a)
	}
}

func TestEmptyHasNoTables(t *testing.T) {
	t.Parallel()
	if got := tablesOf(t, testdb.Empty(t)); len(got) != 0 {
		t.Errorf("tables = %v, want none", got)
	}
}

// TestHelperFailing is run by the tests below in a child process: it fails
// on purpose after making a database.
func TestHelperFailing(t *testing.T) {
	if os.Getenv("TESTDB_HELPER") == "" {
		t.Skip("run by TestFailedTestKeepsItsDatabase and TestUnreachableServerFails")
	}
	testdb.New(t)
	t.Error("failing on purpose")
}

func runHelper(t *testing.T, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperFailing$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), "TESTDB_HELPER=1"), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestFailedTestKeepsItsDatabase(t *testing.T) {
	t.Parallel()
	out, err := runHelper(t)
	if err == nil {
		t.Fatalf("the failing helper passed:\n%s", out)
	}
	m := regexp.MustCompile(`kept the database of this failed test: (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no URL of the kept database in the output:\n%s", out)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, m[1])
	if err != nil {
		t.Fatalf("the kept database %s cannot be opened: %v", m[1], err)
	}
	name := conn.Config().Database
	conn.Close(ctx)
	admin, err := pgx.Connect(ctx, testdb.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Errorf("drop the kept database: %v", err)
	}
}

func TestUnreachableServerFails(t *testing.T) {
	t.Parallel()
	out, err := runHelper(t, "TEST_DATABASE_URL=postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2")
	if err == nil || strings.Contains(out, "SKIP") || !strings.Contains(out, "cannot reach PostgreSQL at postgres://postgres@127.0.0.1:1/") {
		t.Errorf("with no server: err %v, output:\n%s\nwant a failure naming the URL, not a skip", err, out)
	}
}

// BenchmarkNew measures what a test pays for its private migrated database:
// one clone of the template (the drops run after the timing). Run it with a
// fixed count, e.g. -benchtime 50x, so the clones do not pile up.
func BenchmarkNew(b *testing.B) {
	testdb.New(b) // build the template outside the timing
	for b.Loop() {
		testdb.New(b)
	}
}
