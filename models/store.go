package models

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Store is the data access of SyncBoard. Each method is one use case: it
// takes the request's context first, starts from s.db.WithContext(ctx), and
// owns at most one transaction.
type Store struct {
	db *gorm.DB
}

// NewStore returns a Store over db.
func NewStore(db *gorm.DB) *Store { return &Store{db: db} }

// Ping checks that the database answers, for readiness probes.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// DeleteRoom deletes a room with its members, columns and their cards,
// whoever asks (an operator's or a test's entry point; the API goes through
// DeleteRoomAs, which checks ownership).
//
// Errors: CodeNotFound.
func (s *Store) DeleteRoom(ctx context.Context, roomID uuid.UUID) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
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
