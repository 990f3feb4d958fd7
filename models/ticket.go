package models

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
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
	db := s.db.WithContext(ctx)
	if _, err := memberRoom(db, userID, roomID, ActRead); err != nil {
		return "", time.Time{}, Classify(err)
	}
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
	var t WSTicket
	err = s.db.WithContext(ctx).Clauses(clause.Returning{}).
		Where("hash = ? AND room_id = ? AND expires_at > ?", tokenHash(ticket), roomID, s.db.NowFunc()).
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
