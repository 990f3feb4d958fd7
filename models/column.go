package models

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/syncboard/syncboard/api"
)

// columnInRoom finds a column through the caller's membership of its room:
// the column's room, unlocked, for the authorization check. Nobody else's
// column is distinguishable from a missing one.
func columnInRoom(tx *gorm.DB, userID, columnID uuid.UUID) (Column, error) {
	var c Column
	err := tx.Model(&Column{}).Select("columns.*").Scopes(memberOf(userID, "columns.room_id")).
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

// lockedColumn authorizes act on one column and locks it and its room: the
// room row first, then the column row.
func lockedColumn(tx *gorm.DB, userID, columnID uuid.UUID, act Action) (RoomView, Column, error) {
	c, err := columnInRoom(tx, userID, columnID)
	if err != nil {
		return RoomView{}, Column{}, err
	}
	v, err := memberRoom(tx, userID, c.RoomID, act)
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

// CreateColumn adds a column at pos (nil or past the end: the end), shifting
// the columns at and after it. Any member may.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) CreateColumn(ctx context.Context, userID, roomID uuid.UUID, name string, pos *int) (Column, error) {
	var c Column
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, err := memberRoom(tx, userID, roomID, ActEdit)
		if err != nil {
			return err
		}
		n, err := countIn(tx, &Column{}, "room_id", roomID)
		if err != nil {
			return err
		}
		at := clampInsert(pos, n)
		if err := openGap(tx, &Column{}, "room_id", roomID, at); err != nil {
			return err
		}
		c = Column{RoomID: roomID, Name: name, Position: at}
		if err := tx.Create(&c).Error; err != nil {
			return fmt.Errorf("create column: %w", err)
		}
		return columnChange(tx, &v, userID, api.EventColumnCreated, c)
	})
	return c, err
}

// ColumnUpdate is a change to a column; nil fields stay as they are.
type ColumnUpdate struct {
	Name     *string
	Position *int // past the end: the end
}

// UpdateColumn renames and/or moves a column within its room. An archived
// column may be renamed, not moved (CodeValidationFailed).
//
// Errors: CodeNotFound, CodeValidationFailed, CodeUnavailable.
func (s *Store) UpdateColumn(ctx context.Context, userID, columnID uuid.UUID, up ColumnUpdate) (Column, error) {
	var c Column
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, col, err := lockedColumn(tx, userID, columnID, ActEdit)
		if err != nil {
			return err
		}
		c = col
		if up.Position != nil && c.ArchivedAt != nil {
			return restoreFirst("position", "the column is archived: restore it first")
		}
		changes := map[string]any{}
		if up.Name != nil {
			changes["name"] = *up.Name
			c.Name = *up.Name
		}
		if up.Position != nil {
			n, err := countIn(tx, &Column{}, "room_id", c.RoomID)
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
		return columnChange(tx, &v, userID, api.EventColumnUpdated, c)
	})
	return c, err
}

// DeleteColumn deletes a column with its cards and closes the gap (an
// archived column leaves none).
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) DeleteColumn(ctx context.Context, userID, columnID uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		v, c, err := lockedColumn(tx, userID, columnID, ActEdit)
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
		// An archived column holds no place in the sequence: nothing to close.
		if c.ArchivedAt == nil {
			if err := closeGap(tx, &Column{}, "room_id", c.RoomID, c.Position); err != nil {
				return err
			}
		}
		order, err := columnOrder(tx, v.ID)
		if err != nil {
			return err
		}
		return change(tx, &v, userID, api.EventColumnDeleted, api.ColumnDeletedData{ColumnID: c.ID, Columns: order})
	})
}

// columnChange records a column.created or column.updated event: the
// column and the room's column order after the change.
func columnChange(tx *gorm.DB, v *RoomView, actor uuid.UUID, typ string, c Column) error {
	order, err := columnOrder(tx, v.ID)
	if err != nil {
		return err
	}
	return change(tx, v, actor, typ, api.ColumnData{Column: c.API(), Columns: order})
}
