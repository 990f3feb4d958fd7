package models

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// change bumps the room's version and records the change as an event with
// the new version, in the caller's transaction: the event commits if and
// only if the change does.
func change(tx *gorm.DB, v *RoomView, actor uuid.UUID, typ string, data any) error {
	if err := bumpVersion(tx, v); err != nil {
		return err
	}
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", typ, err)
	}
	ev := RoomEvent{RoomID: v.ID, Version: v.Version, Type: typ, ActorID: &actor, At: tx.NowFunc(), Data: b}
	if err := tx.Create(&ev).Error; err != nil {
		return fmt.Errorf("record %s event: %w", typ, err)
	}
	return notify(tx, Notice{Room: v.ID, Version: v.Version})
}

// EventsAfter returns a room's events after version after, in order, at
// most limit, whoever asks: for the server's own fan-out, which checks
// membership when a socket subscribes.
func (s *Store) EventsAfter(ctx context.Context, roomID uuid.UUID, after int64, limit int) ([]RoomEvent, error) {
	var events []RoomEvent
	err := s.db.WithContext(ctx).Where("room_id = ? AND version > ?", roomID, after).Order("version").Limit(limit).Find(&events).Error
	if err != nil {
		return nil, Classify(fmt.Errorf("read events: %w", err))
	}
	return events, nil
}

// LatestEvents returns a room's newest events, at most limit, in version
// order: what the hub keeps in memory for live delivery.
func (s *Store) LatestEvents(ctx context.Context, roomID uuid.UUID, limit int) ([]RoomEvent, error) {
	var events []RoomEvent
	err := s.db.WithContext(ctx).Where("room_id = ?", roomID).Order("version DESC").Limit(limit).Find(&events).Error
	if err != nil {
		return nil, Classify(fmt.Errorf("read latest events: %w", err))
	}
	slices.Reverse(events)
	return events, nil
}

// columnOrder is the room's unarchived column IDs by position, after a
// change.
func columnOrder(tx *gorm.DB, roomID uuid.UUID) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	if err := tx.Model(&Column{}).Where(inSequence("room_id"), roomID).Order("position, id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("column order: %w", err)
	}
	return ids, nil
}

// ErrResync is returned by Events when events after the asked version are
// no longer kept: the client must refetch the board.
var ErrResync = &Error{Code: CodeResyncRequired, Message: "events this old are no longer kept; refetch the board"}

// Events returns the room's events after version since, in order, at most
// limit, and the room's current version.
//
// Errors: CodeNotFound, CodeResyncRequired, CodeUnavailable.
func (s *Store) Events(ctx context.Context, userID, roomID uuid.UUID, since int64, limit int) ([]RoomEvent, int64, error) {
	var (
		events []RoomEvent
		v      RoomView
	)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if v, err = memberRoom(tx, userID, roomID, ActRead); err != nil {
			return err
		}
		// Creating the room is version 1 and records no event: after 0
		// means after 1.
		from := max(since, 1)
		if from >= v.Version {
			return nil
		}
		if err := tx.Where("room_id = ? AND version > ?", roomID, from).Order("version").Limit(limit).Find(&events).Error; err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		if len(events) == 0 || events[0].Version != from+1 {
			return ErrResync
		}
		return nil
	}, readOnly)
	if err != nil {
		return nil, 0, err
	}
	return events, v.Version, nil
}

// PruneEvents deletes events recorded before cutoff and says how many.
func (s *Store) PruneEvents(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("at < ?", cutoff).Delete(&RoomEvent{})
	if res.Error != nil {
		return 0, Classify(fmt.Errorf("prune events: %w", res.Error))
	}
	return res.RowsAffected, nil
}
