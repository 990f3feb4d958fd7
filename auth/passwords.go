package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"

	"golang.org/x/crypto/bcrypt"

	"github.com/syncboard/syncboard/models"
)

// Password length limits, in bytes: bcrypt reads only the first 72 bytes,
// so a longer password would silently match any password sharing them.
const (
	MinPasswordBytes = 8
	MaxPasswordBytes = 72
)

// ErrMismatch is returned by Compare for a wrong password.
var ErrMismatch = errors.New("password does not match")

// Hasher hashes and compares passwords with bcrypt, at most a fixed number
// at a time: bcrypt is deliberately slow, and a flood of logins must queue
// rather than take every CPU from the other endpoints.
type Hasher struct {
	cost    int
	slots   chan struct{}
	waiting atomic.Int64 // callers queued for a slot
	dummy   []byte
}

// NewHasher returns a Hasher of the given bcrypt cost running at most
// parallel hashes at once (runtime.NumCPU() when parallel <= 0).
func NewHasher(cost, parallel int) (*Hasher, error) {
	if parallel <= 0 {
		parallel = runtime.NumCPU()
	}
	h := &Hasher{cost: cost, slots: make(chan struct{}, parallel)}
	// The dummy hash has the real cost, so comparing against it takes as
	// long as comparing against a user's hash.
	random := make([]byte, 32)
	_, _ = rand.Read(random)
	dummy, err := bcrypt.GenerateFromPassword(random, cost)
	if err != nil {
		return nil, fmt.Errorf("bcrypt cost %d: %w", cost, err)
	}
	h.dummy = dummy
	return h, nil
}

// Cost is the bcrypt cost of new hashes.
func (h *Hasher) Cost() int { return h.cost }

// Queued is how many hashes and comparisons wait for a slot now.
func (h *Hasher) Queued() int { return int(h.waiting.Load()) }

// Busy is how many slots are taken now; Slots how many there are.
func (h *Hasher) Busy() int  { return len(h.slots) }
func (h *Hasher) Slots() int { return cap(h.slots) }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	h.waiting.Add(1)
	defer h.waiting.Add(-1)
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// The request's deadline passed in the queue: too busy now.
			return &models.Error{Code: models.CodeUnavailable, Message: "the server is too busy; try again shortly", Err: ctx.Err()}
		}
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// NeedsRehash reports whether hash was made with another cost than the
// configured one (after BCRYPT_COST changes): login then stores a new hash
// of the password it has just checked, so old accounts do not keep
// answering a wrong password faster than an unknown email does.
func (h *Hasher) NeedsRehash(hash []byte) bool {
	cost, err := bcrypt.Cost(hash)
	return err == nil && cost != h.cost
}

// Hash returns the bcrypt hash of password. The caller has checked its
// length.
func (h *Hasher) Hash(ctx context.Context, password string) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer h.release()
	return bcrypt.GenerateFromPassword([]byte(password), h.cost)
}

// Compare checks password against hash; a nil hash (no such user) compares
// against the dummy hash and always fails, taking the same time. A password
// over 72 bytes never matches, after the same work.
func (h *Hasher) Compare(ctx context.Context, hash []byte, password string) error {
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer h.release()
	tooLong := len(password) > MaxPasswordBytes
	if hash == nil || tooLong {
		hash = h.dummy
		password = password[:min(len(password), MaxPasswordBytes)]
		_ = bcrypt.CompareHashAndPassword(hash, []byte(password))
		return ErrMismatch
	}
	if err := bcrypt.CompareHashAndPassword(hash, []byte(password)); err != nil {
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return ErrMismatch
		}
		return fmt.Errorf("compare password: %w", err)
	}
	return nil
}
