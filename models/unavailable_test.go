package models_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	notFound := models.Errorf(models.CodeNotFound, "room not found")
	for _, tt := range []struct {
		name string
		err  error
		want models.Code // "" for nil
	}{
		{"nil", nil, ""},
		{"an *Error passes unchanged", notFound, models.CodeNotFound},
		{"a wrapped *Error too", fmt.Errorf("move card: %w", notFound), models.CodeNotFound},
		{"a syntax error is a bug", &pgconn.PgError{Code: "42601"}, models.CodeInternal},
		{"a unique violation nobody mapped is a bug", &pgconn.PgError{Code: "23505"}, models.CodeInternal},
		{"statement_timeout", fmt.Errorf("read: %w", &pgconn.PgError{Code: "57014"}), models.CodeUnavailable},
		{"lock_timeout", &pgconn.PgError{Code: "55P03"}, models.CodeUnavailable},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, models.CodeUnavailable},
		{"too many connections", &pgconn.PgError{Code: "53300"}, models.CodeUnavailable},
		{"connection failure", &pgconn.PgError{Code: "08006"}, models.CodeUnavailable},
		{"database dropped", &pgconn.PgError{Code: "3D000"}, models.CodeUnavailable},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, models.CodeUnavailable},
		{"socket died", fmt.Errorf("query: %w", io.ErrUnexpectedEOF), models.CodeUnavailable},
		{"deadline", context.DeadlineExceeded, models.CodeUnavailable},
		{"plain error", errors.New("boom"), models.CodeInternal},
	} {
		got := models.Classify(tt.err)
		switch {
		case tt.want == "":
			if got != nil {
				t.Errorf("%s: Classify(nil) = %v", tt.name, got)
			}
		case models.ErrorCode(got) != tt.want:
			t.Errorf("%s: Classify(%v) has code %s, want %s", tt.name, tt.err, models.ErrorCode(got), tt.want)
		case tt.want == models.CodeUnavailable && !errors.Is(got, tt.err):
			t.Errorf("%s: Classify(%v) = %v, which lost its cause", tt.name, tt.err, got)
		case tt.want == models.CodeInternal && got != tt.err:
			t.Errorf("%s: Classify(%v) = %v, want it unchanged", tt.name, tt.err, got)
		}
	}
}

// TestStoreReportsOutagesAsUnavailable: when the database goes away under
// an open pool, every kind of Store method (a read, a snapshot read, a
// write in a transaction, the authorization lookup) answers CodeUnavailable,
// so the HTTP layer needs no driver knowledge to answer 503.
func TestStoreReportsOutagesAsUnavailable(t *testing.T) {
	t.Parallel()
	db, dbURL := testdb.Open(t)
	store := models.NewStore(db)
	ctx := context.Background()
	owner := newUser(t, db, uuid.NewString()+"@outage.test")
	room, err := store.CreateRoom(ctx, owner.ID, "before the outage")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, testdb.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(cctx)
	name := strings.TrimPrefix(u.Path, "/")
	if _, err := conn.Exec(cctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Fatalf("drop %s: %v", name, err)
	}
	calls := map[string]func() error{
		"UserByID":   func() error { _, err := store.UserByID(ctx, owner.ID); return err },
		"ListRooms":  func() error { _, _, err := store.ListRooms(ctx, owner.ID, 10, nil); return err },
		"Board":      func() error { _, err := store.Board(ctx, owner.ID, room.ID); return err },
		"BoardHead":  func() error { _, err := store.BoardHead(ctx, owner.ID, room.ID); return err },
		"RenameRoom": func() error { _, err := store.RenameRoom(ctx, owner.ID, room.ID, "x"); return err },
		"CreateColumn": func() error {
			_, err := store.CreateColumn(ctx, owner.ID, room.ID, "x", nil)
			return err
		},
		"Events": func() error { _, _, err := store.Events(ctx, owner.ID, room.ID, 0, 10); return err },
		"Ping":   func() error { return store.Ping(ctx) },
	}
	for name, call := range calls {
		err := call()
		var e *models.Error
		if !errors.As(err, &e) || e.Code != models.CodeUnavailable {
			t.Errorf("%s after the database was dropped: %v (%T); want an *Error with code unavailable", name, err, err)
		}
	}
}
