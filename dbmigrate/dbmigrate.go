// Package dbmigrate applies the Atlas migration directory to PostgreSQL with
// Atlas's own engine (ariga.io/atlas/sql/migrate), recording applied versions
// in the atlas CLI's atlas_schema_revisions table, so `atlas migrate apply`
// and `syncboard migrate apply` can manage the same database.
package dbmigrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlclient"
	"github.com/jackc/pgx/v5/stdlib"
)

// LockName is the advisory lock held while migrations are applied, so two
// instances starting together apply each file once: the second waits, then
// finds nothing pending.
const LockName = "atlas_migrate_execute"

// LockTimeout bounds how long Apply waits for another instance's apply.
const LockTimeout = 5 * time.Minute

// OperatorVersion is written to operator_version, where the atlas CLI writes
// its own version, so an operator can tell which tool applied a file.
const OperatorVersion = "SyncBoard (Atlas engine v0.36)"

var registerOnce sync.Once

// Open connects Atlas's PostgreSQL driver to databaseURL. Atlas opens the
// database/sql driver named "postgres"; SyncBoard registers pgx under that
// name (the project links no other driver by it).
func Open(ctx context.Context, databaseURL string) (*sqlclient.Client, error) {
	registerOnce.Do(func() {
		if !driverRegistered(postgres.DriverName) {
			sql.Register(postgres.DriverName, stdlib.GetDefaultDriver())
		}
	})
	client, err := sqlclient.Open(ctx, databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open migration connection: %w", err)
	}
	return client, nil
}

func driverRegistered(name string) bool {
	for _, d := range sql.Drivers() {
		if d == name {
			return true
		}
	}
	return false
}

// RevisionSchema returns the schema holding atlas_schema_revisions for
// databaseURL, as the atlas CLI chooses it: the schema the URL is bound to
// through search_path, else "atlas_schema_revisions".
func RevisionSchema(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err == nil {
		if s := u.Query().Get("search_path"); s != "" {
			return s
		}
	}
	return defaultRevisionSchema
}

// Result says what Apply did.
type Result struct {
	Applied []string // versions applied by this call, in order
	Current string   // the latest applied version afterwards ("" if none)
}

// Apply applies every pending migration file of dir to the database at
// databaseURL, each file in its own transaction, under an advisory lock. A
// directory whose atlas.sum does not match its files is refused before
// anything runs.
func Apply(ctx context.Context, databaseURL string, dir migrate.Dir, log *slog.Logger) (Result, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := migrate.Validate(dir); err != nil {
		return Result{}, dirError(err)
	}
	client, err := Open(ctx, databaseURL)
	if err != nil {
		return Result{}, err
	}
	defer client.Close()
	locker, ok := client.Driver.(schema.Locker)
	if !ok {
		return Result{}, errors.New("migrate: the database driver cannot take an advisory lock")
	}
	unlock, err := locker.Lock(ctx, LockName, LockTimeout)
	if err != nil {
		return Result{}, fmt.Errorf("migrate: acquire lock %q: %w", LockName, err)
	}
	defer func() {
		if uerr := unlock(); uerr != nil {
			log.Warn("release migration lock", "error", uerr)
		}
	}()

	base := &revisions{db: client.DB, schema: RevisionSchema(databaseURL)}
	if err := base.init(ctx); err != nil {
		return Result{}, err
	}
	ex, err := migrate.NewExecutor(client.Driver, dir, base, migrate.WithOperatorVersion(OperatorVersion))
	if err != nil {
		return Result{}, err
	}
	pending, err := ex.Pending(ctx)
	var res Result
	switch {
	case errors.Is(err, migrate.ErrNoPendingFiles):
		res.Current, err = currentVersion(ctx, base)
		return res, err
	case err != nil:
		return Result{}, pendingError(err)
	}
	for _, f := range pending {
		start := time.Now()
		if err := applyFile(ctx, client, dir, base.schema, f); err != nil {
			return res, err
		}
		res.Applied = append(res.Applied, f.Version())
		log.Info("migration applied", "version", f.Version(), "description", f.Desc(),
			"duration", time.Since(start).Round(time.Millisecond))
	}
	res.Current, err = currentVersion(ctx, base)
	return res, err
}

