package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/syncboard/syncboard/config"
	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/dbmigrate"
	"github.com/syncboard/syncboard/migrations"
)

// parseDownArgs reads `migrate down`'s arguments: a step count or
// --to VERSION, and the two switches, in any order.
func parseDownArgs(args []string) (dbmigrate.DownOptions, error) {
	var opts dbmigrate.DownOptions
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--allow-data-loss":
			opts.AllowDataLoss = true
		case a == "--dry-run":
			opts.DryRun = true
		case a == "--to" && i+1 < len(args):
			i++
			opts.To = args[i]
		case strings.HasPrefix(a, "--to="):
			opts.To = strings.TrimPrefix(a, "--to=")
		default:
			n, err := strconv.Atoi(a)
			if err != nil || n < 1 || opts.Steps != 0 {
				return opts, fmt.Errorf("migrate down: unexpected argument %q", a)
			}
			opts.Steps = n
		}
	}
	if opts.To != "" && opts.Steps != 0 {
		return opts, errors.New("migrate down: give a step count or --to VERSION, not both")
	}
	if opts.To == "" && opts.Steps == 0 && hasFlag(args, "--to") {
		return opts, errors.New("migrate down: --to needs a version")
	}
	return opts, nil
}

func hasFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}

func migrateDown(ctx context.Context, cfg config.Config, opts dbmigrate.DownOptions, log *slog.Logger, stdout io.Writer) error {
	if opts.DevURL == "" {
		opts.DevURL = dbmigrate.DefaultDevURL
	}
	// The dev database is scratch space, created when missing as
	// `make migrate-diff` does.
	if _, err := database.EnsureDatabase(ctx, opts.DevURL); err != nil {
		return err
	}
	res, err := dbmigrate.Down(ctx, cfg.DatabaseDirectURL, migrations.Dir(), opts, log)
	if len(res.SQL) > 0 && (opts.DryRun || err != nil) {
		fmt.Fprintf(stdout, "-- Planned SQL to revert %s (target version %s):\n", strings.Join(res.Reverted, ", "), orNone(res.Target))
		for _, s := range res.SQL {
			fmt.Fprintln(stdout, s+";")
		}
	}
	if err != nil {
		return err
	}
	for _, l := range res.Loss {
		fmt.Fprintf(stdout, "Data loss allowed: %s\n", l)
	}
	if opts.DryRun {
		fmt.Fprintf(stdout, "Dry run: would revert %d migration file(s) (%s) with %d statement(s); current version would be %s. Nothing was changed.\n",
			len(res.Reverted), strings.Join(res.Reverted, ", "), len(res.SQL), orNone(res.Target))
		return nil
	}
	fmt.Fprintf(stdout, "Reverted %d migration file(s): %v with %d statement(s); current version %s\n",
		len(res.Reverted), res.Reverted, len(res.SQL), orNone(res.Target))
	return nil
}

func migrateHistory(ctx context.Context, cfg config.Config, asJSON bool, stdout io.Writer) error {
	entries, err := dbmigrate.History(ctx, cfg.DatabaseDirectURL, migrations.Dir())
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tDESCRIPTION\tSTATE\tAPPLIED AT\tDURATION")
	for _, e := range entries {
		at, took := "-", "-"
		if e.AppliedAt != nil {
			at = e.AppliedAt.UTC().Format(time.DateTime + " MST")
			took = fmt.Sprintf("%.1f ms", *e.DurationMS)
		}
		state := e.State
		if e.Error != "" {
			state += ": " + e.Error
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", e.Version, e.Description, state, at, took)
	}
	return w.Flush()
}
