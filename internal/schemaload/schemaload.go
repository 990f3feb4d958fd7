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
	return stmts, nil
}

var loadMu sync.Mutex
