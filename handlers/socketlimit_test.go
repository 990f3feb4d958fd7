package handlers

import (
	"sync"
	"testing"

	"github.com/google/uuid"
)

// TestSocketLimit: a user gets perUser sockets and no more, each user
// their own; a release frees one, and a user with none open leaves no
// entry behind; concurrent handshakes never exceed the limit.
func TestSocketLimit(t *testing.T) {
	t.Parallel()
	l := newSocketLimit(3)
	ann, bob := uuid.New(), uuid.New()
	for i := range 3 {
		if !l.acquire(ann) {
			t.Fatalf("socket %d of 3 refused", i+1)
		}
	}
	if l.acquire(ann) {
		t.Fatal("a 4th socket was allowed")
	}
	if !l.acquire(bob) {
		t.Fatal("another user's first socket was refused")
	}
	l.release(ann)
	if !l.acquire(ann) {
		t.Fatal("after a release, a new socket was refused")
	}
	for range 3 {
		l.release(ann)
	}
	l.release(bob)
	if len(l.open) != 0 {
		t.Errorf("with no socket open the counter keeps %v", l.open)
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 50 {
		wg.Go(func() {
			if l.acquire(ann) {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if granted != 3 {
		t.Errorf("50 concurrent handshakes got %d sockets, want 3", granted)
	}
}
