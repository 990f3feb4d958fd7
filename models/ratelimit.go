package models

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// Rate is the shape of a token bucket: Limit attempts at once, refilled
// evenly over Window (one token every Window/Limit).
type Rate struct {
	Limit  int
	Window time.Duration
}

// bucket is a Rate in the units the statements use: the time one token
// takes to come back (step) and how far past now FullAt may be while a token
// is left (slack, the other Limit-1 tokens), both in microseconds, the
// precision of timestamptz.
func (r Rate) bucket() (step, slack int64) {
	if r.Limit <= 0 {
		return 0, 0
	}
	step = (r.Window / time.Duration(r.Limit)).Microseconds()
	return step, step * int64(r.Limit-1)
}

// asyncCommit, joined into a statement, makes its transaction commit
// without waiting for the WAL to reach the disk (synchronous_commit off for
// that transaction only). A bucket is not worth an fsync: a database crash
// may forget the last fraction of a second of attempts, which gives a
// guesser nothing, and each attempt no longer waits for the disk (most of
// its cost; BenchmarkTakeAttempt).
const asyncCommit = "(SELECT set_config('synchronous_commit', 'off', true)) AS async"

// TakeAttempt takes one token from key's bucket. It returns 0 when there was
// one, else how long until there is (and takes nothing: a refused attempt
// does not push the bucket's reopening further away). One upsert, plus one
// read when refused; every instance shares the buckets, on the database's
// clock.
//
// Errors: CodeUnavailable.
func (s *Store) TakeAttempt(ctx context.Context, r Rate, key []byte) (time.Duration, error) {
	step, slack := r.bucket()
	db := s.db.WithContext(ctx)
	// The WHERE of DO UPDATE refuses without writing: no row comes back.
	// "( ?", never "(?": GORM spreads a slice (a key) that follows "(".
	res := db.Exec(`INSERT INTO auth_rate_limits AS b (key, full_at)
		SELECT k, now() + ?::bigint * interval '1 microsecond' FROM (VALUES ( ?::bytea)) AS v (k), `+asyncCommit+`
		ON CONFLICT (key) DO UPDATE SET full_at = greatest(b.full_at, now()) + ?::bigint * interval '1 microsecond'
		WHERE b.full_at <= now() + ?::bigint * interval '1 microsecond'`, step, key, step, slack)
	if res.Error != nil {
		return 0, Classify(fmt.Errorf("take attempt: %w", res.Error))
	}
	if res.RowsAffected == 1 {
		return 0, nil
	}
	return s.blockedFor(ctx, slack, [][]byte{key})
}

// AttemptsBlocked says, without taking anything, how long until every one
// of keys' buckets holds a token again: 0 when all of them do. It is the
// check before an attempt whose failure alone is charged (ChargeFailure).
//
// Errors: CodeUnavailable.
func (s *Store) AttemptsBlocked(ctx context.Context, r Rate, keys ...[]byte) (time.Duration, error) {
	_, slack := r.bucket()
	return s.blockedFor(ctx, slack, keys)
}

func (s *Store) blockedFor(ctx context.Context, slack int64, keys [][]byte) (time.Duration, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	in := make([]any, len(keys))
	for i, k := range keys {
		in[i] = k
	}
	// Whole microseconds: no float rounding between the two clocks' sides.
	var wait sql.NullInt64
	err := s.db.WithContext(ctx).Raw(`SELECT (extract(epoch FROM max(full_at) - now()) * 1000000)::bigint - ?::bigint
		FROM auth_rate_limits WHERE key IN ?`, slack, in).Row().Scan(&wait)
	if err != nil {
		return 0, Classify(fmt.Errorf("read attempts: %w", err))
	}
	if !wait.Valid || wait.Int64 <= 0 {
		return 0, nil
	}
	return time.Duration(wait.Int64) * time.Microsecond, nil
}

// ChargeFailure takes one token from each of keys' buckets that holds one
// (an empty bucket stays as it is), in one statement.
//
// Errors: CodeUnavailable.
func (s *Store) ChargeFailure(ctx context.Context, r Rate, keys ...[]byte) error {
	if len(keys) == 0 {
		return nil
	}
	step, slack := r.bucket()
	// One order of keys for every statement: two failures charging the same
	// pair of buckets lock them in the same order, so they cannot deadlock.
	keys = slices.Clone(keys)
	slices.SortFunc(keys, bytes.Compare)
	keys = slices.CompactFunc(keys, bytes.Equal)
	values := make([]any, 0, len(keys)+3)
	values = append(values, step)
	rows := ""
	for i, k := range keys {
		if i > 0 {
			rows += ", "
		}
		rows += "( ?::bytea)"
		values = append(values, k)
	}
	stmt := `INSERT INTO auth_rate_limits AS b (key, full_at)
		SELECT k, now() + ?::bigint * interval '1 microsecond' FROM (VALUES ` + rows + `) AS v (k), ` + asyncCommit + `
		ON CONFLICT (key) DO UPDATE SET full_at = greatest(b.full_at, now()) + ?::bigint * interval '1 microsecond'
		WHERE b.full_at <= now() + ?::bigint * interval '1 microsecond'`
	values = append(values, step, slack)
	if err := s.db.WithContext(ctx).Exec(stmt, values...).Error; err != nil {
		return Classify(fmt.Errorf("charge failure: %w", err))
	}
	return nil
}

// PruneRateLimits deletes the buckets that are full again (a full bucket is
// the same as none) and says how many.
//
// Errors: CodeUnavailable.
func (s *Store) PruneRateLimits(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Exec("DELETE FROM auth_rate_limits WHERE full_at < now()")
	if res.Error != nil {
		return 0, Classify(fmt.Errorf("prune rate limits: %w", res.Error))
	}
	return res.RowsAffected, nil
}
