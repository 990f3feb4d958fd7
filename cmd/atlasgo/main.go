// Command atlasgo does what `atlas migrate diff --env gorm` and
// `atlas migrate hash` do, through Atlas's Go library, for machines without
// the atlas CLI. Its output is the CLI's: the same file name format, SQL and
// atlas.sum.
//
//	go run ./cmd/atlasgo diff [name]   # write the next migration from models/
//	go run ./cmd/atlasgo check         # exit 1 if models/ and migrations/ differ
//	go run ./cmd/atlasgo hash          # rewrite migrations/atlas.sum
//	go run ./cmd/atlasgo [-base REF] lint   # Atlas's analyzers on the newest file,
//	                                        # or on the files added since git REF
//
// The dev database (ATLAS_DEV_URL, default the local syncboard_dev) must be
// empty; it is created when missing.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"ariga.io/atlas/sql/migrate"

	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/internal/migratelint"
	"github.com/syncboard/syncboard/internal/migrateplan"
	"github.com/syncboard/syncboard/internal/schemaload"
)

const usage = `usage: atlasgo [-dir migrations] [-dev URL] [-base REF] diff [name] | check | hash | lint`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "atlasgo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("atlasgo", flag.ContinueOnError)
	dirPath := fs.String("dir", "migrations", "migration directory")
	devURL := fs.String("dev", getenv("ATLAS_DEV_URL"), "dev database URL (default $ATLAS_DEV_URL or the local syncboard_dev)")
	base := fs.String("base", "", "lint: the files added since this git ref (default: the newest file alone)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *devURL == "" {
		*devURL = migrateplan.DefaultDevURL
	}
	dir, err := migrate.NewLocalDir(*dirPath)
	if err != nil {
		return err
	}
	switch cmd, rest := fs.Arg(0), fs.Args(); {
	case cmd == "hash" && len(rest) == 1:
		sum, err := dir.Checksum()
		if err != nil {
			return err
		}
		return migrate.WriteSumFile(dir, sum)
	case cmd == "lint" && len(rest) == 1:
		return lint(ctx, dir, *devURL, *base, stdout)
	case cmd == "diff" && len(rest) <= 2, cmd == "check" && len(rest) == 1:
		name := ""
		if len(rest) == 2 {
			name = rest[1]
		}
		return diff(ctx, dir, *devURL, name, cmd == "check", stdout)
	default:
		return errors.New(usage)
	}
}

func diff(ctx context.Context, dir *migrate.LocalDir, devURL, name string, checkOnly bool, stdout io.Writer) error {
	if err := migrate.Validate(dir); err != nil {
		return fmt.Errorf("%s does not match its atlas.sum (run `atlasgo hash` if the edit is intended): %w", dir.Path(), err)
	}
	if _, err := database.EnsureDatabase(ctx, devURL); err != nil {
		return err
	}
	desired, err := schemaload.SQL()
	if err != nil {
		return err
	}
	p, err := migrateplan.NewPlanner(ctx, devURL)
	if err != nil {
		return err
	}
	defer p.Close()
	plan, err := p.Plan(ctx, dir, name, desired)
	switch {
	case errors.Is(err, migrateplan.ErrNoChanges):
		// The atlas CLI's words for the same outcome.
		fmt.Fprintln(stdout, "The migration directory is synced with the desired state, no changes to be made")
		return nil
	case err != nil:
		return err
	case checkOnly:
		return fmt.Errorf("models/ and %s differ: run `make migrate-diff name=<change>` and commit the new file", dir.Path())
	}
	if err := p.Write(dir, plan); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote a migration of %d change(s) to %s and updated atlas.sum\n", len(plan.Changes), dir.Path())
	return nil
}

// lint runs Atlas's analyzers over the new migration files, as
// `atlas migrate lint --latest 1` (or `--git-base REF`) does, and fails on
// any finding no reviewed atlas:nolint directive excepts.
func lint(ctx context.Context, dir *migrate.LocalDir, devURL, base string, stdout io.Writer) error {
	if err := migrate.Validate(dir); err != nil {
		return fmt.Errorf("%s does not match its atlas.sum (run `make migrate-hash` if the edit is intended): %w", dir.Path(), err)
	}
	if _, err := database.EnsureDatabase(ctx, devURL); err != nil {
		return err
	}
	var (
		old, files []migrate.File
		err        error
	)
	if base == "" {
		old, files, err = migratelint.Latest(dir, 1)
	} else {
		old, files, err = migratelint.SinceGitRef(ctx, dir, dir.Path(), base)
	}
	if err != nil {
		return err
	}
	rep, err := migratelint.Lint(ctx, devURL, old, files)
	if err != nil {
		return err
	}
	rep.Write(stdout)
	if rep.Failed() {
		return errors.New("migrate lint failed")
	}
	return nil
}
