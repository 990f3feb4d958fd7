package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncboard/syncboard/internal/testdb"
)

func noEnv(string) string { return "" }

// TestCheckOnTheRealDirectory is what `make migrate-check` runs: the
// committed migrations describe the committed models.
func TestCheckOnTheRealDirectory(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-dir", "../../migrations", "-dev", testdb.Empty(t), "check"}, noEnv, &out)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if !strings.Contains(out.String(), "synced with the desired state") {
		t.Errorf("output %q", out.String())
	}
}

func TestDiffIntoAnEmptyDirectoryWritesTheInitialMigration(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-dir", dir, "-dev", testdb.Empty(t), "diff", "init"}, noEnv, &out); err != nil {
		t.Fatalf("diff: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*_init.sql"))
	if len(files) != 1 {
		t.Fatalf("files = %v, want one *_init.sql", files)
	}
	got, _ := os.ReadFile(files[0])
	for _, table := range []string{"users", "rooms", "room_members", "columns", "cards"} {
		if !strings.Contains(string(got), "-- Create \""+table+"\" table\nCREATE TABLE \""+table+"\" (") {
			t.Errorf("initial migration lacks table %s:\n%s", table, got)
		}
	}
	// A dev URL bound to public writes unqualified names, as the CLI does.
	if strings.Contains(string(got), `"public".`) {
		t.Errorf("initial migration qualifies names with the schema:\n%s", got)
	}
	// The directory now describes the models: a second diff writes nothing.
	out.Reset()
	if err := run(context.Background(), []string{"-dir", dir, "-dev", testdb.Empty(t), "diff"}, noEnv, &out); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.sql")); len(files) != 1 {
		t.Errorf("second diff wrote files: %v", files)
	}
}

func TestHashRewritesTheSum(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "20250101000000_a.sql"), []byte("CREATE TABLE a (id int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"-dir", dir, "hash"}, noEnv, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	sum, _ := os.ReadFile(filepath.Join(dir, "atlas.sum"))
	if !strings.HasPrefix(string(sum), "h1:") || !strings.Contains(string(sum), "20250101000000_a.sql h1:") {
		t.Errorf("atlas.sum = %q", sum)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"nope"}, {"hash", "extra"}, {"diff", "a", "b"}} {
		if err := run(context.Background(), append([]string{"-dir", t.TempDir()}, args...), noEnv, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("run(%v) = %v, want the usage", args, err)
		}
	}
}
