// Package ratelimit limits attempts per key (a client IP, an email) with a
// token bucket per key: Limit attempts at once, refilled evenly over Window.
//
// It is in memory, so each server instance counts on its own; behind N
// instances a client gets at most N times the limit, which still stops
// online password guessing at scale.
package ratelimit

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter is a set of token buckets, one per key.
type Limiter struct {
	limit int
	every rate.Limit
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
	window    time.Duration
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns a Limiter allowing limit attempts per key per window.
func New(limit int, window time.Duration) *Limiter {
	return &Limiter{
		limit:   limit,
		every:   rate.Limit(float64(limit) / window.Seconds()),
		now:     time.Now,
		buckets: map[string]*bucket{},
		window:  window,
	}
}

// Allow takes one attempt for key. When none is left it returns false and
// how long until one is.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b, found := l.buckets[key]
	if !found {
		b = &bucket{lim: rate.NewLimiter(l.every, l.limit)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Blocked reports, without taking anything, whether key's bucket is empty,
// and if so how long until it holds one token again: for limits that count
// failures, checked before an attempt and charged (Fail) only when it fails.
func (l *Limiter) Blocked(key string) (blocked bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.buckets[key]
	if !found {
		return false, 0
	}
	if tokens := b.lim.TokensAt(now); tokens < 1 {
		return true, time.Duration((1 - tokens) / float64(l.every) * float64(time.Second))
	}
	return false, 0
}

// Fail charges one failure to key's bucket (nothing when it is empty
// already: a refused attempt does not push the reopening further away).
func (l *Limiter) Fail(key string) {
	_, _ = l.Allow(key)
}

// sweep forgets buckets idle for a whole window: they are full again, so
// forgetting them changes nothing, and memory stays bounded by the keys seen
// in one window.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < l.window {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if now.Sub(b.seen) >= l.window {
			delete(l.buckets, k)
		}
	}
}

// Len is the number of keys tracked, for tests and metrics.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// RetryAfterSeconds rounds a delay up to whole seconds, at least 1, for the
// Retry-After header.
func RetryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
