package handlers

import (
	"log/slog"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// socketRetryAfter is the Retry-After of a refused socket. When a socket
// frees up depends on the client's other sockets, which the server cannot
// foresee; the hint only keeps a reconnect loop from hammering.
const socketRetryAfter = "5"

// socketLimit counts each user's open WebSockets on this instance, room
// sockets and user streams alike, so that one user (a runaway reconnect
// loop, a leak in a client) cannot hold the instance's connections and
// database queries for everyone. It is per instance, like the auth limits:
// a count shared across instances would need the database on every
// handshake and every close.
type socketLimit struct {
	perUser int
	mu      sync.Mutex
	open    map[uuid.UUID]int
}

func newSocketLimit(perUser int) *socketLimit {
	return &socketLimit{perUser: perUser, open: map[uuid.UUID]int{}}
}

// acquire takes one of userID's sockets; false when all are taken. A true
// must be paired with one release.
func (l *socketLimit) acquire(userID uuid.UUID) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[userID] >= l.perUser {
		return false
	}
	l.open[userID]++
	return true
}

// release gives back a socket taken by acquire.
func (l *socketLimit) release(userID uuid.UUID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[userID]--; l.open[userID] <= 0 {
		delete(l.open, userID) // no entry per user who ever connected
	}
}

// refuse answers a socket request over the limit, before the upgrade.
func (l *socketLimit) refuse(c *gin.Context, log *slog.Logger) {
	c.Header("Retry-After", socketRetryAfter)
	writeError(c, log, models.Errorf(models.CodeRateLimited,
		"too many open WebSockets: at most %d per user; close one first", l.perUser))
}
