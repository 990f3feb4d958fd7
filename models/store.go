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

// DeleteRoom deletes a room with its members, columns and their cards.
//
// The database cascades the same deletes (ON DELETE CASCADE on every child
// foreign key); the ORM deletes them explicitly too, so the rule holds even
// on a database whose constraints were altered. Returns CodeNotFound when
// the room does not exist.
func (s *Store) DeleteRoom(ctx context.Context, roomID uuid.UUID) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		room := Room{ID: roomID}
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&room).Error; err != nil {
			return notFound(err, "room")
		}
		cards := tx.Model(&Column{}).Select("id").Where("room_id = ?", roomID)
		if err := tx.Where("column_id IN (?)", cards).Delete(&Card{}).Error; err != nil {
			return fmt.Errorf("delete room cards: %w", err)
		}
		if err := tx.Select(clause.Associations).Delete(&room).Error; err != nil {
			return fmt.Errorf("delete room: %w", err)
		}
		return nil
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
