package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
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
// userID. Only members get one.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) CreateTicket(ctx context.Context, userID, roomID uuid.UUID) (ticket string, expiresAt time.Time, err error) {
	db := s.db.WithContext(ctx)
	if _, err := memberRoom(db, userID, roomID, false); err != nil {
		return "", time.Time{}, Classify(err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", time.Time{}, err
	}
	ticket = base64.RawURLEncoding.EncodeToString(raw)
	now := db.NowFunc()
	t := WSTicket{Hash: ticketHash(ticket), UserID: userID, RoomID: roomID, IssuedAt: now, ExpiresAt: now.Add(TicketTTL)}
	if err := db.Create(&t).Error; err != nil {
		return "", time.Time{}, Classify(fmt.Errorf("create ticket: %w", err))
	}
	// Expired tickets are swept by whoever issues the next one.
	db.Where("expires_at < ?", now).Delete(&WSTicket{})
	return ticket, t.ExpiresAt, nil
}

// UseTicket consumes a ticket for roomID and returns its user and when it
// was issued. A ticket works once, before it expires, for its room only.
//
// Errors: CodeUnauthorized, CodeUnavailable.
func (s *Store) UseTicket(ctx context.Context, ticket string, roomID uuid.UUID) (uuid.UUID, time.Time, error) {
	var t WSTicket
	err := s.db.WithContext(ctx).Clauses(clause.Returning{}).
		Where("hash = ? AND room_id = ? AND expires_at > ?", ticketHash(ticket), roomID, s.db.NowFunc()).
		Delete(&t).Error
	if err != nil {
		return uuid.Nil, time.Time{}, Classify(fmt.Errorf("use ticket: %w", err))
	}
	if t.UserID == uuid.Nil {
		return uuid.Nil, time.Time{}, Errorf(CodeUnauthorized, "the ticket is unknown, used or expired")
	}
	return t.UserID, t.IssuedAt, nil
}

// StillAllowed reports whether userID, authenticated at authAt, may still
// watch roomID: the account exists, no revocation came after authAt, and
// the membership holds.
//
// Errors: CodeUnavailable.
func (s *Store) StillAllowed(ctx context.Context, userID, roomID uuid.UUID, authAt time.Time) (bool, error) {
	var u User
	err := s.db.WithContext(ctx).Take(&u, "id = ?", userID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, Classify(err)
	}
	if authAt.Before(u.TokensValidAfter) {
		return false, nil
	}
	_, err = memberRoom(s.db.WithContext(ctx), userID, roomID, false)
	if ErrorCode(err) == CodeNotFound {
		return false, nil
	}
	return err == nil, Classify(err)
}

func ticketHash(ticket string) []byte {
	h := sha256.Sum256([]byte(ticket))
	return h[:]
}
