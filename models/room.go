package models

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/syncboard/syncboard/api"
)

// RoomView is a room as one member sees it: with that member's role.
type RoomView struct {
	Room
	Role string
}

// memberRoom loads a room through the caller's membership and checks that
// the caller's role allows act (roles.go): a room the caller is not a member
// of is the same CodeNotFound as a missing one, in one round trip, and a
// role too low is CodeForbidden. Every action but a read locks the room row
// FOR UPDATE: every change to a room takes this lock first (see
// docs/DESIGN.md, lock order).
func memberRoom(tx *gorm.DB, userID, roomID uuid.UUID, act Action) (RoomView, error) {
	var v RoomView
	q := tx.Model(&Room{}).Select("rooms.*, room_members.role AS role").
		Scopes(memberOf(userID, "rooms.id")).
		Where("rooms.id = ?", roomID)
	if act.locks() {
		// The membership row is locked too (FOR SHARE): a request that
		// waited for the room lock must see the role as it is once it has
		// the lock, not as it was when it started waiting. PostgreSQL
		// re-reads the newest version of every row a statement locks
		// (READ COMMITTED), and only of those; a demoted owner's racing
		// request is therefore judged by its new role.
		q = q.Clauses(clause.Locking{Strength: "UPDATE", Table: clause.Table{Name: "rooms"},
			Options: "FOR SHARE OF room_members"})
	}
	if err := q.Take(&v).Error; err != nil {
		return RoomView{}, notFound(err, "room")
	}
	if err := authorize(v.Role, act); err != nil {
		return RoomView{}, err
	}
	return v, nil
}

// bumpVersion adds one to the room's version: every successful change to a
// room, its members, columns or cards does, in its own transaction.
func bumpVersion(tx *gorm.DB, v *RoomView) error {
	res := tx.Model(&Room{}).Where("id = ?", v.ID).
		Updates(map[string]any{"version": gorm.Expr("version + 1"), "updated_at": tx.NowFunc()})
	if res.Error != nil {
		return fmt.Errorf("bump room version: %w", res.Error)
	}
	v.Version++
	return nil
}

// CreateRoom creates a room whose owner is its creator, at version 1.
//
// Errors: CodeUnavailable.
func (s *Store) CreateRoom(ctx context.Context, userID uuid.UUID, name string) (RoomView, error) {
	room := Room{
		Name:      name,
		CreatedBy: userID,
		Version:   1,
		Members:   []RoomMember{{UserID: userID, Role: RoleOwner}},
	}
	// The room and its owner's membership in one transaction, through the
	// Members association; the creator's other devices hear of it on
	// commit.
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&room).Error; err != nil {
			return err
		}
		return notifyUsers(tx, UserRoomAdded, room.ID, userID)
	})
	if err != nil {
		return RoomView{}, Classify(fmt.Errorf("create room: %w", err))
	}
	room.Members = nil
	return RoomView{Room: room, Role: RoleOwner}, nil
}

// RoomCursor is the position after the last room of a page.
type RoomCursor struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// Encode makes the cursor opaque for clients.
func (c RoomCursor) Encode() string {
	raw := c.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + c.ID.String()
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// ErrBadCursor is returned by DecodeRoomCursor for a cursor this server did
// not make.
var ErrBadCursor = errors.New("bad cursor")

// DecodeRoomCursor reads a cursor made by Encode.
func DecodeRoomCursor(s string) (RoomCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return RoomCursor{}, ErrBadCursor
	}
	at, id, ok := strings.Cut(string(raw), "|")
	if !ok {
		return RoomCursor{}, ErrBadCursor
	}
	t, err1 := time.Parse(time.RFC3339Nano, at)
	u, err2 := uuid.Parse(id)
	if err1 != nil || err2 != nil {
		return RoomCursor{}, ErrBadCursor
	}
	return RoomCursor{CreatedAt: t, ID: u}, nil
}

