package schemaload_test

import (
	"strings"
	"testing"

	"github.com/syncboard/syncboard/internal/schemaload"
)

func desiredSQL(t *testing.T) string {
	t.Helper()
	s, err := schemaload.SQL()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLoaderEmitsIntegrityRules(t *testing.T) {
	t.Parallel()
	s := desiredSQL(t)
	for _, want := range []string{
		`CONSTRAINT "fk_rooms_members" FOREIGN KEY ("room_id") REFERENCES "rooms"("id") ON DELETE CASCADE`,
		`CONSTRAINT "fk_users_memberships" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE`,
		`CONSTRAINT "fk_rooms_columns" FOREIGN KEY ("room_id") REFERENCES "rooms"("id") ON DELETE CASCADE`,
		`CONSTRAINT "fk_columns_cards" FOREIGN KEY ("column_id") REFERENCES "columns"("id") ON DELETE CASCADE`,
		`CREATE UNIQUE INDEX IF NOT EXISTS "uq_room_user" ON "room_members" ("room_id","user_id")`,
		`CREATE UNIQUE INDEX IF NOT EXISTS "uq_users_email_lower" ON "users" (lower(email))`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("loader output lacks %s\n--- output:\n%s", want, s)
		}
	}
}

// TestLoadIsRepeatable guards against the provider's process-wide recorder
// (a second load must not carry the first's statements) and against its map
// order (join tables and their foreign keys come out in a different order
// from one load to the next, one time in a few, so it loads many times).
func TestLoadIsRepeatable(t *testing.T) {
	t.Parallel()
	first := desiredSQL(t)
	for i := range 30 {
		if again := desiredSQL(t); again != first {
			t.Fatalf("load %d differs from the first:\n%s\n---\n%s", i+2, first, again)
		}
	}
	if n := strings.Count(first, `CREATE TABLE "users"`); n != 1 {
		t.Errorf("CREATE TABLE users appears %d times, want 1", n)
	}
}
