package models

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// TicketTTL is how long a WebSocket ticket can be used.
const TicketTTL = 30 * time.Second

// CreateTicket issues a single-use ticket that opens roomID's WebSocket as
// userID in sessionID. Only members get one. The ticket references its
// session, so if the session ends, before or after, the ticket is refused or
// deleted with it: never left usable.
//
// Errors: CodeNotFound, CodeUnauthorized (the session has ended),
// CodeUnavailable.
func (s *Store) CreateTicket(ctx context.Context, userID, sessionID, roomID uuid.UUID) (ticket string, expiresAt time.Time, err error) {
	if _, err := memberRoom(s.db.WithContext(ctx), userID, roomID, ActRead); err != nil {
		return "", time.Time{}, Classify(err)
	}
	return s.issueTicket(ctx, userID, sessionID, &roomID)
}

// CreateUserTicket issues a single-use ticket that opens userID's own
// stream (GET /api/ws) in sessionID, under the same rules as CreateTicket.
//
// Errors: CodeUnauthorized (the session has ended), CodeUnavailable.
func (s *Store) CreateUserTicket(ctx context.Context, userID, sessionID uuid.UUID) (ticket string, expiresAt time.Time, err error) {
	return s.issueTicket(ctx, userID, sessionID, nil)
}

// issueTicket stores a new ticket for roomID's socket (nil: the user
// stream) and returns it.
func (s *Store) issueTicket(ctx context.Context, userID, sessionID uuid.UUID, roomID *uuid.UUID) (ticket string, expiresAt time.Time, err error) {
	db := s.db.WithContext(ctx)
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", time.Time{}, err
	}
	ticket = base64.RawURLEncoding.EncodeToString(raw)
	now := db.NowFunc()
	t := WSTicket{Hash: tokenHash(ticket), UserID: userID, SessionID: sessionID, RoomID: roomID, IssuedAt: now, ExpiresAt: now.Add(TicketTTL)}
	if err := db.Create(&t).Error; err != nil {
		if errors.Is(err, gorm.ErrForeignKeyViolated) {
			return "", time.Time{}, Errorf(CodeUnauthorized, "the session has ended")
		}
		return "", time.Time{}, Classify(fmt.Errorf("create ticket: %w", err))
	}
	// Expired tickets are swept by whoever issues the next one.
	db.Where("expires_at < ?", now).Delete(&WSTicket{})
	return ticket, t.ExpiresAt, nil
}

// UseTicket consumes a ticket for roomID and returns its user and session.
// A ticket works once, before it expires, for its room only, and only while
// its session lives (an ended session's tickets are gone with it).
//
// Errors: CodeUnauthorized, CodeUnavailable.
func (s *Store) UseTicket(ctx context.Context, ticket string, roomID uuid.UUID) (userID, sessionID uuid.UUID, err error) {
	return s.useTicket(ctx, ticket, "room_id = ?", roomID)
}

// UseUserTicket consumes a ticket for the user stream, like UseTicket: a
// room's ticket does not open it.
//
// Errors: CodeUnauthorized, CodeUnavailable.
func (s *Store) UseUserTicket(ctx context.Context, ticket string) (userID, sessionID uuid.UUID, err error) {
	return s.useTicket(ctx, ticket, "room_id IS NULL")
}

// useTicket deletes the unexpired ticket whose row also matches which, and
// returns its user and session: one statement, so a ticket opens one socket
// however many try it at once.
func (s *Store) useTicket(ctx context.Context, ticket, which string, args ...any) (userID, sessionID uuid.UUID, err error) {
	var t WSTicket
	err = s.db.WithContext(ctx).Clauses(clause.Returning{}).
		Where("hash = ? AND expires_at > ?", tokenHash(ticket), s.db.NowFunc()).
		Where(which, args...).
		Delete(&t).Error
	if err != nil {
		return uuid.Nil, uuid.Nil, Classify(fmt.Errorf("use ticket: %w", err))
	}
	if t.UserID == uuid.Nil {
		return uuid.Nil, uuid.Nil, Errorf(CodeUnauthorized, "the ticket is unknown, used or expired")
	}
	return t.UserID, t.SessionID, nil
}

// StillAllowed reports whether userID may still watch roomID in sessionID:
// the session lives and the membership holds.
//
// Errors: CodeUnavailable.
func (s *Store) StillAllowed(ctx context.Context, userID, sessionID, roomID uuid.UUID) (bool, error) {
	_, err := s.SessionUser(ctx, userID, sessionID, s.db.NowFunc())
	if ErrorCode(err) == CodeNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = memberRoom(s.db.WithContext(ctx), userID, roomID, ActRead)
	if ErrorCode(err) == CodeNotFound {
		return false, nil
	}
	return err == nil, Classify(err)
}

// Access is one socket's claim: User watches Room in Session.
type Access struct {
	User, Session, Room uuid.UUID
}

// StillAllowedMany is StillAllowed for many sockets at once, in one
// statement per thousand: the periodic re-check of every open socket of
// an instance costs a handful of queries, not two per socket. allowed[i]
// answers list[i].
//
// Errors: CodeUnavailable.
func (s *Store) StillAllowedMany(ctx context.Context, list []Access) (allowed []bool, err error) {
	allowed = make([]bool, len(list))
	const chunk = 1000
	for lo := 0; lo < len(list); lo += chunk {
		part := list[lo:min(lo+chunk, len(list))]
		users, sessions, rooms := make([]string, len(part)), make([]string, len(part)), make([]string, len(part))
		for i, a := range part {
			users[i], sessions[i], rooms[i] = a.User.String(), a.Session.String(), a.Room.String()
		}
		var ok []int
		err := s.db.WithContext(ctx).Raw(`SELECT t.i FROM unnest(CAST(? AS uuid[]), CAST(? AS uuid[]), CAST(? AS uuid[]))
  WITH ORDINALITY AS t(u, s, r, i)
WHERE EXISTS (SELECT 1 FROM sessions WHERE sessions.id = t.s AND sessions.user_id = t.u AND sessions.expires_at > ?)
  AND EXISTS (SELECT 1 FROM room_members WHERE room_members.room_id = t.r AND room_members.user_id = t.u)`,
			uuidArray(users), uuidArray(sessions), uuidArray(rooms), s.db.NowFunc()).Scan(&ok).Error
		if err != nil {
			return nil, Classify(fmt.Errorf("re-check sockets: %w", err))
		}
		for _, i := range ok {
			allowed[lo+i-1] = true
		}
	}
	return allowed, nil
}

// uuidArray is PostgreSQL's text form of an array of UUIDs (which need no
// quoting).
func uuidArray(ids []string) string { return "{" + strings.Join(ids, ",") + "}" }
