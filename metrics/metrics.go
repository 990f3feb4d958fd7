// Package metrics measures SyncBoard for Prometheus: HTTP requests (http.go),
// the hub's sockets and events (hub.go), the database pool, the bcrypt
// queue, and the Go runtime and process.
//
// Everything registers on the registry main.go makes, never on
// client_golang's global default: the package holds no state of its own,
// so each server in a process (tests start several) has its own series.
package metrics

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one server's measurements, on its own registry.
type Metrics struct {
	reg  *prometheus.Registry
	HTTP *HTTP
	Hub  *Hub
}

// New registers the HTTP, hub, Go runtime and process metrics on reg (a
// fresh registry: it fails if reg already holds any of them).
func New(reg *prometheus.Registry) (*Metrics, error) {
	m := &Metrics{reg: reg, HTTP: newHTTP(), Hub: newHub()}
	err := register(reg,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.HTTP.requests, m.HTTP.duration,
		m.Hub.opened, m.Hub.delivered, m.Hub.delay, m.Hub.slow,
	)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func register(reg prometheus.Registerer, cs ...prometheus.Collector) error {
	var errs []error
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	return nil
}

// Handler serves the registry in Prometheus's text format (or
// OpenMetrics or protobuf, as the scraper asks).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		// A scrape that fails to gather answers 500 with the error; a
		// partial page would hide the failure.
		ErrorHandling: promhttp.HTTPErrorOnError,
	})
}

// WatchPool reports db's pool, read from sql.DBStats at each scrape, as
// client_golang's go_sql_* series labelled db_name=name: open, in use and
// idle connections, the pool's size, how many times and how long requests
// waited for a connection, and connections closed by the pool's limits.
func (m *Metrics) WatchPool(db *sql.DB, name string) error {
	return register(m.reg, collectors.NewDBStatsCollector(db, name))
}

// Queue is a bounded worker queue, such as auth.Hasher's bcrypt slots.
type Queue interface {
	Queued() int // callers waiting for a slot
	Busy() int   // slots taken
	Slots() int  // slots in all
}

// WatchBcrypt reports q, read at each scrape, as syncboard_bcrypt_*.
func (m *Metrics) WatchBcrypt(q Queue) error {
	gauge := func(name, help string, f func() int) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
			func() float64 { return float64(f()) })
	}
	return register(m.reg,
		gauge("syncboard_bcrypt_queue_length", "Password hashes and checks waiting for a bcrypt slot.", q.Queued),
		gauge("syncboard_bcrypt_busy", "bcrypt slots working now.", q.Busy),
		gauge("syncboard_bcrypt_slots", "bcrypt slots in all: how many hashes run at once at most.", q.Slots),
	)
}
