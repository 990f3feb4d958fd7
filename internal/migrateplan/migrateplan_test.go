package migrateplan_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/syncboard/syncboard/dbmigrate"
	"github.com/syncboard/syncboard/internal/migrateplan"
	"github.com/syncboard/syncboard/internal/schemaload"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/migrations"
	"github.com/syncboard/syncboard/models"
)

func planner(t *testing.T) *migrateplan.Planner {
	t.Helper()
	p, err := migrateplan.NewPlanner(context.Background(), testdb.Empty(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func desiredSQL(t *testing.T) string {
	t.Helper()
	s, err := schemaload.SQL()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMigrationsMatchModels replays migrations/ on an empty database and
// compares the result with the schema the GORM models describe: generating a
// migration on a fresh clone must produce nothing.
func TestMigrationsMatchModels(t *testing.T) {
	t.Parallel()
	p := planner(t)
	plan, err := p.Plan(context.Background(), migrations.Dir(), "", desiredSQL(t))
	if !errors.Is(err, migrateplan.ErrNoChanges) {
		var stmts []string
		if plan != nil {
			for _, c := range plan.Changes {
				stmts = append(stmts, c.Cmd)
			}
		}
		t.Fatalf("models/ and migrations/ differ (err %v); run `make migrate-diff name=<change>`. Pending changes:\n%s",
			err, strings.Join(stmts, "\n"))
	}
}

// TestAppliedDatabaseMatchesModels checks the server's own apply path (not
// Atlas's replay): a database migrated by dbmigrate.Apply holds exactly the
// models' schema, besides the revision table.
func TestAppliedDatabaseMatchesModels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := planner(t)
	desired, err := p.Desired(ctx, desiredSQL(t))
	if err != nil {
		t.Fatal(err)
	}
	client, err := dbmigrate.Open(ctx, testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	applied, err := client.InspectSchema(ctx, "public", &schema.InspectOptions{Exclude: []string{dbmigrate.RevisionTable}})
	if err != nil {
		t.Fatal(err)
	}
	changes, err := p.Diff(schema.NewRealm(applied), desired)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 0 {
		t.Errorf("the applied database differs from the models by %d change(s): %v", len(changes), changes)
	}
	if len(applied.Tables) != len(models.All()) {
		t.Errorf("applied tables = %d, want one per model (%d)", len(applied.Tables), len(models.All()))
	}
}

// userWithNickname is models.User plus one column, standing in for a
// developer's edit of the model.
type userWithNickname struct {
	models.User
	Nickname string `gorm:"type:varchar(50);not null;default:''"`
}

func (userWithNickname) TableName() string { return "users" }

// TestAddingAFieldGeneratesOneFile is the Alembic-autogenerate workflow:
// edit a model, generate, and get exactly one new file with that change
// and an atlas.sum that validates.
func TestAddingAFieldGeneratesOneFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := t.TempDir()
	src, _ := migrations.Dir().Files()
	for _, f := range src {
		if err := os.WriteFile(filepath.Join(path, f.Name()), f.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := os.ReadFile("../../migrations/atlas.sum")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path, "atlas.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	dir, err := migrate.NewLocalDir(path)
	if err != nil {
		t.Fatal(err)
	}
	ms := slices.Clone(models.All())
	ms[0] = &userWithNickname{}
	changed, err := schemaload.SQLFor(ms...)
	if err != nil {
		t.Fatal(err)
	}

	p := planner(t)
	plan, err := p.Plan(ctx, dir, "add_nickname", changed)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if err := p.Write(dir, plan); err != nil {
		t.Fatal(err)
	}
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(src)+1 {
		t.Fatalf("files after generating = %d, want %d", len(files), len(src)+1)
	}
	added := files[len(files)-1]
	if !strings.HasSuffix(added.Name(), "_add_nickname.sql") || migrate.CheckVersion(added.Version()) != nil {
		t.Errorf("new file %q: want <yyyymmddhhmmss>_add_nickname.sql", added.Name())
	}
	wantSQL := "-- Modify \"users\" table\n" +
		"ALTER TABLE \"users\" ADD COLUMN \"nickname\" character varying(50) NOT NULL DEFAULT '';\n"
	if string(added.Bytes()) != wantSQL {
		t.Errorf("new file:\n%s\nwant:\n%s", added.Bytes(), wantSQL)
	}
	if err := migrate.Validate(dir); err != nil {
		t.Errorf("atlas.sum after generating: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(path, "atlas.sum")); !strings.Contains(string(b), added.Name()+" h1:") {
		t.Errorf("atlas.sum does not list %s:\n%s", added.Name(), b)
	}
	if _, err := p.Plan(ctx, dir, "again", changed); !errors.Is(err, migrateplan.ErrNoChanges) {
		t.Errorf("planning again: %v, want no changes", err)
	}
}