// applyFile runs one file and its revision record in one transaction (the
// CLI's default --tx-mode file): a failing statement leaves nothing behind.
func applyFile(ctx context.Context, client *sqlclient.Client, dir migrate.Dir, revSchema string, f migrate.File) (err error) {
	tx, err := client.Tx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate %s: begin: %w", f.Name(), err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, tx.Rollback())
		}
	}()
	ex, err := migrate.NewExecutor(tx.Driver, dir, &revisions{db: tx, schema: revSchema},
		migrate.WithOperatorVersion(OperatorVersion))
	if err != nil {
		return err
	}
	start := time.Now()
	if err := ex.Execute(ctx, f); err != nil {
		return fmt.Errorf("migrate %s: %w", f.Name(), err)
	}
	// Atlas's executor restarts the revision's clock after each statement,
	// so it records how long the file took after its last statement. Record
	// the start and the whole file's time instead: `migrate history` shows
	// them.
	if _, err := tx.ExecContext(ctx, `UPDATE `+quoteIdent(revSchema)+`.`+quoteIdent(RevisionTable)+
		` SET "executed_at" = $1, "execution_time" = $2 WHERE "version" = $3`,
		start, int64(time.Since(start)), f.Version()); err != nil {
		return fmt.Errorf("migrate %s: record its duration: %w", f.Name(), err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s: commit: %w", f.Name(), err)
	}
	return nil
}

func currentVersion(ctx context.Context, r *revisions) (string, error) {
	revs, err := r.ReadRevisions(ctx)
	if err != nil {
		return "", fmt.Errorf("read revisions: %w", err)
	}
	if len(revs) == 0 {
		return "", nil
	}
	return revs[len(revs)-1].Version, nil
}

// dirError explains a broken migration directory in one line.
func dirError(err error) error {
	var cerr *migrate.ChecksumError
	switch {
	case errors.As(err, &cerr):
		return fmt.Errorf("migrate: migrations/ does not match migrations/atlas.sum (%s: file %s was changed, added or removed after atlas.sum was written); "+
			"restore the file, or if the change is intended, run `make migrate-hash`: %w", cerr.Reason, cerr.File, err)
	case errors.Is(err, migrate.ErrChecksumMismatch), errors.Is(err, migrate.ErrChecksumFormat):
		return fmt.Errorf("migrate: migrations/atlas.sum is corrupt or was edited by hand; run `make migrate-hash` after checking the files: %w", err)
	case errors.Is(err, migrate.ErrChecksumNotFound):
		return fmt.Errorf("migrate: migrations/atlas.sum is missing: %w", err)
	}
	return fmt.Errorf("migrate: %w", err)
}

func pendingError(err error) error {
	var nc *migrate.NotCleanError
	if errors.As(err, &nc) {
		return fmt.Errorf("migrate: the database already has tables but no atlas_schema_revisions history (%s); "+
			"point DATABASE_URL at an empty database: %w", nc.Reason, err)
	}
	return fmt.Errorf("migrate: %w", err)
}

// Status describes a database's migration state against a directory.
type Status struct {
	Current  string   // latest applied version, "" if none
	Applied  []string // applied versions, in order
	Pending  []string // file names still to apply, in order
	Partial  string   // a version that failed half-way, if any
	ErrorMsg string   // that version's recorded error
}

// OK reports whether nothing is pending.
func (s Status) OK() bool { return len(s.Pending) == 0 && s.Partial == "" }

// ReadStatus compares the database at databaseURL with dir without changing
// anything (it does not even create the revision table).
func ReadStatus(ctx context.Context, databaseURL string, dir migrate.Dir) (Status, error) {
	if err := migrate.Validate(dir); err != nil {
		return Status{}, dirError(err)
	}
	client, err := Open(ctx, databaseURL)
	if err != nil {
		return Status{}, err
	}
	defer client.Close()
	r := &revisions{db: client.DB, schema: RevisionSchema(databaseURL)}
	var exists bool
	if err := client.DB.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, r.table()).Scan(&exists); err != nil {
		return Status{}, fmt.Errorf("migrate status: %w", err)
	}
	var revs []*migrate.Revision
	if exists {
		if revs, err = r.ReadRevisions(ctx); err != nil {
			return Status{}, fmt.Errorf("migrate status: %w", err)
		}
	}
	files, err := dir.Files()
	if err != nil {
		return Status{}, err
	}
	var st Status
	done := map[string]bool{}
	for _, rev := range revs {
		if rev.Applied == rev.Total {
			done[rev.Version] = true
			st.Applied = append(st.Applied, rev.Version)
			st.Current = rev.Version
		} else {
			st.Partial, st.ErrorMsg = rev.Version, rev.Error
		}
	}
	for _, f := range files {
		if !done[f.Version()] {
			st.Pending = append(st.Pending, f.Name())
		}
	}
	return st, nil
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
