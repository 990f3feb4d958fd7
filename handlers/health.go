package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/models"
)

// ReadyTimeout bounds the database ping of /readyz, so a hung database makes
// the probe fail fast instead of hanging the load balancer's check.
const ReadyTimeout = 2 * time.Second

// healthz answers 200 while the process runs: a liveness probe that never
// touches the database, so an outage does not get the process restarted.
func healthz() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.JSON(http.StatusOK, api.Status{Status: "ok"})
	}
}

// Pinger is what readiness needs of the database: Ping fails with
// models.CodeUnavailable.
type Pinger interface {
	Ping(ctx context.Context) error
}

// readyz answers 200 when the database answers and the server is not
// shutting down, else 503, so a load balancer sends traffic elsewhere.
func readyz(db Pinger, draining *atomic.Bool, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		if draining.Load() {
			writeError(c, log, models.Errorf(models.CodeUnavailable, "the server is shutting down"))
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), ReadyTimeout)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			writeError(c, log, err) // CodeUnavailable, logged with its cause
			return
		}
		c.JSON(http.StatusOK, api.Status{Status: "ok"})
	}
}
