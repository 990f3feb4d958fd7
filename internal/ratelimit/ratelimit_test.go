package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newAt(limit int, window time.Duration) (*Limiter, *clock) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	l := New(limit, window)
	l.now = c.now
	return l, c
}

func TestLimitThenRecovery(t *testing.T) {
	t.Parallel()
	l, c := newAt(10, time.Minute)
	for i := range 10 {
		if ok, _ := l.Allow("ip"); !ok {
			t.Fatalf("attempt %d refused, want the first 10 allowed", i+1)
		}
	}
	ok, wait := l.Allow("ip")
	if ok || wait <= 0 || wait > 6*time.Second {
		t.Fatalf("11th attempt = %v, wait %s; want refused with a wait of at most 6s (one token per 6s)", ok, wait)
	}
	if ok, _ := l.Allow("other"); !ok {
		t.Error("another key was refused: keys must not share a bucket")
	}
	c.advance(wait)
	if ok, _ := l.Allow("ip"); !ok {
		t.Error("attempt after the announced wait was refused")
	}
	if ok, _ := l.Allow("ip"); ok {
		t.Error("a second attempt right after recovery was allowed: only one token had refilled")
	}
}

func TestRefusedAttemptsDoNotDeepenTheHole(t *testing.T) {
	t.Parallel()
	l, c := newAt(1, time.Second)
	l.Allow("k")
	for range 100 {
		l.Allow("k")
	}
	c.advance(time.Second)
	if ok, _ := l.Allow("k"); !ok {
		t.Error("after one window the key is still refused: refused attempts must not consume future tokens")
	}
}

func TestIdleKeysAreForgotten(t *testing.T) {
	t.Parallel()
	l, c := newAt(5, time.Minute)
	for i := range 1000 {
		l.Allow(fmt.Sprintf("ip-%d", i))
	}
	if n := l.Len(); n != 1000 {
		t.Fatalf("keys = %d, want 1000", n)
	}
	c.advance(time.Minute)
	l.Allow("fresh")
	if n := l.Len(); n != 1 {
		t.Errorf("keys after a window of silence = %d, want 1 (memory is bounded by one window's keys)", n)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]int{time.Millisecond: 1, time.Second: 1, 1500 * time.Millisecond: 2, 6 * time.Second: 6} {
		if got := RetryAfterSeconds(d); got != want {
			t.Errorf("RetryAfterSeconds(%s) = %d, want %d", d, got, want)
		}
	}
}
