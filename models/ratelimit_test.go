package models_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

func bucketKey(name string) []byte {
	k := sha256.Sum256([]byte(name))
	return k[:]
}

// TestRateLimitBucket: a bucket allows Limit attempts at once, then refuses
// with the wait until one token is back; refused attempts and failures
// charged to an empty bucket do not push that further away; after the wait
// exactly one attempt is allowed again.
func TestRateLimitBucket(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	s := models.NewStore(db)
	ctx := context.Background()
	rate := models.Rate{Limit: 3, Window: 3 * time.Second} // a token a second
	key := bucketKey("ip 192.0.2.1")
	for i := range 3 {
		if wait, err := s.TakeAttempt(ctx, rate, key); err != nil || wait != 0 {
			t.Fatalf("attempt %d = wait %s, %v; want allowed", i+1, wait, err)
		}
	}
	wait, err := s.TakeAttempt(ctx, rate, key)
	if err != nil || wait <= 0 || wait > time.Second {
		t.Fatalf("attempt 4 = wait %s, %v; want refused with a wait in (0, 1s]", wait, err)
	}
	if w, err := s.TakeAttempt(ctx, rate, bucketKey("ip 192.0.2.2")); err != nil || w != 0 {
		t.Errorf("another key = wait %s, %v; want allowed: keys must not share a bucket", w, err)
	}
	for range 20 {
		_, _ = s.TakeAttempt(ctx, rate, key)
	}
	if err := s.ChargeFailure(ctx, rate, key); err != nil {
		t.Fatal(err)
	}
	blocked, err := s.AttemptsBlocked(ctx, rate, key, bucketKey("never seen"))
	if err != nil || blocked <= 0 || blocked > wait {
		t.Fatalf("AttemptsBlocked after refused attempts = %s, %v; want in (0, %s]: refusals must not deepen the hole", blocked, err, wait)
	}
	time.Sleep(blocked)
	if w, err := s.TakeAttempt(ctx, rate, key); err != nil || w != 0 {
		t.Fatalf("attempt after the announced wait = wait %s, %v; want allowed", w, err)
	}
	if w, err := s.TakeAttempt(ctx, rate, key); err != nil || w <= 0 {
		t.Errorf("a second attempt right after recovery = wait %s, %v; want refused: one token came back", w, err)
	}
	if w, err := s.AttemptsBlocked(ctx, rate, bucketKey("never seen")); err != nil || w != 0 {
		t.Errorf("AttemptsBlocked of an unknown key = %s, %v; want 0", w, err)
	}
}

// TestRateLimitFailures: ChargeFailure charges every bucket it is given
// (the same one twice counts once), and AttemptsBlocked waits for the
// emptiest of them.
func TestRateLimitFailures(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	s := models.NewStore(db)
	ctx := context.Background()
	rate := models.Rate{Limit: 2, Window: time.Minute}
	pair, email := bucketKey("ip+email a"), bucketKey("email a")
	if err := s.ChargeFailure(ctx, rate, email, pair, email); err != nil {
		t.Fatal(err)
	}
	if w, err := s.AttemptsBlocked(ctx, rate, pair, email); err != nil || w != 0 {
		t.Fatalf("after one failure = %s, %v; want not blocked (limit 2)", w, err)
	}
	if err := s.ChargeFailure(ctx, rate, email); err != nil {
		t.Fatal(err)
	}
	w, err := s.AttemptsBlocked(ctx, rate, pair, email)
	if err != nil || w <= 25*time.Second || w > 30*time.Second {
		t.Fatalf("with the email's bucket empty = %s, %v; want about 30s (its next token), whatever the pair's", w, err)
	}
	if w, err := s.AttemptsBlocked(ctx, rate, pair); err != nil || w != 0 {
		t.Errorf("the pair alone = %s, %v; want not blocked", w, err)
	}
}

// TestRateLimitIsAtomic: attempts racing on one bucket from many
// connections are allowed exactly Limit times.
func TestRateLimitIsAtomic(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	s := models.NewStore(db)
	rate := models.Rate{Limit: 5, Window: time.Hour}
	key := bucketKey("email racer")
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			wait, err := s.TakeAttempt(context.Background(), rate, key)
			if err != nil {
				t.Error(err)
			}
			if wait == 0 {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != 5 {
		t.Errorf("allowed %d of 20 racing attempts, want 5", n)
	}
}

// TestPruneRateLimits: buckets full again are deleted, the others kept.
func TestPruneRateLimits(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	s := models.NewStore(db)
	ctx := context.Background()
	short, long := models.Rate{Limit: 10, Window: 100 * time.Millisecond}, models.Rate{Limit: 10, Window: time.Hour}
	for i := range 3 {
		if _, err := s.TakeAttempt(ctx, short, bucketKey(fmt.Sprint("short ", i))); err != nil {
			t.Fatal(err)
		}
	}
	kept := bucketKey("long")
	if _, err := s.TakeAttempt(ctx, long, kept); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // a short bucket is full after 10 ms
	n, err := s.PruneRateLimits(ctx)
	if err != nil || n != 3 {
		t.Fatalf("PruneRateLimits = %d, %v; want the 3 full buckets", n, err)
	}
	var left []models.AuthRateLimit
	if err := db.Find(&left).Error; err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || string(left[0].Key) != string(kept) {
		t.Errorf("left %d buckets, want only the one still filling", len(left))
	}
}

// BenchmarkTakeAttempt measures the cost of one attempt against the shared
// buckets: allowed (one upsert), refused (the upsert that writes nothing,
// then one read), and the check and charge of a failed login's two buckets;
// "select-1" is the floor: one round trip that does nothing.
func BenchmarkTakeAttempt(b *testing.B) {
	db, _ := testdb.Open(b)
	s := models.NewStore(db)
	ctx := context.Background()
	b.Run("select-1", func(b *testing.B) {
		for b.Loop() {
			if err := db.Exec("SELECT 1").Error; err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("allowed", func(b *testing.B) {
		rate := models.Rate{Limit: 1_000_000, Window: time.Second}
		for i := 0; b.Loop(); i++ {
			if _, err := s.TakeAttempt(ctx, rate, bucketKey(fmt.Sprint("ip ", i%1000))); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("refused", func(b *testing.B) {
		rate := models.Rate{Limit: 1, Window: time.Hour}
		key := bucketKey("refused")
		_, _ = s.TakeAttempt(ctx, rate, key)
		for b.Loop() {
			if wait, err := s.TakeAttempt(ctx, rate, key); err != nil || wait == 0 {
				b.Fatal(wait, err)
			}
		}
	})
	b.Run("failed-login", func(b *testing.B) {
		rate := models.Rate{Limit: 1_000_000, Window: time.Second}
		for i := 0; b.Loop(); i++ {
			pair, email := bucketKey(fmt.Sprint("pair ", i%1000)), bucketKey(fmt.Sprint("email ", i%1000))
			if _, err := s.AttemptsBlocked(ctx, rate, pair, email); err != nil {
				b.Fatal(err)
			}
			if err := s.ChargeFailure(ctx, rate, pair, email); err != nil {
				b.Fatal(err)
			}
		}
	})
}
