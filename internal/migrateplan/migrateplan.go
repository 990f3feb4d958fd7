// Package migrateplan plans the next migration with the same Atlas engine
// and steps as `atlas migrate diff --env gorm`: run the models' DDL (from
// internal/schemaload) on a clean dev database and inspect it (the desired
// state), replay migrations/ on the same dev database and inspect it (the
// current state), diff the two, and write the plan with Atlas's default
// formatter plus an updated atlas.sum. Tools and tests only.
package migrateplan

import (
	"context"
	"errors"
	"fmt"
	"testing/fstest"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/syncboard/syncboard/dbmigrate"
)

// DefaultDevURL is the dev database Atlas computes states on (see
// dbmigrate.DefaultDevURL, which `migrate down` uses too).
const DefaultDevURL = dbmigrate.DefaultDevURL

// ErrNoChanges is returned by Plan when migrations/ already describes the
// models: there is nothing to generate.
var ErrNoChanges = migrate.ErrNoPlan

// Planner plans migrations on one dev database.
type Planner struct {
	drv   migrate.Driver
	close func() error
}

// NewPlanner connects to the (empty) dev database at devURL.
func NewPlanner(ctx context.Context, devURL string) (*Planner, error) {
	client, err := dbmigrate.Open(ctx, devURL)
	if err != nil {
		return nil, err
	}
	if client.URL.Schema == "" {
		_ = client.Close()
		return nil, errors.New("the dev database URL must bind a schema with search_path=public")
	}
	return &Planner{drv: client.Driver, close: client.Close}, nil
}

// Close closes the dev connection.
func (p *Planner) Close() error { return p.close() }

// Desired runs desiredSQL on the dev database, inspects the result and
// restores the dev database to empty.
func (p *Planner) Desired(ctx context.Context, desiredSQL string) (*schema.Realm, error) {
	files := fstest.MapFS{"schema.sql": {Data: []byte(desiredSQL)}}
	dir := dbmigrate.FSDir{FS: files}
	sum, err := dir.Checksum()
	if err != nil {
		return nil, err
	}
	b, err := sum.MarshalText()
	if err != nil {
		return nil, err
	}
	files[migrate.HashFileName] = &fstest.MapFile{Data: b}
	ex, err := migrate.NewExecutor(p.drv, dir, migrate.NopRevisionReadWriter{})
	if err != nil {
		return nil, err
	}
	realm, err := ex.Replay(ctx, migrate.SchemaConn(p.drv, "", nil))
	if err != nil {
		return nil, fmt.Errorf("load the models' schema on the dev database: %w", err)
	}
	return realm, nil
}

// Current replays dir on the dev database and returns the schema it leaves.
func (p *Planner) Current(ctx context.Context, dir migrate.Dir) (*schema.Realm, error) {
	ex, err := migrate.NewExecutor(p.drv, dir, migrate.NopRevisionReadWriter{})
	if err != nil {
		return nil, err
	}
	realm, err := ex.Replay(ctx, migrate.SchemaConn(p.drv, "", nil))
	if err != nil {
		return nil, fmt.Errorf("replay the migration directory: %w", err)
	}
	return realm, nil
}

// Diff returns the changes that take schema from to schema to, compared the
// way `atlas migrate diff` compares them.
func (p *Planner) Diff(from, to *schema.Realm) ([]schema.Change, error) {
	if len(from.Schemas) != 1 || len(to.Schemas) != 1 {
		return nil, fmt.Errorf("expected one schema on each side, got %d and %d", len(from.Schemas), len(to.Schemas))
	}
	s1, s2 := *from.Schemas[0], *to.Schemas[0]
	s1.Name = s2.Name
	return p.drv.SchemaDiff(&s1, &s2, schema.DiffNormalized())
}

// Plan computes the next migration of dir towards desiredSQL, named name
// (may be empty). It returns ErrNoChanges when there is nothing to do.
func (p *Planner) Plan(ctx context.Context, dir migrate.Dir, name, desiredSQL string) (*migrate.Plan, error) {
	desired, err := p.Desired(ctx, desiredSQL)
	if err != nil {
		return nil, err
	}
	return p.planner(dir).PlanSchema(ctx, name, migrate.Realm(desired))
}

// Write writes plan into dir as a new file and rewrites dir's atlas.sum.
func (p *Planner) Write(dir migrate.Dir, plan *migrate.Plan) error {
	return p.planner(dir).WritePlan(plan)
}

func (p *Planner) planner(dir migrate.Dir) *migrate.Planner {
	return migrate.NewPlanner(p.drv, dir,
		migrate.PlanFormat(migrate.DefaultFormatter),
		migrate.PlanWithSchemaQualifier(""),
		migrate.PlanWithDiffOptions(schema.DiffNormalized()),
	)
}
