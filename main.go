// Command syncboard is the SyncBoard API server.
//
//	syncboard                  serve the API (applies migrations first when MIGRATE_ON_START is true)
//	syncboard migrate apply    apply pending migrations and exit
//	syncboard migrate status   show applied and pending migrations
//	syncboard migrate down [N | --to VERSION] [--allow-data-loss] [--dry-run]
//	                           revert the last N (default 1) applied migrations
//	syncboard migrate history [--json]
//	                           every migration, when it was applied and how long it took
//	syncboard export --room ID write one board as JSON to stdout (docs/EXPORT.md)
//	syncboard import --owner EMAIL
//	                           make a new room from a board export read from stdin, owned by EMAIL
//
// Configuration comes from the environment and an optional .env file; see
// README.md for the variables.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/config"
	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/dbmigrate"
	"github.com/syncboard/syncboard/handlers"
	"github.com/syncboard/syncboard/internal/tracing"
	"github.com/syncboard/syncboard/metrics"
	"github.com/syncboard/syncboard/migrations"
	"github.com/syncboard/syncboard/models"
	"github.com/syncboard/syncboard/realtime"
)

const usage = `usage: syncboard [serve | migrate apply | migrate status | migrate down [N | --to VERSION] [--allow-data-loss] [--dry-run] | migrate history [--json] | export --room ID | import --owner EMAIL]`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runIO(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "syncboard:", err)
		os.Exit(1)
	}
}

// run is runIO for the commands that read no input and write logs with
// their output (serve, migrate): what most tests call.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	return runIO(ctx, args, getenv, strings.NewReader(""), stdout, stdout)
}

