package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/config"
	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/models"
)

// Backup and restore of one board: `syncboard export --room ID` writes the
// room as a board export (docs/EXPORT.md) to stdout, `syncboard import
// --owner EMAIL` reads one from stdin and makes a new room of it, owned by
// that account. Both are operator tools run against DATABASE_URL: they ask
// for no password and check no membership.

// flagValue reads "--name VALUE" or "--name=VALUE" from args, which must
// hold nothing else.
func flagValue(cmd, name string, args []string) (string, error) {
	var v string
	switch {
	case len(args) == 2 && args[0] == name:
		v = args[1]
	case len(args) == 1 && strings.HasPrefix(args[0], name+"="):
		v = strings.TrimPrefix(args[0], name+"=")
	default:
		return "", fmt.Errorf("%s needs %s and nothing else\n%s", cmd, name, usage)
	}
	if v == "" {
		return "", fmt.Errorf("%s: %s needs a value\n%s", cmd, name, usage)
	}
	return v, nil
}

// openStore opens a small pool for a one-shot command, logging to log (never
// stdout, which may be the export itself).
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*models.Store, func(), error) {
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{
		MaxOpenConns:     2,
		MaxIdleConns:     2,
		ConnMaxLifetime:  cfg.DBConnMaxLifetime,
		StatementTimeout: cfg.DBStatementTimeout,
		LockTimeout:      cfg.DBLockTimeout,
		Pooler:           cfg.DBPooler, // one transaction each: fine through a pooler
		Logger:           log,
	})
	if err != nil {
		return nil, nil, err
	}
	return models.NewStore(db), func() { _ = database.Close(db) }, nil
}

// exportBoard writes the room's export to stdout.
func exportBoard(ctx context.Context, cfg config.Config, args []string, log *slog.Logger, stdout io.Writer) error {
	raw, err := flagValue("export", "--room", args)
	if err != nil {
		return err
	}
	roomID, err := uuid.Parse(raw)
	if err != nil {
		return fmt.Errorf("export: --room %q is not a room ID (a UUID)", raw)
	}
	store, closeStore, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeStore()
	e, err := store.ExportRoom(ctx, roomID)
	if err != nil {
		return fmt.Errorf("export room %s: %w", roomID, plain(err))
	}
	return e.Encode(stdout)
}

// importBoard reads an export from stdin, makes a new room of it owned by
// the account --owner names, and says on stdout what it made and, for each
// email with no account here, what became of what it held.
func importBoard(ctx context.Context, cfg config.Config, args []string, log *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	email, err := flagValue("import", "--owner", args)
	if err != nil {
		return err
	}
	if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return errors.New("import reads the board from stdin, not a terminal: syncboard import --owner EMAIL < board.json")
		}
	}
	e, err := models.DecodeExport(stdin)
	if err != nil {
		return fmt.Errorf("import: %w", plain(err))
	}
	store, closeStore, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeStore()
	owner, err := store.UserByEmail(ctx, strings.TrimSpace(email))
	if models.ErrorCode(err) == models.CodeNotFound {
		return fmt.Errorf("import: --owner %s: no account has this email (the owner must have signed up)", email)
	}
	if err != nil {
		return fmt.Errorf("import: %w", plain(err))
	}
	out, err := store.ImportRoom(ctx, owner.ID, e)
	if err != nil {
		return fmt.Errorf("import: %w", plain(err))
	}
	fmt.Fprintf(stdout, "Imported room %s (%q), owned by %s: %d member(s), %d label(s), %d column(s), %d card(s), %d comment(s)\n",
		out.Room.ID, out.Room.Name, owner.Email, out.Members, out.Labels, out.Columns, out.Cards, out.Comments)
	for _, m := range out.Missing {
		var what []string
		if m.Role != "" {
			what = append(what, "not added as "+m.Role)
		}
		if m.Assigned > 0 {
			what = append(what, fmt.Sprintf("unassigned from %d card(s)", m.Assigned))
		}
		if m.Created > 0 {
			what = append(what, fmt.Sprintf("%d card(s) kept with no author", m.Created))
		}
		if m.Authored > 0 {
			what = append(what, fmt.Sprintf("%d comment(s) kept under %s's name, each starting with a line naming %s", m.Authored, owner.Email, m.Email))
		}
		fmt.Fprintf(stdout, "No account for %s: %s\n", m.Email, strings.Join(what, "; "))
	}
	return nil
}

// plain is a Store error as an operator should read it: the message (and
// each field's problem, one a line), without the API's code.
func plain(err error) error {
	var e *models.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := e.Message
	if len(e.Fields) > 0 {
		fields := make([]string, 0, len(e.Fields))
		for f := range e.Fields {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			msg += "\n  " + f + ": " + e.Fields[f]
		}
	}
	if e.Code == models.CodeUnavailable && e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return errors.New(msg)
}
