package dbmigrate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"ariga.io/atlas/schemahcl"
	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlcheck"
	"ariga.io/atlas/sql/sqlcheck/destructive"
)

// DefaultDevURL is the dev database Atlas computes states on (ATLAS_DEV_URL's
// default). It must be empty; its search_path binds Atlas to one schema, so
// statements come out unqualified ("users", not "public"."users").
// atlas.hcl uses the same URL.
const DefaultDevURL = "postgres://postgres@127.0.0.1:5432/syncboard_dev?sslmode=disable&search_path=public"

// DownOptions says how far Down goes and what it may do.
type DownOptions struct {
	// Steps is how many applied migrations to revert, newest first
	// (0 means 1). Ignored when To is set.
	Steps int
	// To reverts every applied migration after this version, which must be
	// applied.
	To string
	// DevURL is the empty dev database the target state is computed on.
	DevURL string
	// AllowDataLoss runs a plan that drops tables or columns holding rows.
	AllowDataLoss bool
	// DryRun plans and checks, and changes nothing.
	DryRun bool
}

// DownResult says what Down did, or would do on a dry run.
type DownResult struct {
	Reverted []string // versions reverted, newest first
	Target   string   // the version current afterwards ("" when none is left)
	SQL      []string // the planned statements, in order
	Loss     []Loss   // data the plan deletes (allowed, or why it was refused)
	DryRun   bool     // nothing was changed
}

// Loss is one table or column a down plan drops while it holds data.
type Loss struct {
	Code   string // the destructive analyzer's code: DS102 (table), DS103 (column)
	Table  string
	Column string // "" for a whole table
	Rows   int64  // rows of the table, or rows whose column holds a value other than NULL and its default

	deflt string // the column's default when it is a constant (a literal), else ""
}

// constantDefault is c's default when it is a literal (false, 0, ”), which
// compares without running anything; "" for none or an expression (now()).
func constantDefault(c *schema.Column) string {
	if lit, ok := c.Default.(*schema.Literal); ok {
		return lit.V
	}
	return ""
}

func (l Loss) String() string {
	if l.Column == "" {
		return fmt.Sprintf("%s: dropping table %q deletes %d row(s)", l.Code, l.Table, l.Rows)
	}
	return fmt.Sprintf("%s: dropping column %q.%q deletes its value in %d row(s)", l.Code, l.Table, l.Column, l.Rows)
}

// DataLossError is returned by Down when its plan would drop a table or a
// column that holds data and DownOptions.AllowDataLoss is false. Nothing
// has been changed.
type DataLossError struct {
	Target string
	Loss   []Loss
}

func (e *DataLossError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "migrate down: refused: reverting to version %s would delete data:", orNone(e.Target))
	for _, l := range e.Loss {
		b.WriteString("\n  " + l.String())
	}
	b.WriteString("\nnothing was changed; rerun with --allow-data-loss to accept the loss (--dry-run shows the SQL)")
	return b.String()
}

