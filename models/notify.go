package models

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/syncboard/syncboard/api"
)

// EventChannel is the PostgreSQL NOTIFY channel of room events. Its payloads
// are Notices.
const EventChannel = "room_events"

// Notice is the payload of an EventChannel notification: "room Room is at
// Version". It says only that there is news; listeners read the events
// themselves from room_events. A deleted room's events are gone with it, so
// its notice carries the deletion itself (Deleted, and who did it).
//
// On the wire it is "<room>:<version>", or
// "<room>:<version>:room.deleted:<actor>" for a deletion: short, well under
// PostgreSQL's 8,000-byte payload limit, and readable in psql.
type Notice struct {
	Room    uuid.UUID
	Version int64
	Deleted bool
	Actor   uuid.UUID // set for a deletion only
}

// Encode writes the notice as a NOTIFY payload.
func (n Notice) Encode() string {
	if n.Deleted {
		return fmt.Sprintf("%s:%d:%s:%s", n.Room, n.Version, api.EventRoomDeleted, n.Actor)
	}
	return fmt.Sprintf("%s:%d", n.Room, n.Version)
}

// ErrBadNotice is returned by ParseNotice for a payload Encode did not write.
var ErrBadNotice = errors.New("not a room event notice")

// ParseNotice reads a payload written by Encode.
func ParseNotice(payload string) (Notice, error) {
	parts := strings.Split(payload, ":")
	if len(parts) != 2 && len(parts) != 4 {
		return Notice{}, ErrBadNotice
	}
	room, err := uuid.Parse(parts[0])
	if err != nil {
		return Notice{}, ErrBadNotice
	}
	version, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || version < 1 {
		return Notice{}, ErrBadNotice
	}
	n := Notice{Room: room, Version: version}
	if len(parts) == 4 {
		actor, err := uuid.Parse(parts[3])
		if parts[2] != api.EventRoomDeleted || err != nil {
			return Notice{}, ErrBadNotice
		}
		n.Deleted, n.Actor = true, actor
	}
	if n.Encode() != payload {
		// Only the canonical form: no upper-case IDs, no leading zeros.
		return Notice{}, ErrBadNotice
	}
	return n, nil
}

// notify sends n on EventChannel from tx: PostgreSQL delivers it when, and
// only if, the transaction commits, to the listening connection of every
// instance.
func notify(tx *gorm.DB, n Notice) error {
	if err := tx.Exec("SELECT pg_notify(?, ?)", EventChannel, n.Encode()).Error; err != nil {
		return fmt.Errorf("notify room %s: %w", n.Room, err)
	}
	return nil
}

// SessionChannel is the PostgreSQL NOTIFY channel of ended sessions. Its
// payloads are SessionsEnded, encoded.
const SessionChannel = "session_events"

// SessionsEnded names sessions that have just ended, so every instance
// closes their sockets at once (rather than at its next periodic check).
//
// On the wire it is the session IDs joined by commas, in as many payloads
// as PostgreSQL's 8,000-byte limit needs (sessionsPerNotice each).
type SessionsEnded struct {
	IDs []uuid.UUID
}

const sessionsPerNotice = 200 // 200 × 37 bytes < 8,000

// Encode writes the notice as NOTIFY payloads (none for no sessions).
func (n SessionsEnded) Encode() []string {
	var out []string
	for start := 0; start < len(n.IDs); start += sessionsPerNotice {
		chunk := n.IDs[start:min(start+sessionsPerNotice, len(n.IDs))]
		ids := make([]string, len(chunk))
		for i, id := range chunk {
			ids[i] = id.String()
		}
		out = append(out, strings.Join(ids, ","))
	}
	return out
}

