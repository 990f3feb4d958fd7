package auth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestHashAndCompare(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, err := NewHasher(bcrypt.MinCost, 2)
	if err != nil {
		t.Fatal(err)
	}
	pw72 := strings.Repeat("p", 72)
	hash, err := h.Hash(ctx, pw72)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := bcrypt.Cost(hash); c != bcrypt.MinCost {
		t.Errorf("cost = %d, want %d", c, bcrypt.MinCost)
	}
	for _, tc := range []struct {
		name string
		hash []byte
		pw   string
		want error
	}{
		{"right password", hash, pw72, nil},
		{"wrong password", hash, "nope-nope", ErrMismatch},
		// bcrypt itself ignores byte 73 on: refuse it rather than match.
		{"73 bytes sharing the first 72", hash, pw72 + "x", ErrMismatch},
		{"no such user", nil, pw72, ErrMismatch},
	} {
		if err := h.Compare(ctx, tc.hash, tc.pw); !errors.Is(err, tc.want) {
			t.Errorf("%s: Compare = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestHashingIsBounded: no more than the configured number of bcrypt
// operations run at once; the rest wait, and a waiter whose request ends
// gives up.
func TestHashingIsBounded(t *testing.T) {
	t.Parallel()
	h, err := NewHasher(bcrypt.MinCost, 2)
	if err != nil {
		t.Fatal(err)
	}
	var running, peak atomic.Int32
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.acquire(context.Background()); err != nil {
				t.Error(err)
				return
			}
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			running.Add(-1)
			h.release()
		}()
	}
	wg.Wait()
	if p := peak.Load(); p != 2 {
		t.Errorf("peak concurrent bcrypt operations = %d, want 2", p)
	}
	// Both slots taken: a request that ends while waiting gets its error.
	_ = h.acquire(context.Background())
	_ = h.acquire(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "password1"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Hash with every slot busy = %v, want the context's deadline", err)
	}
}

// TestQueueLength: Queued counts the callers waiting for a slot, Busy the
// slots taken, and both fall back when the work is done or abandoned.
func TestQueueLength(t *testing.T) {
	h, err := NewHasher(4, 1)
	if err != nil {
		t.Fatal(err)
	}
	if h.Slots() != 1 || h.Busy() != 0 || h.Queued() != 0 {
		t.Fatalf("idle: slots %d busy %d queued %d, want 1 0 0", h.Slots(), h.Busy(), h.Queued())
	}
	if err := h.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var done sync.WaitGroup
	for range 3 {
		done.Add(1)
		go func() {
			defer done.Done()
			_, _ = h.Hash(ctx, "password1")
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for h.Queued() != 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if h.Queued() != 3 || h.Busy() != 1 {
		t.Fatalf("one slot taken, three waiting: queued %d busy %d, want 3 1", h.Queued(), h.Busy())
	}
	cancel() // the waiters give up
	done.Wait()
	h.release()
	if h.Queued() != 0 || h.Busy() != 0 {
		t.Errorf("after: queued %d busy %d, want 0 0", h.Queued(), h.Busy())
	}
}

// BenchmarkHash is one password hash at the default cost (12).
func BenchmarkHash(b *testing.B) {
	h, err := NewHasher(12, 1) // BCRYPT_COST's default
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := h.Hash(context.Background(), "correct horse battery"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyToken is the JWT part of every authenticated request.
func BenchmarkVerifyToken(b *testing.B) {
	tokens := NewTokens(secret, time.Hour)
	tok, _, _ := tokens.Issue([16]byte{1}, [16]byte{2}, time.Now())
	for b.Loop() {
		if _, err := tokens.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}
