package dbmigrate

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
)

// RevisionTable is the table in which the atlas CLI records applied
// migrations. SyncBoard writes the same table, with the same columns, so the
// CLI and the server binary can manage one database interchangeably.
const RevisionTable = "atlas_schema_revisions"

// defaultRevisionSchema is where the CLI keeps RevisionTable when the URL is
// not bound to a schema.
const defaultRevisionSchema = "atlas_schema_revisions"

// revisions implements migrate.RevisionReadWriter on RevisionTable, the same
// table the atlas CLI keeps (an ent schema there; plain SQL here).
type revisions struct {
	db     schema.ExecQuerier
	schema string
}

var _ migrate.RevisionReadWriter = (*revisions)(nil)

func (r *revisions) table() string {
	return quoteIdent(r.schema) + "." + quoteIdent(RevisionTable)
}

// init creates the table when missing, with the column types the atlas CLI
// gives it on PostgreSQL.
func (r *revisions) init(ctx context.Context) error {
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS " + quoteIdent(r.schema),
		`CREATE TABLE IF NOT EXISTS ` + r.table() + ` (
  "version" character varying NOT NULL,
  "description" character varying NOT NULL,
  "type" bigint NOT NULL DEFAULT 2,
  "applied" bigint NOT NULL DEFAULT 0,
  "total" bigint NOT NULL DEFAULT 0,
  "executed_at" timestamptz NOT NULL,
  "execution_time" bigint NOT NULL,
  "error" text NULL,
  "error_stmt" text NULL,
  "hash" character varying NOT NULL,
  "partial_hashes" jsonb NULL,
  "operator_version" character varying NOT NULL,
  PRIMARY KEY ("version")
)`,
	}
	for _, s := range stmts {
		if _, err := r.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("create revision table: %w", err)
		}
	}
	return nil
}

// Ident implements migrate.RevisionReadWriter.
func (r *revisions) Ident() *migrate.TableIdent {
	return &migrate.TableIdent{Name: RevisionTable, Schema: r.schema}
}

const revisionColumns = `"version", "description", "type", "applied", "total", "executed_at",
"execution_time", "error", "error_stmt", "hash", "partial_hashes", "operator_version"`

// ReadRevisions implements migrate.RevisionReadWriter, ordered by version.
func (r *revisions) ReadRevisions(ctx context.Context) ([]*migrate.Revision, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT `+revisionColumns+` FROM `+r.table()+
		` WHERE "version" NOT LIKE '.%' ORDER BY "version"`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var revs []*migrate.Revision
	for rows.Next() {
		rev, err := scanRevision(rows)
		if err != nil {
			return nil, err
		}
		revs = append(revs, rev)
	}
	return revs, rows.Err()
}

// ReadRevision implements migrate.RevisionReadWriter.
func (r *revisions) ReadRevision(ctx context.Context, version string) (*migrate.Revision, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT `+revisionColumns+` FROM `+r.table()+` WHERE "version" = $1`, version)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, migrate.ErrRevisionNotExist
	}
	return scanRevision(rows)
}

// WriteRevision implements migrate.RevisionReadWriter as an upsert.
func (r *revisions) WriteRevision(ctx context.Context, rev *migrate.Revision) error {
	var partial []byte
	if len(rev.PartialHashes) > 0 {
		var err error
		if partial, err = json.Marshal(rev.PartialHashes); err != nil {
			return err
		}
	}
	_, err := r.db.ExecContext(ctx, `INSERT INTO `+r.table()+` (`+revisionColumns+`)
VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, ''), NULLIF($9, ''), $10, $11, $12)
ON CONFLICT ("version") DO UPDATE SET
  "description" = EXCLUDED."description", "type" = EXCLUDED."type", "applied" = EXCLUDED."applied",
  "total" = EXCLUDED."total", "executed_at" = EXCLUDED."executed_at",
  "execution_time" = EXCLUDED."execution_time", "error" = EXCLUDED."error",
  "error_stmt" = EXCLUDED."error_stmt", "hash" = EXCLUDED."hash",
  "partial_hashes" = EXCLUDED."partial_hashes", "operator_version" = EXCLUDED."operator_version"`,
		rev.Version, rev.Description, int64(rev.Type), rev.Applied, rev.Total, rev.ExecutedAt,
		int64(rev.ExecutionTime), rev.Error, rev.ErrorStmt, rev.Hash, nullJSON(partial), rev.OperatorVersion)
	return err
}

// DeleteRevision implements migrate.RevisionReadWriter.
func (r *revisions) DeleteRevision(ctx context.Context, version string) error {
	_, err := r.db.ExecContext(ctx, `DELETE FROM `+r.table()+` WHERE "version" = $1`, version)
	return err
}

func scanRevision(rows *sql.Rows) (*migrate.Revision, error) {
	var (
		rev              migrate.Revision
		typ, execNanos   int64
		errText, errStmt sql.NullString
		partial          []byte
	)
	if err := rows.Scan(&rev.Version, &rev.Description, &typ, &rev.Applied, &rev.Total, &rev.ExecutedAt,
		&execNanos, &errText, &errStmt, &rev.Hash, &partial, &rev.OperatorVersion); err != nil {
		return nil, fmt.Errorf("scan revision: %w", err)
	}
	rev.Type = migrate.RevisionType(typ)
	rev.ExecutionTime = time.Duration(execNanos)
	rev.Error, rev.ErrorStmt = errText.String, errStmt.String
	if len(partial) > 0 {
		if err := json.Unmarshal(partial, &rev.PartialHashes); err != nil {
			return nil, fmt.Errorf("revision %s: partial_hashes: %w", rev.Version, err)
		}
	}
	return &rev, nil
}

func nullJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}