// ListRooms returns the caller's rooms, newest first, limit at a time,
// after cursor (nil for the first page). next is nil on the last page.
//
// Errors: CodeUnavailable.
func (s *Store) ListRooms(ctx context.Context, userID uuid.UUID, limit int, after *RoomCursor) (rooms []RoomView, next *RoomCursor, err error) {
	q := s.db.WithContext(ctx).Model(&Room{}).Select("rooms.*, room_members.role AS role").
		Scopes(memberOf(userID, "rooms.id")).
		Order("rooms.created_at DESC, rooms.id DESC").
		Limit(limit + 1) // one more tells whether a next page exists
	if after != nil {
		q = q.Where("(rooms.created_at, rooms.id) < (?, ?)", after.CreatedAt, after.ID)
	}
	if err := q.Find(&rooms).Error; err != nil {
		return nil, nil, Classify(fmt.Errorf("list rooms: %w", err))
	}
	if len(rooms) > limit {
		rooms = rooms[:limit]
		last := rooms[limit-1]
		next = &RoomCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	return rooms, next, nil
}

// RenameRoom renames a room. Owner only.
//
// Errors: CodeNotFound, CodeForbidden, CodeUnavailable.
func (s *Store) RenameRoom(ctx context.Context, userID, roomID uuid.UUID, name string) (RoomView, error) {
	var v RoomView
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		if v, err = memberRoom(tx, userID, roomID, ActManage); err != nil {
			return err
		}
		if err := tx.Model(&Room{}).Where("id = ?", roomID).Update("name", name).Error; err != nil {
			return fmt.Errorf("rename room: %w", err)
		}
		v.Name = name
		if err := notifyMembers(tx, UserRoomUpdated, roomID); err != nil {
			return err
		}
		return change(tx, &v, userID, api.EventRoomUpdated, api.RoomUpdatedData{Name: name})
	})
	return v, err
}

// DeleteRoomAs deletes a room with its members, columns and cards. Owner
// only.
//
// Errors: CodeNotFound, CodeForbidden, CodeUnavailable.
func (s *Store) DeleteRoomAs(ctx context.Context, userID, roomID uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		v, err := memberRoom(tx, userID, roomID, ActManage)
		if err != nil {
			return err
		}
		if err := deleteRoom(tx, roomID); err != nil {
			return err
		}
		// The room's events go with it, so room.deleted is not stored: it
		// travels in the notification itself, to the sockets watching.
		return notify(tx, Notice{Room: roomID, Version: v.Version + 1, Deleted: true, Actor: userID})
	})
}

// Members lists a room's members with their users, in join order.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) Members(ctx context.Context, userID, roomID uuid.UUID) ([]RoomMember, error) {
	db := s.db.WithContext(ctx)
	if _, err := memberRoom(db, userID, roomID, ActRead); err != nil {
		return nil, Classify(err)
	}
	var ms []RoomMember
	if err := db.Preload("User").Where("room_id = ?", roomID).Order("joined_at, id").Find(&ms).Error; err != nil {
		return nil, Classify(fmt.Errorf("list members: %w", err))
	}
	return ms, nil
}

// AddMember adds the user with email to a room with role (RoleMember when
// empty). Owners only.
//
// Errors: CodeNotFound (room, or no user with that email), CodeForbidden,
// CodeAlreadyMember, CodeUnavailable.
func (s *Store) AddMember(ctx context.Context, userID, roomID uuid.UUID, email, role string) (RoomMember, error) {
	if role == "" {
		role = RoleMember
	}
	var m RoomMember
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, err := memberRoom(tx, userID, roomID, ActManage)
		if err != nil {
			return err
		}
		var u User
		if err := tx.Where("lower(email) = lower(?)", email).Take(&u).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return Errorf(CodeNotFound, "no SyncBoard account uses that email; send an invitation link instead")
			}
			return fmt.Errorf("find user: %w", err)
		}
		m, err = insertMember(tx, &v, userID, u, role)
		return err
	})
	return m, err
}

// lockedMember reads memberID's membership of the room (with the user),
// under the room lock the caller already holds.
func lockedMember(tx *gorm.DB, roomID, memberID uuid.UUID) (RoomMember, error) {
	var m RoomMember
	err := tx.Preload("User").Where("room_id = ? AND user_id = ?", roomID, memberID).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return RoomMember{}, Errorf(CodeNotFound, "this user is not a member of the room")
	}
	if err != nil {
		return RoomMember{}, fmt.Errorf("find member: %w", err)
	}
	return m, nil
}

// otherOwners counts the room's owners other than userID. Callers hold the
// room lock, which every change of membership takes, so the count cannot
// change before they commit: two owners demoting each other at once cannot
// leave the room with none.
func otherOwners(tx *gorm.DB, roomID, userID uuid.UUID) (int64, error) {
	var n int64
	err := tx.Model(&RoomMember{}).Where("room_id = ? AND role = ? AND user_id <> ?", roomID, RoleOwner, userID).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count owners: %w", err)
	}
	return n, nil
}

