// Command dbcheck says, in one line, whether PostgreSQL answers at a URL. The
// Makefile runs it before the tests, so a missing server is reported once,
// with the URL tried and how to start one, instead of by every test.
//
//	go run ./cmd/dbcheck [URL]   # default $TEST_DATABASE_URL, then the local server
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/internal/testdb"
)

func main() {
	dbURL := testdb.ServerURL()
	if len(os.Args) > 1 {
		dbURL = os.Args[1]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, database.Unreachable(dbURL, err))
		os.Exit(1)
	}
	conn.Close(ctx)
}
