package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/models"
)

// authLimits are the attempt and failure budgets of the auth endpoints,
// each AUTH_RATE_LIMIT per AUTH_RATE_WINDOW (see docs/DESIGN.md, "Login
// limits"). Their token buckets are rows of the database, shared by every
// instance; a bucket is named by a keyed hash of its budget and what it
// counts, so the table holds no email or IP address.
type authLimits struct {
	store *models.Store
	rate  models.Rate
	// key names buckets (HMAC-SHA256), derived from JWT_SECRET: without
	// it, a hash of an IPv4 address or of a known email is found by trying
	// them all.
	key []byte
}

// The budgets. Attempts are counted per client IP (login and register,
// before the body is read). Failed logins of untrusted devices are counted
// per (client IP, email) and per email; those of a device that signed in
// to the account before, per device; wrong current passwords of password
// changes, per account.
const (
	budgetIP      = "ip"
	budgetIPEmail = "ip+email"
	budgetEmail   = "email"
	budgetDevice  = "device"
	budgetAccount = "account"
)

func newAuthLimits(store *models.Store, rate models.Rate, key []byte) authLimits {
	return authLimits{store: store, rate: rate, key: key}
}

// bucket is the name of the bucket of budget for parts.
func (l authLimits) bucket(budget string, parts ...string) []byte {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(budget))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

// limited takes one attempt from bucket and answers 429 when there is none
// left, or the error (503) when the database cannot tell: the limits fail
// closed.
func (l authLimits) limited(c *gin.Context, log *slog.Logger, bucket []byte) bool {
	wait, err := l.store.TakeAttempt(c.Request.Context(), l.rate, bucket)
	return l.refuse(c, log, wait, err)
}

// blocked answers 429 when any of the failure buckets is empty, without
// charging them (charge does, when the attempt fails).
func (l authLimits) blocked(c *gin.Context, log *slog.Logger, buckets ...[]byte) bool {
	wait, err := l.store.AttemptsBlocked(c.Request.Context(), l.rate, buckets...)
	return l.refuse(c, log, wait, err)
}

// charge takes a failure from each of buckets.
func (l authLimits) charge(c *gin.Context, buckets ...[]byte) error {
	return l.store.ChargeFailure(c.Request.Context(), l.rate, buckets...)
}

func (l authLimits) refuse(c *gin.Context, log *slog.Logger, wait time.Duration, err error) bool {
	switch {
	case err != nil:
		writeError(c, log, err)
		return true
	case wait > 0:
		tooMany(c, log, wait)
		return true
	}
	return false
}

func tooMany(c *gin.Context, log *slog.Logger, wait time.Duration) {
	c.Header("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
	writeError(c, log, models.Errorf(models.CodeRateLimited, "too many attempts; try again later"))
}

// retryAfterSeconds rounds a delay up to whole seconds, at least 1, for the
// Retry-After header.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
