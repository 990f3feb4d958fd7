// Package pgbouncer starts a real PgBouncer (the operating system's binary)
// in transaction pooling mode in front of the test PostgreSQL, for tests of
// what a deployment behind a pooler sees.
//
// A test that needs it is skipped when no pgbouncer binary is installed,
// except in CI (CI=true), where that is a failure: CI installs Debian's
// package (.ci/run).
package pgbouncer

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Bouncer is a running PgBouncer.
type Bouncer struct {
	// Addr is where it listens, host:port.
	Addr string
	log  *lockedBuffer
}

// Options tune the PgBouncer started.
type Options struct {
	// PoolSize is default_pool_size, the server connections per database
	// and user (default 4): small, so clients share server connections and
	// anything left in a session shows up in another client.
	PoolSize int
}

// Binary returns the pgbouncer executable's path, or "" when there is none.
func Binary() string {
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p
	}
	// Debian installs it in /usr/sbin, which a user's PATH may lack.
	if _, err := os.Stat("/usr/sbin/pgbouncer"); err == nil {
		return "/usr/sbin/pgbouncer"
	}
	return ""
}

// Start runs PgBouncer in pool_mode=transaction on a free loopback port,
// every database name forwarded to the same database on serverURL's host
// (trust authentication, as the test server has), until the test ends.
func Start(t testing.TB, serverURL string, opts Options) *Bouncer {
	t.Helper()
	bin := Binary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("pgbouncer is not installed, and CI must run this test (.ci/run installs Debian's pgbouncer package)")
		}
		t.Skip("pgbouncer is not installed (apt-get install pgbouncer); CI runs this test")
	}
	if opts.PoolSize == 0 {
		opts.PoolSize = 4
	}
	server, err := url.Parse(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	user := server.User.Username()
	// Its own world-readable directory: as root, PgBouncer refuses to run
	// unless it switches to another user (-u), who must read the files.
	dir, err := os.MkdirTemp("", "pgbouncer-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = %d
max_client_conn = 500
admin_users = %s
stats_users = %s
stats_period = 1
`, server.Hostname(), portOf(server), port, filepath.Join(dir, "users.txt"), opts.PoolSize, user, user)
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("pgbouncer.ini", ini)
	write("users.txt", fmt.Sprintf("%q \"\"\n", user))

	args := []string{filepath.Join(dir, "pgbouncer.ini")}
	if os.Geteuid() == 0 {
		args = append([]string{"-u", "nobody"}, args...)
	}
	b := &Bouncer{Addr: fmt.Sprintf("127.0.0.1:%d", port), log: &lockedBuffer{}}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = b.log, b.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start pgbouncer: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("pgbouncer's log:\n%s", b.log)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", b.Addr, time.Second)
		if err == nil {
			c.Close()
			return b
		}
		select {
		case err := <-exited:
			t.Fatalf("pgbouncer exited: %v\n%s", err, b.log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("pgbouncer did not listen on %s within 10s:\n%s", b.Addr, b.log)
		}
	}
}

// URL is databaseURL with its host and port replaced by the bouncer's, so
// the same database is reached through it.
func (b *Bouncer) URL(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		panic(fmt.Sprintf("pgbouncer: bad database URL: %v", err))
	}
	u.Host = b.Addr
	return u.String()
}

// Log is what PgBouncer has logged so far.
func (b *Bouncer) Log() string { return b.log.String() }

// Transactions returns how many transactions (statements outside one
// included) PgBouncer has passed to databaseURL's database (it is
// reached through the bouncer, as its user): SHOW STATS on its admin
// console. A test checks it to know its traffic went through the pooler.
// The statistics are gathered every second (stats_period): a count of zero
// is read again for a few seconds.
func (b *Bouncer) Transactions(t testing.TB, databaseURL string) int64 {
	t.Helper()
	for range 5 {
		if n := b.transactions(t, databaseURL); n > 0 {
			return n
		}
		time.Sleep(time.Second)
	}
	return 0
}

func (b *Bouncer) transactions(t testing.TB, databaseURL string) int64 {
	t.Helper()
	u, err := url.Parse(databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Host, u.Path, u.RawQuery = b.Addr, "/pgbouncer", "sslmode=disable&default_query_exec_mode=simple_protocol"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatalf("pgbouncer admin console: %v", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SHOW STATS")
	if err != nil {
		t.Fatalf("SHOW STATS: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		// The console answers in text (simple protocol): the raw values are
		// the numbers' digits.
		vals := rows.RawValues()
		var db string
		var xacts int64
		for i, c := range rows.FieldDescriptions() {
			switch c.Name {
			case "database":
				db = string(vals[i])
			case "total_xact_count":
				xacts, _ = strconv.ParseInt(string(vals[i]), 10, 64)
			}
		}
		if db == name {
			return xacts
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("SHOW STATS: %v", err)
	}
	return 0
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	return "5432"
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.TrimSpace(l.b.String())
}
