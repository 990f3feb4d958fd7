package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// IsUnavailable reports whether err means the database cannot be reached or
// is not accepting work right now (as opposed to a bug or a bad query), so
// the API answers 503 with Retry-After rather than 500.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var (
		pgErr   *pgconn.PgError
		connErr *pgconn.ConnectError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &pgErr):
		// 08: connection exception; 57P01-57P03: admin shutdown, crash
		// shutdown, cannot connect now; 53300: too many connections;
		// 3D000: the database does not exist (dropped under us); 57014 and
		// 55P03: statement_timeout or lock_timeout ran out (too busy now).
		switch pgErr.Code {
		case "57P01", "57P02", "57P03", "53300", "3D000", "57014", "55P03":
			return true
		}
		return strings.HasPrefix(pgErr.Code, "08")
	case errors.As(err, &connErr), errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		// A pooled connection whose socket died mid-conversation.
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	case errors.Is(err, context.DeadlineExceeded):
		// A query that ran out of time: the database is too slow to serve.
		return true
	}
	return pgconn.SafeToRetry(err)
}
