package testdb_test

import (
	"context"
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
	want := "atlas_schema_revisions,cards,columns,room_events,room_members,rooms,users,ws_tickets"
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

// BenchmarkNew measures what a test pays for its private migrated database:
// one clone of the template (the drops run after the timing). Run it with a
// fixed count, e.g. -benchtime 50x, so the clones do not pile up.
func BenchmarkNew(b *testing.B) {
	testdb.New(b) // build the template outside the timing
	for b.Loop() {
		testdb.New(b)
	}
}
