package models

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/syncboard/syncboard/api"
)

// Archiving takes a card or a column off the board without deleting it: it
// leaves its parent's position sequence (the rest close up, in the same
// transaction, under the room lock), keeps its comments, labels and
// assignees, and comes back at the end of the sequence when restored. An
// archived column keeps its cards unarchived inside it, in their order, so
// they go and come back with it. Archiving what is archived, and restoring
// what is not, changes nothing but is a change like any other (a new
// version and event), as moving a card to where it is.

// Archive is a room's archived columns and cards, each list most recently
// archived first. The cards of an archived column are not in it: they are
// not archived themselves, and come back with their column.
type Archive struct {
	Columns []Column
	Cards   []Card
}

// restoreFirst is the CodeValidationFailed of a change an archived card or
// column cannot take: it must come back to the board first.
func restoreFirst(field, why string) error {
	return &Error{Code: CodeValidationFailed, Message: why, Fields: map[string]string{field: why}}
}

// ArchiveCard takes a card off the board: the cards after it in its column
// close up. Its column (archived or not) stays its column.
//
// Errors: CodeNotFound, CodeForbidden, CodeUnavailable.
func (s *Store) ArchiveCard(ctx context.Context, userID, cardID uuid.UUID) (Card, error) {
	var card Card
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, c, cols, err := lockedCard(tx, userID, cardID, ActEdit)
		if err != nil {
			return err
		}
		from := boardPlace(c, cols[c.ColumnID])
		if c.ArchivedAt == nil {
			now := tx.NowFunc()
			if err := tx.Model(&Card{}).Where("id = ?", c.ID).
				Updates(map[string]any{"archived_at": now, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("archive card: %w", err)
			}
			// Archived now, so outside the sequence closeGap shifts.
			if err := closeGap(tx, &Card{}, "column_id", c.ColumnID, c.Position); err != nil {
				return err
			}
		}
		if card, err = reloadCard(tx, c.ID); err != nil {
			return err
		}
		return cardChange(tx, &v, userID, api.EventCardArchived, card, from)
	})
	return card, err
}

// RestoreCard puts an archived card back at the end of its column or, when
// that column is archived, at the end of the room's first unarchived
// column (CodeValidationFailed when there is none).
//
// Errors: CodeNotFound, CodeForbidden, CodeValidationFailed,
// CodeUnavailable.
func (s *Store) RestoreCard(ctx context.Context, userID, cardID uuid.UUID) (Card, error) {
	var card Card
	err := s.tx(ctx, func(tx *gorm.DB) error {
		_, roomID, err := cardInRoom(tx, userID, cardID)
		if err != nil {
			return err
		}
		v, err := memberRoom(tx, userID, roomID, ActEdit)
		if err != nil {
			return err
		}
		// Every change to the room holds its lock, which we hold now: read
		// where the card will go, then lock its column and the target
		// together, in ID order (lockCardUnder), as a move does.
		target, err := restoreTarget(tx, v.ID, cardID)
		if err != nil {
			return err
		}
		c, cols, err := lockCardUnder(tx, v, cardID, target)
		if err != nil {
			return err
		}
		// A card restored while on the board stays where it is: it moves
		// from its place to the same place.
		from := boardPlace(c, cols[c.ColumnID])
		if c.ArchivedAt != nil {
			n, err := countIn(tx, &Card{}, "column_id", target)
			if err != nil {
				return err
			}
			if err := tx.Model(&Card{}).Where("id = ?", c.ID).Updates(map[string]any{
				"column_id": target, "position": n, "archived_at": nil, "updated_at": tx.NowFunc(),
			}).Error; err != nil {
				return fmt.Errorf("restore card: %w", err)
			}
		}
		if card, err = reloadCard(tx, c.ID); err != nil {
			return err
		}
		return cardChange(tx, &v, userID, api.EventCardRestored, card, from)
	})
	return card, err
}