// ParseSessionsEnded reads one payload written by Encode.
func ParseSessionsEnded(payload string) (SessionsEnded, error) {
	parts := strings.Split(payload, ",")
	if len(parts) > sessionsPerNotice {
		return SessionsEnded{}, ErrBadNotice
	}
	n := SessionsEnded{IDs: make([]uuid.UUID, len(parts))}
	for i, p := range parts {
		id, err := uuid.Parse(p)
		if err != nil || id.String() != p {
			return SessionsEnded{}, ErrBadNotice
		}
		n.IDs[i] = id
	}
	return n, nil
}

// UserChannel is the PostgreSQL NOTIFY channel of changes to users' lists
// of rooms. Its payloads are UserNotices, encoded.
const UserChannel = "user_events"

// The kinds of UserNotice, named as the user stream's messages are.
const (
	UserRoomAdded   = "room.added"   // the users joined the room
	UserRoomUpdated = "room.updated" // the room was renamed, or the users' role changed
	UserRoomRemoved = "room.removed" // the users left it, were removed, or it was deleted
)

// UserNotice says that Room was added to, changed for, or removed from
// each of Users' lists of rooms. Like Notice it carries no more than names:
// the socket reads the user's view of the room itself, so the role and
// version it sends are the current ones.
//
// On the wire it is "<kind>:<room>:<user>,<user>,...", in as many payloads
// as PostgreSQL's 8,000-byte limit needs (usersPerNotice users each): a
// rename or a deletion names every member of the room. The members are
// named, not resolved by the listener, because a deleted room's members are
// gone by the time its notice arrives.
type UserNotice struct {
	Kind  string
	Room  uuid.UUID
	Users []uuid.UUID
}

const usersPerNotice = 200 // 13 + 37 + 200 × 37 bytes < 8,000

// Encode writes the notice as NOTIFY payloads (none for no users).
func (n UserNotice) Encode() []string {
	var out []string
	for start := 0; start < len(n.Users); start += usersPerNotice {
		chunk := n.Users[start:min(start+usersPerNotice, len(n.Users))]
		ids := make([]string, len(chunk))
		for i, id := range chunk {
			ids[i] = id.String()
		}
		out = append(out, n.Kind+":"+n.Room.String()+":"+strings.Join(ids, ","))
	}
	return out
}

// ParseUserNotice reads one payload written by Encode.
func ParseUserNotice(payload string) (UserNotice, error) {
	kind, rest, ok1 := strings.Cut(payload, ":")
	room, users, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || (kind != UserRoomAdded && kind != UserRoomUpdated && kind != UserRoomRemoved) {
		return UserNotice{}, ErrBadNotice
	}
	n := UserNotice{Kind: kind}
	ids := strings.Split(users, ",")
	if len(ids) > usersPerNotice {
		return UserNotice{}, ErrBadNotice
	}
	for _, raw := range append([]string{room}, ids...) {
		id, err := uuid.Parse(raw)
		if err != nil || id.String() != raw {
			return UserNotice{}, ErrBadNotice
		}
		n.Users = append(n.Users, id)
	}
	n.Room, n.Users = n.Users[0], n.Users[1:]
	return n, nil
}

// notifyUsers sends a UserNotice from tx, delivered on commit only, like
// notify.
func notifyUsers(tx *gorm.DB, kind string, room uuid.UUID, users ...uuid.UUID) error {
	for _, p := range (UserNotice{Kind: kind, Room: room, Users: users}).Encode() {
		if err := tx.Exec("SELECT pg_notify(?, ?)", UserChannel, p).Error; err != nil {
			return fmt.Errorf("notify the users of room %s: %w", room, err)
		}
	}
	return nil
}

// notifyMembers sends a UserNotice to every member of the room, read in
// tx: the caller holds the room lock, which every change of membership
// takes, so the members named are exactly those at commit.
func notifyMembers(tx *gorm.DB, kind string, room uuid.UUID) error {
	var users []uuid.UUID
	if err := tx.Model(&RoomMember{}).Where("room_id = ?", room).Order("user_id").Pluck("user_id", &users).Error; err != nil {
		return fmt.Errorf("list the members of room %s: %w", room, err)
	}
	return notifyUsers(tx, kind, room, users...)
}