// Down reverts applied migrations of the database at databaseURL. Atlas
// stores no down files: the plan is computed. Down replays dir up to the
// target version on the dev database, inspects the live schema, diffs the
// two and plans the change from live to target. Atlas's destructive
// analyzer checks the plan; a dropped table or column that holds rows is
// refused (a *DataLossError) unless opts.AllowDataLoss. The plan and the
// removal of the reverted rows of atlas_schema_revisions run in one
// transaction, under the advisory lock Apply takes, and the schema is
// checked against the target before the commit.
func Down(ctx context.Context, databaseURL string, dir migrate.Dir, opts DownOptions, log *slog.Logger) (DownResult, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := migrate.Validate(dir); err != nil {
		return DownResult{}, dirError(err)
	}
	if opts.DevURL == "" {
		opts.DevURL = DefaultDevURL
	}
	client, err := Open(ctx, databaseURL)
	if err != nil {
		return DownResult{}, err
	}
	defer client.Close()
	locker, ok := client.Driver.(schema.Locker)
	if !ok {
		return DownResult{}, errors.New("migrate down: the database driver cannot take an advisory lock")
	}
	unlock, err := locker.Lock(ctx, LockName, LockTimeout)
	if err != nil {
		return DownResult{}, fmt.Errorf("migrate down: acquire lock %q: %w", LockName, err)
	}
	defer func() {
		if uerr := unlock(); uerr != nil {
			log.Warn("release migration lock", "error", uerr)
		}
	}()

	// Read the history under the lock: a down that waited for another one
	// starts from what that one left.
	base := &revisions{db: client.DB, schema: RevisionSchema(databaseURL)}
	var exists bool
	if err := client.DB.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, base.table()).Scan(&exists); err != nil {
		return DownResult{}, fmt.Errorf("migrate down: %w", err)
	}
	if !exists {
		return DownResult{}, errors.New("migrate down: no migration has been applied to this database")
	}
	revs, err := base.ReadRevisions(ctx)
	if err != nil {
		return DownResult{}, fmt.Errorf("migrate down: read revisions: %w", err)
	}
	res, err := downTarget(revs, opts)
	if err != nil {
		return DownResult{}, err
	}
	res.DryRun = opts.DryRun
	if res.Target != "" {
		if err := hasVersion(dir, res.Target); err != nil {
			return DownResult{}, err
		}
	}
	want, err := targetState(ctx, opts.DevURL, dir, res.Target)
	if err != nil {
		return DownResult{}, err
	}

	tx, err := client.Tx(ctx, nil)
	if err != nil {
		return DownResult{}, fmt.Errorf("migrate down: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	changes, err := diffLive(ctx, tx.Driver, want)
	if err != nil {
		return DownResult{}, err
	}
	var plan *migrate.Plan
	if len(changes) > 0 {
		unqualified := ""
		plan, err = tx.Driver.PlanChanges(ctx, "down", changes, func(o *migrate.PlanOptions) { o.SchemaQualifier = &unqualified })
		if err != nil {
			return DownResult{}, fmt.Errorf("migrate down: plan: %w", err)
		}
		for _, c := range plan.Changes {
			res.SQL = append(res.SQL, c.Cmd)
		}
	}
	if res.Loss, err = dataLoss(ctx, tx.Driver, plan, !opts.DryRun); err != nil {
		return res, err
	}
	if len(res.Loss) > 0 && !opts.AllowDataLoss {
		return res, &DataLossError{Target: res.Target, Loss: res.Loss}
	}
	if opts.DryRun {
		return res, nil
	}
	start := time.Now()
	if plan != nil {
		for _, c := range plan.Changes {
			if _, err := tx.Driver.ExecContext(ctx, c.Cmd, c.Args...); err != nil {
				return res, fmt.Errorf("migrate down: %s: %w", c.Cmd, err)
			}
		}
	}
	// The plan must leave exactly the target schema; anything else is a bug
	// in the plan, and the transaction is rolled back.
	left, err := diffLive(ctx, tx.Driver, want)
	if err != nil {
		return res, err
	}
	if len(left) > 0 {
		return res, fmt.Errorf("migrate down: the plan left %d difference(s) from version %s; nothing was changed", len(left), orNone(res.Target))
	}
	txRevs := &revisions{db: tx.Driver, schema: base.schema}
	for _, v := range res.Reverted {
		if err := txRevs.DeleteRevision(ctx, v); err != nil {
			return res, fmt.Errorf("migrate down: delete revision %s: %w", v, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("migrate down: commit: %w", err)
	}
	committed = true
	log.Info("migrations reverted", "reverted", res.Reverted, "version", orNone(res.Target),
		"statements", len(res.SQL), "duration", time.Since(start).Round(time.Millisecond))
	return res, nil
}

// downTarget picks the versions to revert and the version left current.
func downTarget(revs []*migrate.Revision, opts DownOptions) (DownResult, error) {
	var applied []string
	for _, r := range revs {
		if r.Applied != r.Total {
			return DownResult{}, fmt.Errorf("migrate down: version %s failed half-way (%s); repair it before reverting", r.Version, r.Error)
		}
		applied = append(applied, r.Version)
	}
	if len(applied) == 0 {
		return DownResult{}, errors.New("migrate down: no migration has been applied to this database")
	}
	keep := 0
	switch {
	case opts.To != "":
		keep = -1
		for i, v := range applied {
			if v == opts.To {
				keep = i + 1
			}
		}
		if keep < 0 {
			return DownResult{}, fmt.Errorf("migrate down: version %s is not applied to this database (applied: %s)", opts.To, strings.Join(applied, ", "))
		}
	default:
		n := max(opts.Steps, 1)
		if n > len(applied) {
			return DownResult{}, fmt.Errorf("migrate down: cannot revert %d migrations: only %d applied", n, len(applied))
		}
		keep = len(applied) - n
	}
	var res DownResult
	for i := len(applied) - 1; i >= keep; i-- {
		res.Reverted = append(res.Reverted, applied[i])
	}
	if keep > 0 {
		res.Target = applied[keep-1]
	}
	return res, nil
}

func hasVersion(dir migrate.Dir, v string) error {
	files, err := dir.Files()
	if err != nil {
		return err
	}
	for _, f := range files {
		if f.Version() == v {
			return nil
		}
	}
	return fmt.Errorf("migrate down: version %s is applied but has no file in this build's migrations/; use the build that has it", v)
}

// targetState replays dir up to version (nothing when "") on the empty dev
// database at devURL and returns its schema; the dev database is left empty.
func targetState(ctx context.Context, devURL string, dir migrate.Dir, version string) (*schema.Schema, error) {
	dev, err := Open(ctx, devURL)
	if err != nil {
		return nil, fmt.Errorf("migrate down: dev database: %w", err)
	}
	defer dev.Close()
	read := migrate.SchemaConn(dev.Driver, "", nil)
	var realm *schema.Realm
	if version == "" {
		if realm, err = read.ReadState(ctx); err == nil {
			if len(realm.Schemas) == 1 && len(realm.Schemas[0].Tables) > 0 {
				err = fmt.Errorf("the dev database %s is not empty", redact(devURL))
			}
		}
	} else {
		var ex *migrate.Executor
		if ex, err = migrate.NewExecutor(dev.Driver, dir, migrate.NopRevisionReadWriter{}); err == nil {
			realm, err = ex.Replay(ctx, read, migrate.ReplayToVersion(version))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("migrate down: compute version %s on the dev database: %w", orNone(version), err)
	}
	if len(realm.Schemas) != 1 {
		return nil, fmt.Errorf("migrate down: the dev database URL must bind one schema (search_path=public), got %d", len(realm.Schemas))
	}
	return realm.Schemas[0], nil
}

// diffLive inspects the schema drv is bound to (without the revision table)
// and returns the changes that turn it into want.
func diffLive(ctx context.Context, drv migrate.Driver, want *schema.Schema) ([]schema.Change, error) {
	live, err := drv.InspectSchema(ctx, "", &schema.InspectOptions{Exclude: []string{RevisionTable}})
	if err != nil {
		return nil, fmt.Errorf("migrate down: inspect the database: %w", err)
	}
	to := *want
	to.Name = live.Name
	changes, err := drv.SchemaDiff(live, &to, schema.DiffNormalized())
	if err != nil {
		return nil, fmt.Errorf("migrate down: diff: %w", err)
	}
	for _, c := range changes {
		if mt, ok := c.(*schema.ModifyTable); ok {
			generatedDropsFirst(mt.Changes)
		}
	}
	return changes, nil
}

// generatedDropsFirst moves the drops of generated columns to the front of
// a table's changes: PostgreSQL refuses to drop a column a generated column
// still reads (cards.comments_text, read by cards.search_vector) in the
// order Atlas plans them, one ALTER TABLE in column order.
func generatedDropsFirst(changes []schema.Change) {
	slices.SortStableFunc(changes, func(a, b schema.Change) int {
		return cmp.Compare(generatedDrop(b), generatedDrop(a))
	})
}

func generatedDrop(c schema.Change) int {
	if dc, ok := c.(*schema.DropColumn); ok && generated(dc.C) {
		return 1
	}
	return 0
}

// generated reports whether c is a generated column: its values are
// computed from the row's other columns, so dropping it loses nothing.
func generated(c *schema.Column) bool {
	for _, a := range c.Attrs {
		if _, ok := a.(*schema.GeneratedExpr); ok {
			return true
		}
	}
	return false
}

// dataLoss runs Atlas's destructive analyzer on plan and, for each table or
// column it reports, counts the rows the drop would delete. With lock, the
// tables are locked first (the drop takes the same lock a moment later), so
// no row can arrive between the count and the drop.
func dataLoss(ctx context.Context, drv migrate.Driver, plan *migrate.Plan, lock bool) ([]Loss, error) {
	if plan == nil {
		return nil, nil
	}
	az, err := destructive.New(&schemahcl.Resource{})
	if err != nil {
		return nil, err
	}
	file := &sqlcheck.File{File: migrate.NewLocalFile("down.sql", nil)}
	for i, c := range plan.Changes {
		if c.Source == nil {
			continue
		}
		// Pos is the index of the planned change, to find it again below.
		file.Changes = append(file.Changes, &sqlcheck.Change{
			Stmt:    &migrate.Stmt{Pos: i, Text: c.Cmd},
			Changes: schema.Changes{c.Source},
		})
	}
	var diags []sqlcheck.Diagnostic
	report := sqlcheck.ReportWriterFunc(func(r sqlcheck.Report) { diags = append(diags, r.Diagnostics...) })
	// The analyzer also returns an error when it reports; the report is
	// what matters here.
	_ = az.Analyze(ctx, &sqlcheck.Pass{File: file, Reporter: report})

	var (
		losses []Loss
		seen   = map[string]bool{}
		locked = map[string]bool{}
	)
	for _, d := range diags {
		var candidates []Loss
		switch c := plan.Changes[d.Pos].Source.(type) {
		case *schema.DropTable:
			candidates = append(candidates, Loss{Code: d.Code, Table: c.T.Name})
		case *schema.ModifyTable:
			for _, mc := range c.Changes {
				if dc, ok := mc.(*schema.DropColumn); ok && !generated(dc.C) {
					candidates = append(candidates, Loss{Code: d.Code, Table: c.T.Name, Column: dc.C.Name,
						deflt: constantDefault(dc.C)})
				}
			}
		}
		for _, l := range candidates {
			key := l.Table + "." + l.Column
			if seen[key] {
				continue
			}
			seen[key] = true
			if lock && !locked[l.Table] {
				if _, err := drv.ExecContext(ctx, "LOCK TABLE "+quoteIdent(l.Table)+" IN ACCESS EXCLUSIVE MODE"); err != nil {
					return nil, fmt.Errorf("migrate down: lock %s: %w", l.Table, err)
				}
				locked[l.Table] = true
			}
			q := "SELECT count(*) FROM " + quoteIdent(l.Table)
			switch {
			case l.Column != "" && l.deflt != "":
				// A value equal to the column's constant default is not
				// data anyone entered (a NOT NULL DEFAULT false column of
				// rows nobody touched): dropping it loses nothing.
				q += " WHERE " + quoteIdent(l.Column) + " IS DISTINCT FROM " + l.deflt
			case l.Column != "":
				q += " WHERE " + quoteIdent(l.Column) + " IS NOT NULL"
			}
			if err := queryInt(ctx, drv, q, &l.Rows); err != nil {
				return nil, fmt.Errorf("migrate down: count rows of %s: %w", l.Table, err)
			}
			if l.Rows > 0 {
				losses = append(losses, l)
			}
		}
	}
	return losses, nil
}

func queryInt(ctx context.Context, q schema.ExecQuerier, query string, out *int64) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return errors.New("no result")
	}
	if err := rows.Scan(out); err != nil {
		return err
	}
	return rows.Close()
}

func orNone(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

// redact hides a password in a URL for messages.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
