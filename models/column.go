package models

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Positions are 0..n-1 within a room (columns) and a column (cards). Every
// change locks the room row first (memberRoom with lock), so changes to one
// room are serialized and the shifts below never race; see docs/DESIGN.md.

// clampInsert is where an item asked to go at pos lands among n items: the
// end when pos is nil or past the end.
func clampInsert(pos *int, n int) int {
	if pos == nil || *pos > n {
		return n
	}
	return *pos
}

// columnInRoom finds a column through the caller's membership of its room:
// the column's room, unlocked, for the authorization check. Nobody else's
// column is distinguishable from a missing one.
func columnInRoom(tx *gorm.DB, userID, columnID uuid.UUID) (Column, error) {
	var c Column
	err := tx.Model(&Column{}).Select("columns.*").
		Joins("JOIN room_members ON room_members.room_id = columns.room_id AND room_members.user_id = ?", userID).
		Where("columns.id = ?", columnID).Take(&c).Error
	return c, notFound(err, "column")
}

// lockColumns locks column rows FOR UPDATE in ID order and returns them by
// ID; a column deleted meanwhile is missing from the map.
func lockColumns(tx *gorm.DB, ids ...uuid.UUID) (map[uuid.UUID]Column, error) {
	var cols []Column
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id IN ?", ids).Order("id").Find(&cols).Error
	if err != nil {
		return nil, fmt.Errorf("lock columns: %w", err)
	}
	out := make(map[uuid.UUID]Column, len(cols))
	for _, c := range cols {
		out[c.ID] = c
	}
	return out, nil
}

// lockedColumn authorizes and locks one column and its room: the room row
// first, then the column row.
func lockedColumn(tx *gorm.DB, userID, columnID uuid.UUID) (RoomView, Column, error) {
	c, err := columnInRoom(tx, userID, columnID)
	if err != nil {
		return RoomView{}, Column{}, err
	}
	v, err := memberRoom(tx, userID, c.RoomID, true)
	if err != nil {
		return RoomView{}, Column{}, err
	}
	cols, err := lockColumns(tx, columnID)
	if err != nil {
		return RoomView{}, Column{}, err
	}
	c, ok := cols[columnID]
	if !ok || c.RoomID != v.ID {
		return RoomView{}, Column{}, Errorf(CodeNotFound, "column not found")
	}
	return v, c, nil
}

func countIn(tx *gorm.DB, model any, where string, id uuid.UUID) (int, error) {
	var n int64
	if err := tx.Model(model).Where(where, id).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return int(n), nil
}

// CreateColumn adds a column at pos (nil or past the end: the end), shifting
// the columns at and after it. Any member may.
//
// Errors: CodeNotFound.
func (s *Store) CreateColumn(ctx context.Context, userID, roomID uuid.UUID, name string, pos *int) (Column, error) {
	var c Column
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v, err := memberRoom(tx, userID, roomID, true)
		if err != nil {
			return err
		}
		n, err := countIn(tx, &Column{}, "room_id = ?", roomID)
		if err != nil {
			return err
		}
		at := clampInsert(pos, n)
		if err := tx.Model(&Column{}).Where("room_id = ? AND position >= ?", roomID, at).
			Update("position", gorm.Expr("position + 1")).Error; err != nil {
			return fmt.Errorf("shift columns: %w", err)
		}
		c = Column{RoomID: roomID, Name: name, Position: at}
		if err := tx.Create(&c).Error; err != nil {
			return fmt.Errorf("create column: %w", err)
		}
		return columnChange(tx, &v, userID, EventColumnCreated, map[string]any{"column": toEventColumn(c)})
	})
	return c, err
}

// ColumnUpdate is a change to a column; nil fields stay as they are.
type ColumnUpdate struct {
	Name     *string
	Position *int // past the end: the end
}

// UpdateColumn renames and/or moves a column within its room.
//
// Errors: CodeNotFound.
func (s *Store) UpdateColumn(ctx context.Context, userID, columnID uuid.UUID, up ColumnUpdate) (Column, error) {
	var c Column
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v, col, err := lockedColumn(tx, userID, columnID)
		if err != nil {
			return err
		}
		c = col
		changes := map[string]any{}
		if up.Name != nil {
			changes["name"] = *up.Name
			c.Name = *up.Name
		}
		if up.Position != nil {
			n, err := countIn(tx, &Column{}, "room_id = ?", c.RoomID)
			if err != nil {
				return err
			}
			to := min(*up.Position, n-1)
			if err := shift(tx, &Column{}, "room_id", c.RoomID, c.Position, to); err != nil {
				return err
			}
			changes["position"] = to
			c.Position = to
		}
		if len(changes) > 0 {
			if err := tx.Model(&Column{}).Where("id = ?", c.ID).Updates(changes).Error; err != nil {
				return fmt.Errorf("update column: %w", err)
			}
		}
		return columnChange(tx, &v, userID, EventColumnUpdated, map[string]any{"column": toEventColumn(c)})
	})
	return c, err
}

// shift makes room for an item moving from position from to position to
// within one parent: the items between move one step towards from, in one
// set-based UPDATE.
func shift(tx *gorm.DB, model any, parentCol string, parentID uuid.UUID, from, to int) error {
	var q *gorm.DB
	switch {
	case to < from:
		q = tx.Model(model).Where(parentCol+" = ? AND position >= ? AND position < ?", parentID, to, from).
			Update("position", gorm.Expr("position + 1"))
	case to > from:
		q = tx.Model(model).Where(parentCol+" = ? AND position > ? AND position <= ?", parentID, from, to).
			Update("position", gorm.Expr("position - 1"))
	default:
		return nil
	}
	if q.Error != nil {
		return fmt.Errorf("shift positions: %w", q.Error)
	}
	return nil
}

// DeleteColumn deletes a column with its cards and closes the gap.
//
// Errors: CodeNotFound.
func (s *Store) DeleteColumn(ctx context.Context, userID, columnID uuid.UUID) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		v, c, err := lockedColumn(tx, userID, columnID)
		if err != nil {
			return err
		}
		// Cards go by cascade too; deleting them here is the ORM half.
		if err := tx.Where("column_id = ?", c.ID).Delete(&Card{}).Error; err != nil {
			return fmt.Errorf("delete column cards: %w", err)
		}
		if err := tx.Delete(&Column{ID: c.ID}).Error; err != nil {
			return fmt.Errorf("delete column: %w", err)
		}
		if err := tx.Model(&Column{}).Where("room_id = ? AND position > ?", c.RoomID, c.Position).
			Update("position", gorm.Expr("position - 1")).Error; err != nil {
			return fmt.Errorf("close the gap: %w", err)
		}
		return columnChange(tx, &v, userID, EventColumnDeleted, map[string]any{"column_id": c.ID})
	})
}

// columnChange is change for column events, whose data also carries the
// room's column order after the change ("columns").
func columnChange(tx *gorm.DB, v *RoomView, actor uuid.UUID, typ string, data map[string]any) error {
	order, err := columnOrder(tx, v.ID)
	if err != nil {
		return fmt.Errorf("column order: %w", err)
	}
	data["columns"] = order
	return change(tx, v, actor, typ, data)
}
