package models

import (
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Positions are 0..n-1 within a room (columns) and a column (cards). Every
// change locks the room row first (memberRoom with lock), so changes to one
// room are serialized and the set-based shifts below never race; see
// docs/DESIGN.md, lock order. Each helper takes the model (&Column{} or
// &Card{}), its parent column ("room_id" or "column_id") and the parent.
//
// Archived rows keep their last position but are outside the sequence:
// every helper here counts and shifts unarchived rows only (inSequence), so
// an archived card or column can never collide with, or hold a gap among,
// the ones on the board.

// inSequence is the condition of the rows of one parent that take part in
// its positions: the unarchived ones.
func inSequence(parentCol string) string {
	return parentCol + " = ? AND archived_at IS NULL"
}

// clampInsert is where an item asked to go at pos lands among n items: the
// end when pos is nil or past the end.
func clampInsert(pos *int, n int) int {
	if pos == nil || *pos > n {
		return n
	}
	return *pos
}

// countIn counts the unarchived items of one parent.
func countIn(tx *gorm.DB, model any, parentCol string, parentID uuid.UUID) (int, error) {
	var n int64
	if err := tx.Model(model).Where(inSequence(parentCol), parentID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return int(n), nil
}

// openGap moves the items at and after position at one step down, making
// room for an item arriving there.
func openGap(tx *gorm.DB, model any, parentCol string, parentID uuid.UUID, at int) error {
	err := tx.Model(model).Where(inSequence(parentCol)+" AND position >= ?", parentID, at).
		Update("position", gorm.Expr("position + 1")).Error
	if err != nil {
		return fmt.Errorf("open a gap: %w", err)
	}
	return nil
}

// closeGap moves the items after position at one step up, closing the gap
// an item leaving position at left.
func closeGap(tx *gorm.DB, model any, parentCol string, parentID uuid.UUID, at int) error {
	err := tx.Model(model).Where(inSequence(parentCol)+" AND position > ?", parentID, at).
		Update("position", gorm.Expr("position - 1")).Error
	if err != nil {
		return fmt.Errorf("close the gap: %w", err)
	}
	return nil
}

// shift makes room for an item moving from position from to position to
// within one parent: the items between move one step towards from, in one
// set-based UPDATE.
func shift(tx *gorm.DB, model any, parentCol string, parentID uuid.UUID, from, to int) error {
	var q *gorm.DB
	switch {
	case to < from:
		q = tx.Model(model).Where(inSequence(parentCol)+" AND position >= ? AND position < ?", parentID, to, from).
			Update("position", gorm.Expr("position + 1"))
	case to > from:
		q = tx.Model(model).Where(inSequence(parentCol)+" AND position > ? AND position <= ?", parentID, from, to).
			Update("position", gorm.Expr("position - 1"))
	default:
		return nil
	}
	if q.Error != nil {
		return fmt.Errorf("shift positions: %w", q.Error)
	}
	return nil
}