// runIO is the whole program; main only supplies the process's context,
// arguments, environment and standard streams. ctx ends on SIGINT or
// SIGTERM. The server and the migrate commands log to stdout; export and
// import log to stderr, since export's stdout is the board.
func runIO(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	envFile := getenv("ENV_FILE")
	if envFile == "" {
		envFile = ".env"
	}
	cfg, err := config.Load(getenv, envFile)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stdout)
	switch {
	case len(args) == 0 || len(args) == 1 && args[0] == "serve":
		return serve(ctx, cfg, log)
	case len(args) == 2 && args[0] == "migrate" && args[1] == "apply":
		return migrateApply(ctx, cfg, log, stdout)
	case len(args) == 2 && args[0] == "migrate" && args[1] == "status":
		return migrateStatus(ctx, cfg, stdout)
	case len(args) >= 2 && args[0] == "migrate" && args[1] == "down":
		opts, err := parseDownArgs(args[2:])
		if err != nil {
			return fmt.Errorf("%w\n%s", err, usage)
		}
		opts.DevURL = getenv("ATLAS_DEV_URL")
		return migrateDown(ctx, cfg, opts, log, stdout)
	case len(args) >= 2 && len(args) <= 3 && args[0] == "migrate" && args[1] == "history":
		if len(args) == 3 && args[2] != "--json" {
			return errors.New(usage)
		}
		return migrateHistory(ctx, cfg, len(args) == 3, stdout)
	case len(args) >= 1 && args[0] == "export":
		return exportBoard(ctx, cfg, args[1:], newLogger(cfg, stderr), stdout)
	case len(args) >= 1 && args[0] == "import":
		return importBoard(ctx, cfg, args[1:], newLogger(cfg, stderr), stdin, stdout)
	default:
		return errors.New(usage)
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.IsProduction() {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// prepareDatabase creates the database in development when it is missing
// (so a fresh checkout runs with no manual step) and applies migrations when
// MIGRATE_ON_START is true. Production never creates databases.
func prepareDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if !cfg.IsProduction() {
		created, err := database.EnsureDatabase(ctx, cfg.DatabaseDirectURL)
		if err != nil {
			return err
		}
		if created {
			log.Info("created database", "url", database.Redact(cfg.DatabaseDirectURL))
		}
	}
	if !cfg.MigrateOnStart {
		return nil
	}
	// The direct URL: the migrations hold an advisory lock across
	// transactions, a session's lock a transaction pooler would lose.
	res, err := dbmigrate.Apply(ctx, cfg.DatabaseDirectURL, migrations.Dir(), log)
	if err != nil {
		return err
	}
	log.Info("migrations up to date", "applied_now", len(res.Applied), "version", res.Current)
	return nil
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.IsProduction() {
		gin.SetMode(gin.ReleaseMode)
	}
	if err := prepareDatabase(ctx, cfg, log); err != nil {
		return err
	}
	// Off unless an OTLP endpoint is set: then no provider at all, so the
	// request middleware and the SQL plugin are not even installed.
	var tp trace.TracerProvider
	if cfg.OTLPTracesURL != "" {
		sdk, err := tracing.Start(ctx, cfg.OTLPTracesURL, cfg.OTelServiceName)
		if err != nil {
			return err
		}
		// Deferred first, so it runs last: after the server and the pool
		// stopped, the spans still in the batch are sent, within a bound
		// (the collector may be gone too).
		defer func() {
			flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := sdk.Shutdown(flushCtx); err != nil {
				log.Warn("flush traces", "error", err)
			}
		}()
		tp = sdk
		log.Info("tracing on", "service", cfg.OTelServiceName)
	}
	db, err := database.Open(ctx, cfg.DatabaseURL, database.Options{
		MaxOpenConns:     cfg.DBMaxOpenConns,
		MaxIdleConns:     cfg.DBMaxIdleConns,
		ConnMaxLifetime:  cfg.DBConnMaxLifetime,
		ConnMaxIdleTime:  cfg.DBConnMaxIdleTime,
		StatementTimeout: cfg.DBStatementTimeout,
		LockTimeout:      cfg.DBLockTimeout,
		Pooler:           cfg.DBPooler,
		Logger:           log,
		TracerProvider:   tp,
	})
	if err != nil {
		return err
	}
	defer database.Close(db)

	hasher, err := auth.NewHasher(cfg.BcryptCost, 0)
	if err != nil {
		return fmt.Errorf("BCRYPT_COST: %w", err)
	}
	store := models.NewStore(db)
	go prune(ctx, store, cfg.EventRetention, log)
	if cfg.DBMaxIdleConns < cfg.DBMaxOpenConns {
		log.Warn("DB_MAX_IDLE_CONNS is below DB_MAX_OPEN_CONNS: under load the pool closes connections "+
			"and opens new ones; DB_CONN_MAX_IDLE_TIME shrinks a quiet pool without that churn",
			"idle", cfg.DBMaxIdleConns, "open", cfg.DBMaxOpenConns)
	}
	if cfg.JWTSecretGenerated {
		log.Warn("JWT_SECRET is not set: signing with a random key made for this process; " +
			"every session ends when it restarts, and other instances cannot verify its tokens")
	}
	// LISTEN needs a session of its own: the direct URL.
	hub := realtime.NewHub(store, cfg.DatabaseDirectURL, log)
	m, err := newMetrics(cfg, db, hasher, hub)
	if err != nil {
		return err
	}
	presence := realtime.NewPresence(store, hub, realtime.PresenceOptions{
		Heartbeat: cfg.PresenceHeartbeat, Stale: cfg.PresenceStale}, log)
	// The hub outlives the signal by the drain delay: the sockets it serves
	// close (1001, going away) only when the instance stops accepting, so
	// their clients reconnect to an instance the load balancer still sends
	// to, not to this one.
	hubCtx, stopHub := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHub()
	go hub.Run(hubCtx)
	presenceCtx, stopPresence := context.WithCancel(ctx)
	presenceDone := make(chan struct{})
	go func() { presence.Run(presenceCtx); close(presenceDone) }()
	// Deferred after database.Close, so it runs before: on shutdown the
	// instance deletes its presence rows before its pool closes (and on a
	// failed start too, hence its own context).
	defer func() { stopPresence(); <-presenceDone }()
	draining := new(atomic.Bool)
	deps := handlers.Deps{
		Store:              store,
		Log:                log,
		Tokens:             auth.NewTokens(cfg.JWTSecret, cfg.AccessTokenTTL),
		Hasher:             hasher,
		RefreshTTL:         cfg.RefreshTokenTTL,
		SecureCookies:      cfg.IsProduction(),
		AuthRateLimit:      cfg.AuthRateLimit,
		AuthRateWindow:     cfg.AuthRateWindow,
		Draining:           draining,
		TrustedProxies:     cfg.TrustedProxies,
		CORSAllowedOrigins: cfg.CORSAllowedOrigins,
		RequestTimeout:     cfg.RequestTimeout,
		Hub:                hub,
		Presence:           presence,
		PublicURL:          cfg.PublicURL,
		WSMaxPerUser:       cfg.WSMaxPerUser,
		BoardCacheBytes:    boardCacheBytes(cfg.BoardCacheMB),
		TracerProvider:     tp,
	}
	if m != nil {
		deps.HTTPMetrics = m.HTTP
		if cfg.MetricsOnAPI() {
			deps.MetricsHandler = m.Handler()
		}
	}
	router, err := handlers.NewRouter(deps)
	if err != nil {
		return err
	}
	// The metrics listener outlives the drain, so the last scrapes see it,
	// and stops when serve returns, however it returns.
	metricsCtx, stopMetrics := context.WithCancel(context.WithoutCancel(ctx))
	defer stopMetrics()
	if err := serveMetrics(metricsCtx, cfg, m, log); err != nil {
		return err
	}
	if addr := cfg.PprofAddr; addr != "" {
		// Profiling on its own listener, never on the API's address: set
		// PPROF_ADDR to a loopback address only (bench/run.sh uses it).
		go func() {
			mux := http.NewServeMux()
			mux.HandleFunc("/debug/pprof/", pprof.Index)
			mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
			srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
			log.Info("pprof listening", "addr", addr)
			if err := srv.ListenAndServe(); err != nil {
				log.Warn("pprof stopped", "error", err)
			}
		}()
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
	}
	log.Info("listening", "addr", ln.Addr().String(), "env", cfg.Env)
	return serveHTTP(ctx, ln, router, draining, shutdown{drain: cfg.DrainDelay, grace: cfg.ShutdownTimeout, drained: stopHub}, log)
}

// shutdown is how serveHTTP stops: drain is how long it keeps serving
// after readiness turned 503 (long enough for a load balancer's health
// checks to notice and send new work elsewhere), grace how long in-flight
// requests then have.
type shutdown struct {
	drain, grace time.Duration
	// drained, when set, runs when the drain delay is over, as the server
	// stops accepting.
	drained func()
}

// newMetrics measures the server on a registry of its own (nil when
// metrics are off: in production without METRICS_ADDR). The hub reports to
// it from its first subscription.
func newMetrics(cfg config.Config, db *gorm.DB, hasher *auth.Hasher, hub *realtime.Hub) (*metrics.Metrics, error) {
	if !cfg.MetricsOn() {
		return nil, nil
	}
	m, err := metrics.New(prometheus.NewRegistry())
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("database handle: %w", err)
	}
	hub.SetMetrics(m.Hub)
	return m, errors.Join(m.WatchPool(sqlDB, "syncboard"), m.WatchBcrypt(hasher), m.WatchHub(hub.Stats))
}

