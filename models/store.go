package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Store is the data access of SyncBoard. Each method is one use case: it
// takes the request's context first, starts from s.db.WithContext(ctx), and
// owns at most one transaction.
//
// Every error a method returns is an *Error with a code (see errors.go),
// or, for a bug, any other error: a database that cannot be reached or is
// too busy right now is CodeUnavailable (classify), so callers never look
// at driver errors themselves.
type Store struct {
	db *gorm.DB
}

// NewStore returns a Store over db.
func NewStore(db *gorm.DB) *Store {
	// Card.Assignees and Card.Labels go through join models with columns
	// and indexes of their own; GORM must use them, not generate its own.
	for field, join := range map[string]any{"Assignees": &CardAssignee{}, "Labels": &CardLabel{}} {
		if err := db.SetupJoinTable(&Card{}, field, join); err != nil {
			panic(fmt.Sprintf("models: join table of Card.%s: %v", field, err)) // a bug in the models
		}
	}
	return &Store{db: db}
}

// tx runs fn in one transaction on ctx and classifies what it returns.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error, opts ...*sql.TxOptions) error {
	return Classify(s.db.WithContext(ctx).Transaction(fn, opts...))
}

// readOnly runs a read of several statements on one snapshot.
var readOnly = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}

// Ping checks that the database answers, for readiness probes.
//
// Errors: CodeUnavailable.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return Classify(err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return &Error{Code: CodeUnavailable, Message: unavailableMessage, Err: err}
	}
	return nil
}

// DeleteRoom deletes a room with its members, columns and their cards,
// whoever asks (an operator's or a test's entry point; the API goes through
// DeleteRoomAs, which checks ownership).
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) DeleteRoom(ctx context.Context, roomID uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		room := Room{ID: roomID}
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&room).Error; err != nil {
			return notFound(err, "room")
		}
		return deleteRoom(tx, roomID)
	})
}

// notFound maps gorm.ErrRecordNotFound to CodeNotFound and wraps the rest.
func notFound(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Errorf(CodeNotFound, "%s not found", what)
	}
	return fmt.Errorf("find %s: %w", what, err)
}

// memberOf is a scope joining the caller's membership of the room whose ID
// is in roomIDColumn ("rooms.id", "columns.room_id"): rows of rooms the
// caller is not a member of drop out, so authorization costs no query of
// its own, and the selected room_members.role is the caller's.
func memberOf(userID uuid.UUID, roomIDColumn string) func(*gorm.DB) *gorm.DB {
	return func(tx *gorm.DB) *gorm.DB {
		return tx.Joins("JOIN room_members ON room_members.room_id = "+roomIDColumn+" AND room_members.user_id = ?", userID)
	}
}
