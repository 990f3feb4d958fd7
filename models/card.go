package models

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/syncboard/syncboard/api"
)

// cardInRoom finds a card through the caller's membership of its room, and
// the card's room ID, unlocked.
func cardInRoom(tx *gorm.DB, userID, cardID uuid.UUID) (Card, uuid.UUID, error) {
	var row struct {
		Card
		RoomID uuid.UUID
	}
	err := tx.Model(&Card{}).Select("cards.*, columns.room_id AS room_id").
		Joins("JOIN columns ON columns.id = cards.column_id").
		Scopes(memberOf(userID, "columns.room_id")).
		Where("cards.id = ?", cardID).Take(&row).Error
	return row.Card, row.RoomID, notFound(err, "card")
}

// lockedCard authorizes a card and locks, in order, its room row, its
// column row and the card row. It re-reads the card under the locks: a
// concurrent move may have changed its column or position.
func lockedCard(tx *gorm.DB, userID, cardID uuid.UUID, act Action) (RoomView, Card, map[uuid.UUID]Column, error) {
	_, roomID, err := cardInRoom(tx, userID, cardID)
	if err != nil {
		return RoomView{}, Card{}, nil, err
	}
	return lockCardIn(tx, userID, roomID, cardID, act)
}

// lockCardIn is lockedCard for a card already authorized in roomID (a move
// has looked it up once already); extraColumns are locked with its column.
func lockCardIn(tx *gorm.DB, userID, roomID, cardID uuid.UUID, act Action, extraColumns ...uuid.UUID) (RoomView, Card, map[uuid.UUID]Column, error) {
	v, err := memberRoom(tx, userID, roomID, act)
	if err != nil {
		return RoomView{}, Card{}, nil, err
	}
	card, cols, err := lockCardUnder(tx, v, cardID, extraColumns...)
	if err != nil {
		return RoomView{}, Card{}, nil, err
	}
	return v, card, cols, nil
}

// lockCardUnder locks a card's column (with extraColumns) and the card, for
// a caller that holds the lock of room v already.
func lockCardUnder(tx *gorm.DB, v RoomView, cardID uuid.UUID, extraColumns ...uuid.UUID) (Card, map[uuid.UUID]Column, error) {
	// With the room locked, the card can no longer change column: read its
	// current column, then lock the columns involved in ID order.
	var card Card
	if err := tx.Take(&card, "id = ?", cardID).Error; err != nil {
		return Card{}, nil, notFound(err, "card")
	}
	cols, err := lockColumns(tx, append([]uuid.UUID{card.ColumnID}, extraColumns...)...)
	if err != nil {
		return Card{}, nil, err
	}
	if c, ok := cols[card.ColumnID]; !ok || c.RoomID != v.ID {
		return Card{}, nil, Errorf(CodeNotFound, "card not found")
	}
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&card, "id = ?", cardID).Error; err != nil {
		return Card{}, nil, notFound(err, "card")
	}
	return card, cols, nil
}

// NewCard is a card to create.
type NewCard struct {
	Title       string
	Description string
	Position    *int // nil or past the end: the end
}

// CreateCard adds a card to a column at a position, shifting the cards at
// and after it. An archived column takes no new cards.
//
// Errors: CodeNotFound, CodeValidationFailed, CodeUnavailable.
func (s *Store) CreateCard(ctx context.Context, userID, columnID uuid.UUID, nc NewCard) (Card, error) {
	var card Card
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, col, err := lockedColumn(tx, userID, columnID, ActEdit)
		if err != nil {
			return err
		}
		if col.ArchivedAt != nil {
			return restoreFirst("column_id", "the column is archived: restore it first")
		}
		n, err := countIn(tx, &Card{}, "column_id", col.ID)
		if err != nil {
			return err
		}
		at := clampInsert(nc.Position, n)
		if err := openGap(tx, &Card{}, "column_id", col.ID, at); err != nil {
			return err
		}
		author := userID
		card = Card{ColumnID: col.ID, Title: nc.Title, Description: nc.Description, Position: at, CreatedBy: &author,
			LabelIDs: []uuid.UUID{}, AssigneeIDs: []uuid.UUID{}}
		if err := tx.Omit(clause.Associations).Create(&card).Error; err != nil {
			return fmt.Errorf("create card: %w", err)
		}
		return cardChange(tx, &v, userID, api.EventCardCreated, card, nil)
	})
	return card, err
}

// Card returns a card the caller can see.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) Card(ctx context.Context, userID, cardID uuid.UUID) (Card, error) {
	var c Card
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if c, _, err = cardInRoom(tx, userID, cardID); err != nil {
			return err
		}
		return cardDetails(tx, &c)
	}, readOnly)
	return c, err
}

// CardUpdate is a change to a card's text and due date; nil fields stay as
// they are.
type CardUpdate struct {
	Title       *string
	Description *string
	// SetDue sets DueAt (nil clears it); without SetDue the due date stays.
	SetDue      bool
	DueAt       *time.Time
	DueComplete *bool
}

