package api

import "github.com/google/uuid"

// UserStreamMessage is one message of the user stream (GET /api/ws): Type
// is "room.added" or "room.updated" with Room (the receiving user's view:
// their role, the current version), or "room.removed" with RoomID.
type UserStreamMessage struct {
	Type   string     `json:"type"`
	Room   *Room      `json:"room,omitempty"`
	RoomID *uuid.UUID `json:"room_id,omitempty"`
}
