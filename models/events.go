package models

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Event types: one per kind of change to a room.
const (
	EventRoomUpdated   = "room.updated"
	EventRoomDeleted   = "room.deleted"
	EventMemberAdded   = "member.added"
	EventMemberRemoved = "member.removed"
	EventColumnCreated = "column.created"
	EventColumnUpdated = "column.updated"
	EventColumnDeleted = "column.deleted"
	EventCardCreated   = "card.created"
	EventCardUpdated   = "card.updated"
	EventCardMoved     = "card.moved"
	EventCardDeleted   = "card.deleted"
)

// The shapes inside an event's data. They match the API's Column, Card and
// Member, so a client parses them with the same code.
type (
	eventUser struct {
		ID          uuid.UUID `json:"id"`
		Email       string    `json:"email"`
		DisplayName string    `json:"display_name"`
		CreatedAt   time.Time `json:"created_at"`
	}
	eventMember struct {
		User     eventUser `json:"user"`
		Role     string    `json:"role"`
		JoinedAt time.Time `json:"joined_at"`
	}
	eventColumn struct {
		ID       uuid.UUID `json:"id"`
		RoomID   uuid.UUID `json:"room_id"`
		Name     string    `json:"name"`
		Position int       `json:"position"`
	}
	eventCard struct {
		ID          uuid.UUID  `json:"id"`
		ColumnID    uuid.UUID  `json:"column_id"`
		Title       string     `json:"title"`
		Description string     `json:"description"`
		Position    int        `json:"position"`
		CreatedBy   *uuid.UUID `json:"created_by"`
		CreatedAt   time.Time  `json:"created_at"`
		UpdatedAt   time.Time  `json:"updated_at"`
	}
)

func toEventColumn(c Column) eventColumn {
	return eventColumn{ID: c.ID, RoomID: c.RoomID, Name: c.Name, Position: c.Position}
}

func toEventCard(c Card) eventCard {
	return eventCard{ID: c.ID, ColumnID: c.ColumnID, Title: c.Title, Description: c.Description,
		Position: c.Position, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
}

func toEventMember(m RoomMember) eventMember {
	return eventMember{
		User: eventUser{ID: m.User.ID, Email: m.User.Email, DisplayName: m.User.DisplayName, CreatedAt: m.User.CreatedAt.UTC()},
		Role: m.Role, JoinedAt: m.JoinedAt.UTC(),
	}
}

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
	// PostgreSQL delivers the notification when (and only if) the
	// transaction commits, to the listening connection of every instance.
	if err := tx.Exec("SELECT pg_notify(?, ?)", EventChannel, fmt.Sprintf("%s:%d", v.ID, v.Version)).Error; err != nil {
		return fmt.Errorf("notify %s event: %w", typ, err)
	}
	return nil
}

// EventChannel is the PostgreSQL NOTIFY channel of room events; a payload
// is "<room ID>:<version>", or "<room ID>:<version>:room.deleted:<actor ID>"
// for a deleted room.
const EventChannel = "room_events"

// EventsAfter returns a room's events after version after, in order, at
// most limit, whoever asks: for the server's own fan-out, which checks
// membership when a socket subscribes.
func (s *Store) EventsAfter(ctx context.Context, roomID uuid.UUID, after int64, limit int) ([]RoomEvent, error) {
	var events []RoomEvent
	err := s.db.WithContext(ctx).Where("room_id = ? AND version > ?", roomID, after).Order("version").Limit(limit).Find(&events).Error
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return events, nil
}

// columnOrder is the room's column IDs by position, after a change.
func columnOrder(tx *gorm.DB, roomID uuid.UUID) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := tx.Model(&Column{}).Where("room_id = ?", roomID).Order("position, id").Pluck("id", &ids).Error
	return ids, err
}

// cardOrder is, for each column given, its card IDs by position, after a
// change: every position that changed can be read from it.
func cardOrder(tx *gorm.DB, columnIDs ...uuid.UUID) (map[uuid.UUID][]uuid.UUID, error) {
	var rows []struct {
		ID, ColumnID uuid.UUID
	}
	err := tx.Model(&Card{}).Select("id, column_id").Where("column_id IN ?", columnIDs).Order("position, id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID][]uuid.UUID, len(columnIDs))
	for _, id := range columnIDs {
		out[id] = []uuid.UUID{}
	}
	for _, r := range rows {
		out[r.ColumnID] = append(out[r.ColumnID], r.ID)
	}
	return out, nil
}

// ErrResync is returned by Events when events after the asked version are
// no longer kept: the client must refetch the board.
var ErrResync = &Error{Code: CodeResyncRequired, Message: "events this old are no longer kept; refetch the board"}

// Events returns the room's events after version since, in order, at most
// limit, and the room's current version.
//
// Errors: CodeNotFound, CodeResyncRequired.
func (s *Store) Events(ctx context.Context, userID, roomID uuid.UUID, since int64, limit int) ([]RoomEvent, int64, error) {
	var (
		events []RoomEvent
		v      RoomView
	)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if v, err = memberRoom(tx, userID, roomID, false); err != nil {
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
		return 0, fmt.Errorf("prune events: %w", res.Error)
	}
	return res.RowsAffected, nil
}