// UpdateCard edits a card's title, description and due date. It never
// moves it.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) UpdateCard(ctx context.Context, userID, cardID uuid.UUID, up CardUpdate) (Card, error) {
	var card Card
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, c, _, err := lockedCard(tx, userID, cardID, ActEdit)
		if err != nil {
			return err
		}
		changes := map[string]any{"updated_at": tx.NowFunc()}
		if up.Title != nil {
			changes["title"] = *up.Title
		}
		if up.Description != nil {
			changes["description"] = *up.Description
		}
		if up.SetDue {
			changes["due_at"] = up.DueAt
		}
		if up.DueComplete != nil {
			changes["due_complete"] = *up.DueComplete
		}
		if err := tx.Model(&Card{}).Where("id = ?", c.ID).Updates(changes).Error; err != nil {
			return fmt.Errorf("update card: %w", err)
		}
		if card, err = reloadCard(tx, c.ID); err != nil {
			return err
		}
		return change(tx, &v, userID, api.EventCardUpdated, api.CardData{Card: card.API()})
	})
	return card, err
}

// MoveCard moves a card to position pos of column toColumn (possibly its
// own column). The target column must be in the same room: one the caller
// can see in another room is CodeValidationFailed, one it cannot see is
// CodeNotFound. A position past the end lands at the end. An archived
// card, a card of an archived column and an archived target are
// CodeValidationFailed.
//
// Errors: CodeNotFound, CodeValidationFailed, CodeUnavailable.
func (s *Store) MoveCard(ctx context.Context, userID, cardID, toColumn uuid.UUID, pos int) (Card, error) {
	var card Card
	err := s.tx(ctx, func(tx *gorm.DB) error {
		_, roomID, err := cardInRoom(tx, userID, cardID)
		if err != nil {
			return err
		}
		target, err := columnInRoom(tx, userID, toColumn)
		if err != nil {
			return err
		}
		if target.RoomID != roomID {
			return &Error{Code: CodeValidationFailed, Message: "cards move only between columns of one room",
				Fields: map[string]string{"column_id": "must be a column of the card's room"}}
		}
		v, c, cols, err := lockCardIn(tx, userID, roomID, cardID, ActEdit, toColumn)
		if err != nil {
			return err
		}
		from := api.Place{ColumnID: c.ColumnID, Position: c.Position}
		dst, ok := cols[toColumn]
		if !ok || dst.RoomID != v.ID {
			return Errorf(CodeNotFound, "column not found")
		}
		// Archived things are off the board and out of its positions: they
		// come back through restore, never through a move.
		switch {
		case c.ArchivedAt != nil:
			return restoreFirst("card_id", "the card is archived: restore it first")
		case cols[from.ColumnID].ArchivedAt != nil:
			return restoreFirst("card_id", "the card's column is archived: restore the column first")
		case dst.ArchivedAt != nil:
			return restoreFirst("column_id", "the column is archived: restore it first")
		}
		if c.ColumnID == toColumn {
			n, err := countIn(tx, &Card{}, "column_id", toColumn)
			if err != nil {
				return err
			}
			to := min(pos, n-1)
			if err := shift(tx, &Card{}, "column_id", toColumn, c.Position, to); err != nil {
				return err
			}
			c.Position = to
		} else {
			if err := closeGap(tx, &Card{}, "column_id", c.ColumnID, c.Position); err != nil {
				return err
			}
			n, err := countIn(tx, &Card{}, "column_id", toColumn)
			if err != nil {
				return err
			}
			to := min(pos, n)
			if err := openGap(tx, &Card{}, "column_id", toColumn, to); err != nil {
				return err
			}
			c.ColumnID, c.Position = toColumn, to
		}
		c.UpdatedAt = tx.NowFunc()
		if err := tx.Model(&Card{}).Where("id = ?", c.ID).
			Updates(map[string]any{"column_id": c.ColumnID, "position": c.Position, "updated_at": c.UpdatedAt}).Error; err != nil {
			return fmt.Errorf("move card: %w", err)
		}
		if err := cardDetails(tx, &c); err != nil {
			return err
		}
		card = c
		return cardChange(tx, &v, userID, api.EventCardMoved, c, &from)
	})
	return card, err
}

// DeleteCard deletes a card and closes the gap in its column (an archived
// card leaves none).
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) DeleteCard(ctx context.Context, userID, cardID uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		v, c, cols, err := lockedCard(tx, userID, cardID, ActEdit)
		if err != nil {
			return err
		}
		from := boardPlace(c, cols[c.ColumnID])
		if err := tx.Delete(&Card{ID: c.ID}).Error; err != nil {
			return fmt.Errorf("delete card: %w", err)
		}
		// An archived card holds no place in its column: nothing to close.
		if c.ArchivedAt == nil {
			if err := closeGap(tx, &Card{}, "column_id", c.ColumnID, c.Position); err != nil {
				return err
			}
		}
		return change(tx, &v, userID, api.EventCardDeleted, api.CardDeletedData{CardID: c.ID, ColumnID: c.ColumnID, From: from})
	})
}

// boardPlace is where card c of column col is on the board, read before a
// change: nil when it is not on the board (archived, or in an archived
// column), so holds no position there.
func boardPlace(c Card, col Column) *api.Place {
	if c.ArchivedAt != nil || col.ArchivedAt != nil {
		return nil
	}
	return &api.Place{ColumnID: c.ColumnID, Position: c.Position}
}

// cardChange records a card.created, card.moved, card.archived or
// card.restored event: the card after the change and where on the board
// it was before (nil: nowhere). A client shifts the positions between by
// itself, so the event never lists a column's cards: its size does not
// grow with the column's, and the transaction reads no column for it.
func cardChange(tx *gorm.DB, v *RoomView, actor uuid.UUID, typ string, c Card, from *api.Place) error {
	return change(tx, v, actor, typ, api.CardData{Card: c.API(), From: from})
}