// serveMetrics serves /metrics on METRICS_ADDR, when set, until ctx ends. It
// listens before returning, so a bad or taken address stops the start.
func serveMetrics(ctx context.Context, cfg config.Config, m *metrics.Metrics, log *slog.Logger) error {
	switch {
	case m == nil:
		log.Info("metrics off: set METRICS_ADDR to serve /metrics on a private listener")
		return nil
	case cfg.MetricsAddr == "":
		log.Info("metrics at /metrics on the API's listener (development; METRICS_ADDR moves them off it)")
		return nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("metrics listener stopped", "error", err)
		}
	}()
	log.Info("metrics listening", "addr", ln.Addr().String())
	return nil
}

// serveHTTP serves handler on ln until ctx ends, then shuts down gracefully:
// readiness turns 503 first, so load balancers stop sending new work, the
// server keeps serving for the drain delay while they notice, and Shutdown
// stops accepting and waits up to grace for every in-flight request.
func serveHTTP(ctx context.Context, ln net.Listener, handler http.Handler, draining *atomic.Bool, how shutdown, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	draining.Store(true)
	if how.drain > 0 {
		log.Info("draining: not ready, still serving", "for", how.drain)
		select {
		case err := <-serveErr:
			return fmt.Errorf("serve: %w", err)
		case <-time.After(how.drain):
		}
	}
	if how.drained != nil {
		how.drained()
	}
	log.Info("shutting down", "grace", how.grace)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), how.grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// prune deletes room events older than retention, sessions whose refresh