// restoreTarget is the column an archived card returns to: its own, unless
// that is archived too ("gone": a deleted column takes its cards with it),
// then the room's first unarchived column. A card that is not archived
// stays where it is.
func restoreTarget(tx *gorm.DB, roomID, cardID uuid.UUID) (uuid.UUID, error) {
	var row struct {
		ColumnID       uuid.UUID
		CardArchived   bool
		ColumnArchived bool
		ColumnRoomID   uuid.UUID
	}
	err := tx.Model(&Card{}).Select(`cards.column_id,
cards.archived_at IS NOT NULL AS card_archived,
columns.archived_at IS NOT NULL AS column_archived,
columns.room_id AS column_room_id`).
		Joins("JOIN columns ON columns.id = cards.column_id").
		Where("cards.id = ?", cardID).Take(&row).Error
	if err != nil {
		return uuid.Nil, notFound(err, "card")
	}
	if row.ColumnRoomID != roomID {
		return uuid.Nil, Errorf(CodeNotFound, "card not found")
	}
	if !row.CardArchived || !row.ColumnArchived {
		return row.ColumnID, nil
	}
	var first []uuid.UUID
	if err := tx.Model(&Column{}).Where(inSequence("room_id"), roomID).Order("position, id").Limit(1).
		Pluck("id", &first).Error; err != nil {
		return uuid.Nil, fmt.Errorf("first column: %w", err)
	}
	if len(first) == 0 {
		return uuid.Nil, restoreFirst("card_id",
			"the card's column is archived and the room has no other column: restore or create a column first")
	}
	return first[0], nil
}

// ArchiveColumn takes a column off the board with its cards: the columns
// after it close up; its cards stay in it, in their order.
//
// Errors: CodeNotFound, CodeForbidden, CodeUnavailable.
func (s *Store) ArchiveColumn(ctx context.Context, userID, columnID uuid.UUID) (Column, error) {
	var col Column
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, c, err := lockedColumn(tx, userID, columnID, ActEdit)
		if err != nil {
			return err
		}
		if c.ArchivedAt == nil {
			now := tx.NowFunc()
			if err := tx.Model(&Column{}).Where("id = ?", c.ID).
				Updates(map[string]any{"archived_at": now, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("archive column: %w", err)
			}
			if err := closeGap(tx, &Column{}, "room_id", c.RoomID, c.Position); err != nil {
				return err
			}
		}
		if err := tx.Take(&col, "id = ?", c.ID).Error; err != nil {
			return notFound(err, "column")
		}
		return columnChange(tx, &v, userID, api.EventColumnArchived, col)
	})
	return col, err
}

// RestoreColumn puts an archived column back at the end of the room's
// columns, with its cards in their order.
//
// Errors: CodeNotFound, CodeForbidden, CodeUnavailable.
func (s *Store) RestoreColumn(ctx context.Context, userID, columnID uuid.UUID) (Column, error) {
	var col Column
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, c, err := lockedColumn(tx, userID, columnID, ActEdit)
		if err != nil {
			return err
		}
		if c.ArchivedAt != nil {
			n, err := countIn(tx, &Column{}, "room_id", c.RoomID)
			if err != nil {
				return err
			}
			if err := tx.Model(&Column{}).Where("id = ?", c.ID).Updates(map[string]any{
				"position": n, "archived_at": nil, "updated_at": tx.NowFunc(),
			}).Error; err != nil {
				return fmt.Errorf("restore column: %w", err)
			}
		}
		// The event carries the column's cards, so a client draws it
		// without refetching the board.
		err = tx.Preload("Cards", func(tx *gorm.DB) *gorm.DB { return tx.Where("archived_at IS NULL").Order("position, id") }).
			Take(&col, "id = ?", c.ID).Error
		if err != nil {
			return notFound(err, "column")
		}
		cards := make([]*Card, len(col.Cards))
		for i := range col.Cards {
			cards[i] = &col.Cards[i]
		}
		if err := cardDetails(tx, cards...); err != nil {
			return err
		}
		order, err := columnOrder(tx, v.ID)
		if err != nil {
			return err
		}
		return change(tx, &v, userID, api.EventColumnRestored, api.ColumnRestoredData{Column: col.BoardAPI(), Columns: order})
	})
	return col, err
}

// Archived lists a room's archived columns and cards, most recently
// archived first, from one snapshot.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) Archived(ctx context.Context, userID, roomID uuid.UUID) (Archive, error) {
	var a Archive
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if _, err := memberRoom(tx, userID, roomID, ActRead); err != nil {
			return err
		}
		if err := tx.Where("room_id = ? AND archived_at IS NOT NULL", roomID).
			Order("archived_at DESC, id").Find(&a.Columns).Error; err != nil {
			return fmt.Errorf("archived columns: %w", err)
		}
		if err := tx.Model(&Card{}).Select("cards.*").Joins("JOIN columns ON columns.id = cards.column_id").
			Where("columns.room_id = ? AND cards.archived_at IS NOT NULL", roomID).
			Order("cards.archived_at DESC, cards.id").Find(&a.Cards).Error; err != nil {
			return fmt.Errorf("archived cards: %w", err)
		}
		cards := make([]*Card, len(a.Cards))
		for i := range a.Cards {
			cards[i] = &a.Cards[i]
		}
		return cardDetails(tx, cards...)
	}, readOnly)
	return a, err
}
