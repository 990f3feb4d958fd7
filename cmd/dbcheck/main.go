// Command dbcheck says, in one line, whether PostgreSQL answers at a URL. The
// Makefile runs it before the tests and before serving, so a missing server is
// reported once, with the URL tried and how to start one, instead of by every
// test.
//
// On a machine with only Docker it also starts one: when nothing listens on
// 127.0.0.1:5432, the URL points there, and `docker compose` works, it starts
// the db service of docker-compose.yml (in the working directory) and waits
// until it answers. That database trusts the user postgres, the user of every
// default URL, so nothing needs configuring.
//
//	dbcheck [URL]   # default $TEST_DATABASE_URL, then the local server
//	dbcheck -app    # the server's DATABASE_URL (environment, then .env)
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/syncboard/syncboard/config"
	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/internal/testdb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := checker{
		getenv: os.Getenv, stderr: os.Stderr,
		docker: "docker", composeFile: "docker-compose.yml", composePort: "5432", wait: 90 * time.Second,
	}
	if err := c.run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type checker struct {
	getenv func(string) string
	stderr io.Writer
	// docker is the Docker client command; composePort is where the db
	// service of composeFile is published on 127.0.0.1; wait bounds the
	// wait for it to answer once started.
	docker      string
	composeFile string
	composePort string
	wait        time.Duration
}

func (c checker) run(ctx context.Context, args []string) error {
	dbURL, app, err := c.target(args)
	if err != nil {
		return err
	}
	err = ping(ctx, dbURL, app)
	if err == nil || !c.composeWouldAnswer(dbURL, err) {
		return unreachable(dbURL, err)
	}
	fmt.Fprintf(c.stderr, "dbcheck: nothing answers on 127.0.0.1:%s; starting PostgreSQL with `docker compose up -d db`\n", c.composePort)
	if derr := c.startCompose(ctx); derr != nil {
		return fmt.Errorf("%w; Docker: %s", unreachable(dbURL, err), derr)
	}
	deadline := time.Now().Add(c.wait)
	for {
		// The image's first start initialises the data directory on a server
		// that does not listen on TCP, so answering on the port means ready.
		if err = ping(ctx, dbURL, app); err == nil {
			fmt.Fprintln(c.stderr, "dbcheck: the compose db answers")
			return nil
		}
		// Refused by the server itself (not "starting up"): waiting will
		// not help; most likely a volume made with other credentials.
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code != "57P03" {
			return fmt.Errorf("%w; the compose db refuses the URL (was its pgdata volume made with other credentials? `docker compose down -v` starts afresh)", unreachable(dbURL, err))
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%w; the compose db did not answer within %s (see `docker compose logs db`)", unreachable(dbURL, err), c.wait)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func unreachable(dbURL string, err error) error {
	if err == nil {
		return nil
	}
	return database.Unreachable(dbURL, err)
}

// target returns the URL to check and whether it is the server's own
// database, which the server creates on start when it is missing.
func (c checker) target(args []string) (dbURL string, app bool, err error) {
	switch {
	case len(args) == 1 && args[0] == "-app":
		envFile := c.getenv("ENV_FILE")
		if envFile == "" {
			envFile = ".env"
		}
		cfg, err := config.Load(c.getenv, envFile)
		if err != nil {
			return "", false, err
		}
		return cfg.DatabaseURL, true, nil
	case len(args) == 1:
		return args[0], false, nil
	case len(args) == 0:
		if u := c.getenv("TEST_DATABASE_URL"); u != "" {
			return u, false, nil
		}
		return testdb.DefaultURL, false, nil
	default:
		return "", false, errors.New("usage: dbcheck [URL | -app]")
	}
}

// ping connects once. For the server's own database, a server that answers
// "no such database" is up: the server creates it in development.
func ping(ctx context.Context, dbURL string, app bool) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		var pgErr *pgconn.PgError
		if app && errors.As(err, &pgErr) && pgErr.Code == "3D000" {
			return nil
		}
		return err
	}
	return conn.Close(ctx)
}

// composeWouldAnswer reports whether starting the compose db could help: the
// URL is the compose service's address and nothing listens there. A server
// that refuses a password, or one elsewhere, is not ours to replace.
func (c checker) composeWouldAnswer(dbURL string, err error) bool {
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	if _, err := os.Stat(c.composeFile); err != nil {
		return false
	}
	cfg, perr := pgconn.ParseConfig(dbURL)
	if perr != nil {
		return false
	}
	ip := net.ParseIP(cfg.Host)
	local := cfg.Host == "localhost" || ip != nil && ip.IsLoopback()
	return local && fmt.Sprint(cfg.Port) == c.composePort
}

// startCompose starts the db service, after checking quickly that the
// client has compose and its engine answers, so a machine with a Docker
// client but no engine (CI) fails in seconds rather than waiting.
func (c checker) startCompose(ctx context.Context) error {
	steps := []struct {
		args    []string
		timeout time.Duration
	}{
		{[]string{"compose", "version"}, 10 * time.Second},
		{[]string{"info", "--format", "{{.ServerVersion}}"}, 15 * time.Second},
		// The first start pulls the postgres image.
		{[]string{"compose", "-f", c.composeFile, "up", "-d", "db"}, 10 * time.Minute},
	}
	for _, s := range steps {
		sctx, cancel := context.WithTimeout(ctx, s.timeout)
		var out bytes.Buffer
		cmd := exec.CommandContext(sctx, c.docker, s.args...)
		cmd.Stdout, cmd.Stderr = &out, &out
		if s.timeout > time.Minute {
			cmd.Stdout, cmd.Stderr = c.stderr, io.MultiWriter(c.stderr, &out)
		}
		err := cmd.Run()
		cancel()
		if err != nil {
			return fmt.Errorf("`%s %s` failed: %v %s", c.docker, strings.Join(s.args, " "), err, strings.Join(strings.Fields(out.String()), " "))
		}
	}
	return nil
}