// token has expired and invitation links revoked or expired more than
// InviteRetention ago, now and then every hour, and the auth rate limits'
// buckets that are full again every minute (so the table holds about one
// window's keys, however many addresses try), until ctx ends.
// Several instances may prune at once: the deletes are idempotent.
func prune(ctx context.Context, store *models.Store, retention time.Duration, log *slog.Logger) {
	hourly := time.NewTicker(time.Hour)
	defer hourly.Stop()
	often := time.NewTicker(time.Minute)
	defer often.Stop()
	for hour := true; ; {
		if hour {
			n, err := store.PruneEvents(ctx, time.Now().Add(-retention))
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("prune events", "error", err)
			case n > 0:
				log.Info("pruned events", "deleted", n, "older_than", retention)
			}
			n, err = store.PruneSessions(ctx, time.Now())
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("prune sessions", "error", err)
			case n > 0:
				log.Info("pruned expired sessions", "deleted", n)
			}
			n, err = store.PruneInvites(ctx, time.Now().Add(-models.InviteRetention))
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("prune invites", "error", err)
			case n > 0:
				log.Info("pruned dead invitation links", "deleted", n, "older_than", models.InviteRetention)
			}
		}
		n, err := store.PruneRateLimits(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("prune rate limits", "error", err)
		case n > 0:
			log.Debug("pruned full rate-limit buckets", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-hourly.C:
			hour = true
		case <-often.C:
			hour = false
		}
	}
}

func migrateApply(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	if _, err := database.EnsureDatabase(ctx, cfg.DatabaseDirectURL); err != nil {
		return err
	}
	res, err := dbmigrate.Apply(ctx, cfg.DatabaseDirectURL, migrations.Dir(), log)
	if err != nil {
		return err
	}
	if len(res.Applied) == 0 {
		fmt.Fprintf(stdout, "No migration files to execute (current version %s)\n", orNone(res.Current))
		return nil
	}
	fmt.Fprintf(stdout, "Applied %d migration file(s): %v; current version %s\n", len(res.Applied), res.Applied, res.Current)
	return nil
}

func migrateStatus(ctx context.Context, cfg config.Config, stdout io.Writer) error {
	st, err := dbmigrate.ReadStatus(ctx, cfg.DatabaseDirectURL, migrations.Dir())
	if err != nil {
		return err
	}
	state := "OK"
	if !st.OK() {
		state = "PENDING"
	}
	fmt.Fprintf(stdout, "Migration Status: %s\n", state)
	fmt.Fprintf(stdout, "  -- Current Version: %s\n", orNone(st.Current))
	fmt.Fprintf(stdout, "  -- Executed Files:  %d\n", len(st.Applied))
	fmt.Fprintf(stdout, "  -- Pending Files:   %d\n", len(st.Pending))
	for _, f := range st.Pending {
		fmt.Fprintf(stdout, "     %s\n", f)
	}
	if st.Partial != "" {
		fmt.Fprintf(stdout, "  -- Failed Version:  %s: %s\n", st.Partial, st.ErrorMsg)
	}
	return nil
}

func orNone(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

// boardCacheBytes turns BOARD_CACHE_MB into the router's budget, where 0
// would mean the default: off is negative there.
func boardCacheBytes(mb int) int64 {
	if mb == 0 {
		return -1
	}
	return int64(mb) << 20
}
