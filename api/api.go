// Package api holds the JSON shapes of SyncBoard's HTTP API: each shape has
// exactly one definition here, used by the REST responses (handlers) and by
// the payloads of room events (models) alike, so a client parses a card the
// same way whether it came from GET /api/cards/{id} or from a socket.
//
// The package is a leaf: it imports no other package of the project. Models
// convert themselves into these shapes (models.Card.API and friends), once
// each; openapi/openapi.yaml describes the same shapes for clients.
package api

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// User is an account as others see it: never its password hash.
type User struct {
	ID          uuid.UUID `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	CreatedAt   time.Time `json:"created_at"`
}

// AuthResponse answers register, login, refresh and a password change: a
// short-lived bearer token, the session's refresh token (also set as an
// HttpOnly cookie) and the user.
type AuthResponse struct {
	AccessToken      string    `json:"access_token"`
	TokenType        string    `json:"token_type"`
	ExpiresAt        time.Time `json:"expires_at"`
	RefreshToken     string    `json:"refresh_token"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	SessionID        uuid.UUID `json:"session_id"`
	User             User      `json:"user"`
}

// Session is one signed-in device of the caller's; Current marks the one
// the request came from.
type Session struct {
	ID         uuid.UUID `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	UserAgent  string    `json:"user_agent"`
	IP         string    `json:"ip"`
	Current    bool      `json:"current"`
}

// Room is a board as one member sees it: Role is the caller's.
type Room struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	CreatedBy uuid.UUID `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	Version   int64     `json:"version"`
	Role      string    `json:"role"`
}

// RoomPage is a page of the caller's rooms; NextCursor is nil on the last.
type RoomPage struct {
	Items      []Room  `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// Member is a user's membership of a room.
type Member struct {
	User     User      `json:"user"`
	Role     string    `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

// Column is a list on a board. ArchivedAt is nil unless it is archived.
type Column struct {
	ID         uuid.UUID  `json:"id"`
	RoomID     uuid.UUID  `json:"room_id"`
	Name       string     `json:"name"`
	Position   int        `json:"position"`
	ArchivedAt *time.Time `json:"archived_at"`
}

// Card sits in a column. CreatedBy is null once its author's account is
// deleted. LabelIDs are in label order, AssigneeIDs in assignment order.
type Card struct {
	ID           uuid.UUID   `json:"id"`
	ColumnID     uuid.UUID   `json:"column_id"`
	Title        string      `json:"title"`
	Description  string      `json:"description"`
	Position     int         `json:"position"`
	CreatedBy    *uuid.UUID  `json:"created_by"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
	DueAt        *time.Time  `json:"due_at"`
	DueComplete  bool        `json:"due_complete"`
	LabelIDs     []uuid.UUID `json:"label_ids"`
	AssigneeIDs  []uuid.UUID `json:"assignee_ids"`
	CommentCount int         `json:"comment_count"`
	ArchivedAt   *time.Time  `json:"archived_at"`
}

// Label is a named color of a room.
type Label struct {
	ID     uuid.UUID `json:"id"`
	RoomID uuid.UUID `json:"room_id"`
	Name   string    `json:"name"`
	Color  string    `json:"color"`
}

// Comment is a message on a card. Author is the user even after they left
// the room.
type Comment struct {
	ID        uuid.UUID `json:"id"`
	CardID    uuid.UUID `json:"card_id"`
	Author    User      `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CommentPage is a page of a card's comments, oldest first.
type CommentPage struct {
	Items      []Comment `json:"items"`
	NextCursor *string   `json:"next_cursor"`
}

// Ref names a room or a column beside a search hit.
type Ref struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

// SearchHit is a card that matched a search, with its room and column.
type SearchHit struct {
	Card   Card `json:"card"`
	Room   Ref  `json:"room"`
	Column Ref  `json:"column"`
}

// SearchPage is a page of search hits, best match first; NextCursor is nil
// on the last.
type SearchPage struct {
	Items      []SearchHit `json:"items"`
	NextCursor *string     `json:"next_cursor"`
}

// Board is a Room with its members and its columns, each with its cards,
// all in order.
type Board struct {
	Room
	Members []Member      `json:"members"`
	Labels  []Label       `json:"labels"`
	Columns []BoardColumn `json:"columns"`
}

// BoardColumn is a Column inside a Board, with its cards by position.
type BoardColumn struct {
	Column
	Cards []Card `json:"cards"`
}

// Archive is what a room keeps off its board: archived columns and
// archived cards, each most recently archived first.
type Archive struct {
	Columns []Column `json:"columns"`
	Cards   []Card   `json:"cards"`
}

// Ticket opens one room's WebSocket once, shortly.
type Ticket struct {
	Ticket    string    `json:"ticket"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Invite is an invitation link to a room. Token and URL are sent once, in
// the answer that creates the link (the server keeps only a hash of the
// token); in a list they are null.
type Invite struct {
	ID        uuid.UUID `json:"id"`
	RoomID    uuid.UUID `json:"room_id"`
	Role      string    `json:"role"`
	Token     *string   `json:"token"`
	URL       *string   `json:"url"`
	CreatedBy uuid.UUID `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// InvitePreview is what an invitation link shows before it is accepted,
// to anyone holding it: which room, who invited, with what role.
type InvitePreview struct {
	Room      InviteRoom `json:"room"`
	Inviter   User       `json:"inviter"`
	Role      string     `json:"role"`
	ExpiresAt time.Time  `json:"expires_at"`
}

// InviteRoom is the little of a room its invitation link shows.
type InviteRoom struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

// Status is the body of the health and readiness probes.
type Status struct {
	Status string `json:"status"`
}

// ErrorBody is the body of every 4xx and 5xx response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody; Fields is set only for
// validation_failed.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// Event is one change to a room. Version is the room's version after it,
// so a room's events are numbered consecutively; Data is one of the *Data
// types below, chosen by Type.
type Event struct {
	Version int64           `json:"version"`
	Type    string          `json:"type"`
	ActorID *uuid.UUID      `json:"actor_id"`
	At      time.Time       `json:"at"`
	Data    json.RawMessage `json:"data"`
}

// EventPage answers the polling endpoint: events after the asked version
// and the room's current version.
type EventPage struct {
	Events  []Event `json:"events"`
	Version int64   `json:"version"`
}

// MessagePresence is the type of the room socket's presence message.
const MessagePresence = "presence"

// Presence is the room socket's message saying who has the board open: the
// room's users with at least one socket open to it on any server instance,
// by display name. It carries no version: presence is not an event, it is
// never stored and never changes the room's version.
type Presence struct {
	Type  string         `json:"type"` // always MessagePresence
	Users []PresenceUser `json:"users"`
}

// PresenceUser is one user of a Presence message.
type PresenceUser struct {
	ID          uuid.UUID `json:"id"`
	DisplayName string    `json:"display_name"`
}
