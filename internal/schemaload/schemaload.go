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

// canonical sorts the foreign keys the provider adds after the tables: it
// emits those of many2many join tables in map order, so two loads of the
// same models would print them differently. Each is one independent
// statement, so their order changes nothing but the text.
func canonical(stmts string) string {
	lines := strings.SplitAfter(stmts, ";\n")
	var head, fks []string
	for _, l := range lines {
		if strings.HasPrefix(l, "ALTER TABLE ") && strings.Contains(l, " ADD CONSTRAINT ") {
			fks = append(fks, l)
		} else {
			head = append(head, l)
		}
	}
	slices.Sort(fks)
	return strings.Join(head, "") + strings.Join(fks, "")
}

var loadMu sync.Mutex
