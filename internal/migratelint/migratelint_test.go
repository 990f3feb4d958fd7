package migratelint_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"

	"github.com/syncboard/syncboard/internal/migratelint"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/migrations"
)

// TestLintNewFile lints one new file on top of the real migrations. Each
// case lists the findings it must produce as "code" (or "nolint" for a
// directive without a reason), with "+" for an excepted one.
func TestLintNewFile(t *testing.T) {
	t.Parallel()
	base, err := migrations.Dir().Files()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		sql    string
		want   []string
		failed bool
	}{
		{
			name: "new table with its index",
			sql: `CREATE TABLE "stickers" ("id" uuid NOT NULL, "room_id" uuid NOT NULL, PRIMARY KEY ("id"));
CREATE INDEX "idx_stickers_room_id" ON "stickers" ("room_id");
`,
		},
		{
			name: "naive rename: drop and add loses the column",
			sql: `ALTER TABLE "users" DROP COLUMN "display_name", ADD COLUMN "name" character varying(100) NOT NULL;
`,
			want: []string{"DS103", "MF103"}, failed: true,
		},
		{
			name:   "rename column breaks old readers",
			sql:    `ALTER TABLE "users" RENAME COLUMN "display_name" TO "name";` + "\n",
			want:   []string{"BC102"},
			failed: true,
		},
		{
			name:   "drop table",
			sql:    `DROP TABLE "ws_tickets";` + "\n",
			want:   []string{"DS102"},
			failed: true,
		},
		{
			name:   "unique index on existing rows",
			sql:    `CREATE UNIQUE INDEX "uq_rooms_name" ON "rooms" ("name");` + "\n",
			want:   []string{"MF101", "PG101"},
			failed: true,
		},
		{
			name:   "NOT NULL column without default on a populated table",
			sql:    `ALTER TABLE "cards" ADD COLUMN "color" text NOT NULL;` + "\n",
			want:   []string{"MF103"},
			failed: true,
		},
		{
			name: "NOT NULL column with a default",
			sql:  `ALTER TABLE "cards" ADD COLUMN "color" text NOT NULL DEFAULT '';` + "\n",
		},
		{
			name: "concurrent index",
			sql:  `CREATE INDEX CONCURRENTLY "idx_cards_title" ON "cards" ("title");` + "\n",
		},
		{
			name: "reviewed exception by code",
			sql: `-- Reviewed: display names moved to profiles in the previous release.
-- atlas:nolint DS103
ALTER TABLE "users" DROP COLUMN "display_name";
`,
			want: []string{"DS103+"},
		},
		{
			name: "reviewed exception by analyzer, file-wide",
			sql: `-- Reviewed: the tickets are short-lived and recreated on demand.
-- atlas:nolint destructive

DROP TABLE "ws_tickets";
`,
			want: []string{"DS102+"},
		},
		{
			name: "exception without a reason excepts nothing",
			sql: `-- atlas:nolint DS103
ALTER TABLE "users" DROP COLUMN "display_name";
`,
			want: []string{"DS103", "nolint"}, failed: true,
		},
		{
			name: "Atlas's generated comment is not a reason",
			sql: `-- atlas:nolint DS103
-- Modify "users" table
ALTER TABLE "users" DROP COLUMN "display_name";
`,
			want: []string{"DS103", "nolint"}, failed: true,
		},
		{
			name: "an exception for another code",
			sql: `-- Reviewed: not this one.
-- atlas:nolint MF101
ALTER TABLE "users" DROP COLUMN "display_name";
`,
			want: []string{"DS103"}, failed: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := migrate.NewLocalFile("29990101000000_change.sql", []byte(tc.sql))
			rep, err := migratelint.Lint(context.Background(), testdb.Empty(t), base, []migrate.File{f})
			if err != nil {
				t.Fatalf("Lint: %v", err)
			}
			var got []string
			for _, f := range rep.Findings {
				g := f.Code
				if g == "" {
					g = f.Analyzer
				}
				if f.Excepted() {
					g += "+"
				}
				got = append(got, g)
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				var b strings.Builder
				rep.Write(&b)
				t.Errorf("findings %v, want %v; report:\n%s", got, want, b.String())
			}
			if rep.Failed() != tc.failed {
				t.Errorf("Failed() = %v, want %v", rep.Failed(), tc.failed)
			}
		})
	}
}

// TestNewestMigrationLintsClean is what CI runs: the newest file passes,
// every finding in it excepted with a reason.
func TestNewestMigrationLintsClean(t *testing.T) {
	t.Parallel()
	base, files, err := migratelint.Latest(migrations.Dir(), 1)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := migratelint.Lint(context.Background(), testdb.Empty(t), base, files)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() {
		var b strings.Builder
		rep.Write(&b)
		t.Errorf("the newest migration does not lint clean:\n%s", b.String())
	}
}

// TestEveryMigrationIsLinted runs the analyzers over every file: each one
// either lints clean or carries a reviewed exception for each finding, so
// linting from any base passes.
func TestEveryMigrationIsLinted(t *testing.T) {
	t.Parallel()
	base, files, err := migratelint.Latest(migrations.Dir(), -1)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := migratelint.Lint(context.Background(), testdb.Empty(t), base, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Files) != len(files) {
		t.Errorf("linted %v, want all %d files", rep.Files, len(files))
	}
	for _, f := range rep.Findings {
		if !f.Excepted() {
			t.Errorf("finding without a reviewed exception: %s", f)
		}
	}
}
