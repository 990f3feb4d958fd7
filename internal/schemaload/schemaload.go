// Package schemaload turns the GORM models into the DDL of the schema they
// describe, through Atlas's GORM provider: what cmd/atlas-loader prints for
// the atlas CLI and what internal/migrateplan plans migrations towards.
//
// It loads only; it never connects to a database (planning is
// internal/migrateplan), so the loader links the models and the provider and
// nothing of the server's migration code. The provider itself links the
// postgres, sqlite, sqlserver, mysql and spanner GORM drivers (pgx among
// them), so only tools and tests import this package; the server binary
// never does.
package schemaload

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"ariga.io/atlas-provider-gorm/gormschema"
	"ariga.io/atlas/sdk/recordriver"
	"gorm.io/gorm"

	"github.com/syncboard/syncboard/models"
)

// SQL returns the DDL of the schema the GORM models describe, as the atlas
// CLI's external_schema data source reads it from cmd/atlas-loader.
func SQL() (string, error) { return SQLFor(models.All()...) }

// SQLFor is SQL for an explicit list of models (tests use it to stand in a
// changed model).
func SQLFor(ms ...any) (string, error) {
	// The provider records statements in one process-wide session of Atlas's
	// recording driver, never reset between loads: serialize loads and start
	// each from an empty record, or one load's output would carry another's.
	loadMu.Lock()
	defer loadMu.Unlock()
	if s, ok := recordriver.Session("gorm"); ok {
		s.Statements, s.Queries = nil, nil
	}
	stmts, err := gormschema.New("postgres", gormschema.WithConfig(&gorm.Config{})).Load(ms...)
	if err != nil {
		return "", fmt.Errorf("load gorm schema: %w", err)
	}
	return canonical(stmts), nil
}

// canonical puts the provider's output in one order. The provider creates
// a model's many2many join tables while it walks GORM's relationship map, so
// two loads of the same models name those tables in different orders, and it
// emits the foreign keys of join tables in map order too. Every table here is
// one CREATE TABLE followed by its own indexes, and every foreign key is a
// separate ALTER TABLE after all the tables, so no statement depends on
// another's place: the tables (each with its indexes) are sorted by name,
// then the foreign keys. Anything else the provider prints keeps its place
// ahead of them.
func canonical(stmts string) string {
	var head, fks []string
	var tables [][]string
	for _, l := range strings.SplitAfter(stmts, ";\n") {
		switch {
		case strings.HasPrefix(l, "ALTER TABLE ") && strings.Contains(l, " ADD CONSTRAINT "):
			fks = append(fks, l)
		case strings.HasPrefix(l, "CREATE TABLE "):
			tables = append(tables, []string{l})
		case len(tables) > 0 && (strings.HasPrefix(l, "CREATE INDEX ") || strings.HasPrefix(l, "CREATE UNIQUE INDEX ")):
			tables[len(tables)-1] = append(tables[len(tables)-1], l)
		default:
			head = append(head, l)
		}
	}
	slices.SortStableFunc(tables, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	slices.Sort(fks)
	var out strings.Builder
	for _, l := range head {
		out.WriteString(l)
	}
	for _, t := range tables {
		for _, l := range t {
			out.WriteString(l)
		}
	}
	for _, l := range fks {
		out.WriteString(l)
	}
	return out.String()
}

var loadMu sync.Mutex
