package models

import (
	"context"

	"github.com/google/uuid"
)

// UserRoom is userID's view of roomID (the room with userID's role and its
// current version), in one query, for the user stream: read when a message
// is sent, not when its change committed, so the role and version are the
// newest. A room the user is no longer a member of is CodeNotFound.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) UserRoom(ctx context.Context, userID, roomID uuid.UUID) (RoomView, error) {
	v, err := memberRoom(s.db.WithContext(ctx), userID, roomID, ActRead)
	return v, Classify(err)
}

// SessionLives reports whether userID's session sessionID is still signed
// in, for sockets' periodic check.
//
// Errors: CodeUnavailable.
func (s *Store) SessionLives(ctx context.Context, userID, sessionID uuid.UUID) (bool, error) {
	_, err := s.SessionUser(ctx, userID, sessionID, s.db.NowFunc())
	if ErrorCode(err) == CodeNotFound {
		return false, nil
	}
	return err == nil, err
}
