package dbmigrate

import (
	"context"
	"fmt"
	"sort"
	"time"

	"ariga.io/atlas/sql/migrate"
)

// Entry states in a History.
const (
	StateApplied = "applied"
	StatePending = "pending"
	StateFailed  = "failed"  // a revision recorded half-way, with its error
	StateUnknown = "unknown" // applied, but this build has no file for it
)

// Entry is one migration in a database's history.
type Entry struct {
	Version     string        `json:"version"`
	Description string        `json:"description"`
	File        string        `json:"file,omitempty"`
	State       string        `json:"state"`
	AppliedAt   *time.Time    `json:"applied_at"`
	Duration    time.Duration `json:"-"`
	DurationMS  *float64      `json:"duration_ms"`
	Operator    string        `json:"operator,omitempty"`
	Error       string        `json:"error,omitempty"`
}

// History lists every migration file of dir in order, with when and how
// fast each was applied to the database at databaseURL, and the pending
// ones; versions applied without a file in dir are listed too. It changes
// nothing.
func History(ctx context.Context, databaseURL string, dir migrate.Dir) ([]Entry, error) {
	if err := migrate.Validate(dir); err != nil {
		return nil, dirError(err)
	}
	client, err := Open(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	r := &revisions{db: client.DB, schema: RevisionSchema(databaseURL)}
	var exists bool
	if err := client.DB.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, r.table()).Scan(&exists); err != nil {
		return nil, fmt.Errorf("migrate history: %w", err)
	}
	byVersion := map[string]*migrate.Revision{}
	if exists {
		revs, err := r.ReadRevisions(ctx)
		if err != nil {
			return nil, fmt.Errorf("migrate history: %w", err)
		}
		for _, rev := range revs {
			byVersion[rev.Version] = rev
		}
	}
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	entries := make([]Entry, 0, len(files))
	for _, f := range files {
		e := Entry{Version: f.Version(), Description: f.Desc(), File: f.Name(), State: StatePending}
		if rev, ok := byVersion[f.Version()]; ok {
			e.fill(rev)
			delete(byVersion, f.Version())
		}
		entries = append(entries, e)
	}
	for _, rev := range byVersion {
		e := Entry{Version: rev.Version, Description: rev.Description}
		e.fill(rev)
		e.State = StateUnknown
		entries = append(entries, e)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Version < entries[j].Version })
	return entries, nil
}

func (e *Entry) fill(rev *migrate.Revision) {
	at := rev.ExecutedAt
	ms := float64(rev.ExecutionTime) / float64(time.Millisecond)
	e.AppliedAt, e.Duration, e.DurationMS, e.Operator = &at, rev.ExecutionTime, &ms, rev.OperatorVersion
	e.State = StateApplied
	if rev.Applied != rev.Total {
		e.State, e.Error = StateFailed, rev.Error
	}
}