// UpdateMemberRole gives memberID the role. Owners only; demoting the last
// owner (oneself included) is CodeLastOwner. Setting the role a member
// already has is a change like any other (a new version and event).
//
// Errors: CodeNotFound (room, or memberID not a member), CodeForbidden,
// CodeLastOwner, CodeUnavailable.
func (s *Store) UpdateMemberRole(ctx context.Context, userID, roomID, memberID uuid.UUID, role string) (RoomMember, error) {
	var m RoomMember
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, err := memberRoom(tx, userID, roomID, ActManage)
		if err != nil {
			return err
		}
		if m, err = lockedMember(tx, roomID, memberID); err != nil {
			return err
		}
		if m.Role == RoleOwner && role != RoleOwner {
			n, err := otherOwners(tx, roomID, memberID)
			if err != nil {
				return err
			}
			if n == 0 {
				return Errorf(CodeLastOwner, "a room needs an owner: make another member an owner first")
			}
		}
		if memberID == userID {
			v.Role = role
		}
		return updateRole(tx, &v, userID, &m, role)
	})
	return m, err
}

// RemoveMember removes memberID from a room. Owners remove anyone; anyone
// removes itself (leaves); the last owner cannot leave.
//
// Errors: CodeNotFound (room, or memberID not a member), CodeForbidden,
// CodeOwnerCannotLeave, CodeUnavailable.
func (s *Store) RemoveMember(ctx context.Context, userID, roomID, memberID uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		act := ActManage
		if memberID == userID {
			act = ActLeave
		}
		v, err := memberRoom(tx, userID, roomID, act)
		if err != nil {
			return err
		}
		m, err := lockedMember(tx, roomID, memberID)
		if err != nil {
			return err
		}
		if m.Role == RoleOwner {
			n, err := otherOwners(tx, roomID, memberID)
			if err != nil {
				return err
			}
			if n == 0 {
				return Errorf(CodeOwnerCannotLeave, "the last owner cannot leave the room; make another member an owner, or delete the room")
			}
		}
		if err := tx.Delete(&RoomMember{}, "id = ?", m.ID).Error; err != nil {
			return fmt.Errorf("remove member: %w", err)
		}
		if err := notifyUsers(tx, UserRoomRemoved, roomID, memberID); err != nil {
			return err
		}
		// Whoever leaves a room leaves its cards, in the same transaction.
		cards, err := unassignFromRoom(tx, memberID, roomID)
		if err != nil {
			return err
		}
		return change(tx, &v, userID, api.EventMemberRemoved, api.MemberRemovedData{UserID: memberID, UnassignedIDs: cards})
	})
}

// deleteRoom removes a room and everything in it, and tells its members'
// user streams (named now: they are gone after the delete). The database
// cascades the same deletes; the ORM does them too, so the rule does not
// rest on the constraints alone. The caller holds the room lock.
func deleteRoom(tx *gorm.DB, roomID uuid.UUID) error {
	if err := notifyMembers(tx, UserRoomRemoved, roomID); err != nil {
		return err
	}
	cols := tx.Model(&Column{}).Select("id").Where("room_id = ?", roomID)
	if err := tx.Where("column_id IN (?)", cols).Delete(&Card{}).Error; err != nil {
		return fmt.Errorf("delete room cards: %w", err)
	}
	if err := tx.Select(clause.Associations).Delete(&Room{ID: roomID}).Error; err != nil {
		return fmt.Errorf("delete room: %w", err)
	}
	return nil
}

// Tag is the entity tag of a board loaded by Board: the same value
// BoardHead gives for the same state.
func (v RoomView) Tag() string {
	var latest time.Time
	for _, m := range v.Members {
		if m.User.UpdatedAt.After(latest) {
			latest = m.User.UpdatedAt
		}
	}
	return boardTag(v, latest)
}

// boardTag covers everything a board's body depends on: the room's version
// moves with every change to the room, its members, columns and cards; the
// caller's role is part of the body; and a member's new display name (which
// does not touch the room) moves the members' latest updated_at.
func boardTag(v RoomView, membersUpdatedAt time.Time) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s|%d|%s|%d", v.ID, v.Version, v.Role, membersUpdatedAt.UnixMicro()))
	return `"` + base64.RawURLEncoding.EncodeToString(h[:18]) + `"`
}
