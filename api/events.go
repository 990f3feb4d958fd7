package api

import "github.com/google/uuid"

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

// The data of each event type: what a client needs to apply the change
// without refetching the board. Entities inside are the same shapes the
// REST responses use.
type (
	// RoomUpdatedData is room.updated: the room's new name.
	RoomUpdatedData struct {
		Name string `json:"name"`
	}
	// RoomDeletedData is room.deleted; the room and its events are gone.
	RoomDeletedData struct{}
	// MemberAddedData is member.added.
	MemberAddedData struct {
		Member Member `json:"member"`
	}
	// MemberRemovedData is member.removed: who left or was removed.
	MemberRemovedData struct {
		UserID uuid.UUID `json:"user_id"`
	}
	// ColumnData is column.created and column.updated: the column and the
	// room's column IDs by position after the change.
	ColumnData struct {
		Column  Column      `json:"column"`
		Columns []uuid.UUID `json:"columns"`
	}
	// ColumnDeletedData is column.deleted (its cards went with it).
	ColumnDeletedData struct {
		ColumnID uuid.UUID   `json:"column_id"`
		Columns  []uuid.UUID `json:"columns"`
	}
	// CardData is card.created, card.updated and card.moved: the card and,
	// for a change of positions, each affected column's card IDs by
	// position after it (absent from card.updated, which moves nothing).
	CardData struct {
		Card  Card                      `json:"card"`
		Cards map[uuid.UUID][]uuid.UUID `json:"cards,omitempty"`
	}
	// CardDeletedData is card.deleted.
	CardDeletedData struct {
		CardID   uuid.UUID                 `json:"card_id"`
		ColumnID uuid.UUID                 `json:"column_id"`
		Cards    map[uuid.UUID][]uuid.UUID `json:"cards"`
	}
)
