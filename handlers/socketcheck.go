package handlers

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// accessChecker re-checks, every socketCheck, that each open socket's
// session lives and its membership holds: a safety net under the session
// notices and the member.removed event, which close sockets at once. All
// of an instance's sockets are checked together (Store.StillAllowedMany,
// one statement per thousand), so 10,000 sockets cost a few queries every
// 5 s, not 4,000 queries a second.
type accessChecker struct {
	store *models.Store
	log   *slog.Logger
	every time.Duration

	mu      sync.Mutex
	watches map[*watch]struct{}
	running bool
}

// watch is one socket's claim; revoked is closed when it no longer holds.
type watch struct {
	access  models.Access
	revoked chan struct{}
}

func newAccessChecker(store *models.Store, log *slog.Logger) *accessChecker {
	return &accessChecker{store: store, log: log, every: socketCheck, watches: map[*watch]struct{}{}}
}

// watch registers a socket until stop is called. The checking loop runs
// while any socket is registered.
func (c *accessChecker) watch(user, session, room uuid.UUID) (w *watch, stop func()) {
	w = &watch{access: models.Access{User: user, Session: session, Room: room}, revoked: make(chan struct{})}
	c.mu.Lock()
	c.watches[w] = struct{}{}
	if !c.running {
		c.running = true
		go c.loop()
	}
	c.mu.Unlock()
	return w, func() {
		c.mu.Lock()
		delete(c.watches, w)
		c.mu.Unlock()
	}
}

func (c *accessChecker) loop() {
	tick := time.NewTicker(c.every)
	defer tick.Stop()
	for range tick.C {
		c.mu.Lock()
		if len(c.watches) == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		ws := make([]*watch, 0, len(c.watches))
		list := make([]models.Access, 0, len(c.watches))
		for w := range c.watches {
			ws = append(ws, w)
			list = append(list, w.access)
		}
		c.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), c.every)
		allowed, err := c.store.StillAllowedMany(ctx, list)
		cancel()
		if err != nil {
			// The database is away: the sockets stay (they read nothing
			// new meanwhile), and the next round checks again.
			c.log.Warn("re-check sockets' access", "sockets", len(ws), "error", err)
			continue
		}
		c.mu.Lock()
		for i, w := range ws {
			if !allowed[i] {
				delete(c.watches, w)
				close(w.revoked)
			}
		}
		c.mu.Unlock()
	}
}
