package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
)

const unavailableMessage = "the database cannot be reached; try again shortly"

// Classify is what every Store method returns through: nil and *Error pass
// unchanged; a failure that means the database cannot be reached or cannot
// take work right now becomes CodeUnavailable, keeping the cause for the
// log; anything else is a bug and stays as it is.
func Classify(err error) error {
	var e *Error
	switch {
	case err == nil, errors.As(err, &e):
		return err
	case unavailable(err):
		return &Error{Code: CodeUnavailable, Message: unavailableMessage, Err: err}
	}
	return err
}

// unavailable reports whether err means the database cannot be reached or is
// not accepting work right now (as opposed to a bug or a bad query), so the
// API answers 503 with Retry-After rather than 500.
//
// It reads the driver's errors through the small interfaces pgx's error
// types implement (SQLState, SafeToRetry) rather than importing pgx: the
// models package is also what Atlas's schema loader links.
func unavailable(err error) bool {
	var (
		pgErr  interface{ SQLState() string }
		netErr net.Error
		retry  interface{ SafeToRetry() bool }
	)
	switch {
	case errors.As(err, &pgErr):
		// 08: connection exception; 57P01-57P03: admin shutdown, crash
		// shutdown, cannot connect now; 53300: too many connections;
		// 3D000: the database does not exist (dropped under us); 57014 and
		// 55P03: statement_timeout or lock_timeout ran out (too busy now).
		switch code := pgErr.SQLState(); code {
		case "57P01", "57P02", "57P03", "53300", "3D000", "57014", "55P03":
			return true
		default:
			return strings.HasPrefix(code, "08")
		}
	case errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		// A pooled connection whose socket died mid-conversation.
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		// A query, or the wait for a pooled connection, that ran out of
		// time: the database is too slow to serve now.
		errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &retry):
		// A connection that failed before anything was sent.
		return retry.SafeToRetry()
	}
	return false
}
