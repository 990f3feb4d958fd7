package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Sessions are ended by deleting their row: access tokens (which name the
// session) stop working at the next request, refresh tokens and tickets
// cascade away in the same statement, and a SessionsEnded notice closes
// the open sockets on every instance. Every method that can mint a token
// or a ticket for a session either locks the session row or references it
// by foreign key inside its own transaction, so it serializes with the
// delete: whatever overlaps an end, nothing of the ended session survives
// it (docs/DESIGN.md, "Sessions").

// refreshTokenBytes is the refresh token's randomness: 256 bits.
const refreshTokenBytes = 32

// SessionStart is where and when a session starts or is refreshed, and for
// how long its refresh token lives.
type SessionStart struct {
	UserAgent string
	IP        string
	Now       time.Time
	TTL       time.Duration
}

// Started is a session just started or refreshed, with its refresh token:
// the only time the token exists outside the client.
type Started struct {
	Session      Session
	RefreshToken string
}

func newRefreshToken() (string, []byte, error) {
	raw := make([]byte, refreshTokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("refresh token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	return token, tokenHash(token), nil
}

// tokenHash is how refresh tokens and tickets are stored: SHA-256. They
// carry 256 random bits, so a fast hash is enough (nothing to brute-force).
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// startSession inserts a session for userID in tx.
func startSession(tx *gorm.DB, userID uuid.UUID, st SessionStart) (Started, error) {
	token, hash, err := newRefreshToken()
	if err != nil {
		return Started{}, err
	}
	s := Session{
		UserID: userID, RefreshHash: hash, CreatedAt: st.Now, LastUsedAt: st.Now, ExpiresAt: st.Now.Add(st.TTL),
		UserAgent: clip(st.UserAgent, 256), IP: clip(st.IP, 64),
	}
	if err := tx.Omit(clause.Associations).Create(&s).Error; err != nil {
		return Started{}, fmt.Errorf("start session: %w", err)
	}
	return Started{Session: s, RefreshToken: token}, nil
}

// endSessions deletes the sessions matching where (with their spent tokens
// and tickets) and tells every instance, on commit, which ended.
func endSessions(tx *gorm.DB, query string, args ...any) (int, error) {
	var ended []Session
	if err := tx.Clauses(clause.Returning{Columns: []clause.Column{{Name: "id"}}}).
		Where(query, args...).Delete(&ended).Error; err != nil {
		return 0, fmt.Errorf("end sessions: %w", err)
	}
	ids := make([]uuid.UUID, len(ended))
	for i, s := range ended {
		ids[i] = s.ID
	}
	for _, payload := range (SessionsEnded{IDs: ids}).Encode() {
		if err := tx.Exec("SELECT pg_notify(?, ?)", SessionChannel, payload).Error; err != nil {
			return 0, fmt.Errorf("notify ended sessions: %w", err)
		}
	}
	return len(ended), nil
}

// Register creates an account and its first session, in one transaction.
//
// Errors: CodeEmailTaken when the address is registered already, in any
// case; CodeUnavailable.
func (s *Store) Register(ctx context.Context, nu NewUser, st SessionStart) (User, Started, error) {
	u := User{Email: nu.Email, PasswordHash: string(nu.PasswordHash), DisplayName: nu.DisplayName, CreatedAt: nu.Now, UpdatedAt: nu.Now}
	var started Started
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Omit(clause.Associations).Create(&u).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return Errorf(CodeEmailTaken, "an account with this email already exists")
			}
			return fmt.Errorf("create user: %w", err)
		}
		var err error
		started, err = startSession(tx, u.ID, st)
		return err
	})
	if err != nil {
		return User{}, Started{}, err
	}
	return u, started, nil
}

// SignIn starts a session for a user whose password the caller has just
// checked against verifiedHash. The check is repeated under a lock on the
// user row: if the password changed meanwhile (a change ends every session),
// the old password must not start a new one. rehash, when not nil, replaces
// the hash (same password, the configured bcrypt cost).
//
// Errors: CodeInvalidCredentials (the password changed meanwhile),
// CodeUnavailable.
func (s *Store) SignIn(ctx context.Context, userID uuid.UUID, verifiedHash, rehash []byte, st SessionStart) (Started, error) {
	var started Started
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var u User
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&u, "id = ?", userID).Error
		if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && u.PasswordHash != string(verifiedHash)) {
			return Errorf(CodeInvalidCredentials, "the email or password is wrong")
		}
		if err != nil {
			return fmt.Errorf("lock user: %w", err)
		}
		if rehash != nil {
			if err := tx.Model(&User{}).Where("id = ?", userID).Update("password_hash", string(rehash)).Error; err != nil {
				return fmt.Errorf("rehash password: %w", err)
			}
		}
		started, err = startSession(tx, userID, st)
		return err
	})
	return started, err
}

// Refresh spends a refresh token: its session gets a new refresh token, a
// later expiry and a new last-used time, and the old token is remembered as
// spent. A spent token presented again is a theft signal: the whole session
// ends (the thief's copy and the owner's alike) and the answer is still
// CodeUnauthorized.
//
// Errors: CodeUnauthorized (unknown, expired or reused token),
// CodeUnavailable.
func (s *Store) Refresh(ctx context.Context, token string, st SessionStart) (User, Started, error) {
	hash := tokenHash(token)
	var (
		u       User
		started Started
		reused  bool
	)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var sess Session
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("refresh_hash = ? AND expires_at > ?", hash, st.Now).Take(&sess).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			var spent SpentRefreshToken
			err := tx.Take(&spent, "hash = ?", hash).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return Errorf(CodeUnauthorized, "the refresh token is unknown or expired")
			}
			if err != nil {
				return fmt.Errorf("find spent token: %w", err)
			}
			reused = true
			_, err = endSessions(tx, "id = ?", spent.SessionID)
			return err
		}
		if err != nil {
			return fmt.Errorf("find session: %w", err)
		}
		if err := tx.Take(&u, "id = ?", sess.UserID).Error; err != nil {
			return fmt.Errorf("session user: %w", err)
		}
		next, nextHash, err := newRefreshToken()
		if err != nil {
			return err
		}
		if err := tx.Create(&SpentRefreshToken{Hash: hash, SessionID: sess.ID, SpentAt: st.Now}).Error; err != nil {
			return fmt.Errorf("spend refresh token: %w", err)
		}
		sess.RefreshHash, sess.LastUsedAt, sess.ExpiresAt = nextHash, st.Now, st.Now.Add(st.TTL)
		sess.UserAgent, sess.IP = clip(st.UserAgent, 256), clip(st.IP, 64)
		if err := tx.Model(&Session{}).Where("id = ?", sess.ID).Updates(map[string]any{
			"refresh_hash": nextHash, "last_used_at": sess.LastUsedAt, "expires_at": sess.ExpiresAt,
			"user_agent": sess.UserAgent, "ip": sess.IP,
		}).Error; err != nil {
			return fmt.Errorf("rotate refresh token: %w", err)
		}
		started = Started{Session: sess, RefreshToken: next}
		return nil
	})
	if err == nil && reused {
		err = Errorf(CodeUnauthorized, "the refresh token was already used; its session has ended")
	}
	if err != nil {
		return User{}, Started{}, err
	}
	return u, started, nil
}

// SessionUser is the check behind every access token: the user of a live
// session, in one query. A session that ended or expired, or that is not
// userID's, is CodeNotFound.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) SessionUser(ctx context.Context, userID, sessionID uuid.UUID, now time.Time) (User, error) {
	// Every authenticated request runs this: one fixed statement scanned
	// by hand, without GORM building it or reflecting over the result.
	var u User
	err := s.db.WithContext(ctx).Raw(sessionUserSQL, sessionID, userID, now).Row().
		Scan(&u.ID, &u.Email, &u.PasswordHash, &u.DisplayName, &u.CreatedAt, &u.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, Errorf(CodeNotFound, "session not found")
	}
	if err != nil {
		return User{}, Classify(fmt.Errorf("find session: %w", err))
	}
	return u, nil
}

const sessionUserSQL = `SELECT users.id, users.email, users.password_hash, users.display_name, users.created_at, users.updated_at
FROM users JOIN sessions ON sessions.user_id = users.id
WHERE sessions.id = ? AND users.id = ? AND sessions.expires_at > ?`

// RefreshOwner returns the user and session a live refresh token belongs
// to, without spending it (login uses it to recognise a device that is
// signed in already).
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) RefreshOwner(ctx context.Context, token string, now time.Time) (User, uuid.UUID, error) {
	var row struct {
		User
		SessionID uuid.UUID
	}
	err := s.db.WithContext(ctx).Model(&User{}).Select("users.*, sessions.id AS session_id").
		Joins("JOIN sessions ON sessions.user_id = users.id").
		Where("sessions.refresh_hash = ? AND sessions.expires_at > ?", tokenHash(token), now).
		Take(&row).Error
	if err != nil {
		return User{}, uuid.Nil, Classify(notFound(err, "session"))
	}
	return row.User, row.SessionID, nil
}

// Sessions lists a user's live sessions, most recently used first.
//
// Errors: CodeUnavailable.
func (s *Store) Sessions(ctx context.Context, userID uuid.UUID, now time.Time) ([]Session, error) {
	var out []Session
	err := s.db.WithContext(ctx).Where("user_id = ? AND expires_at > ?", userID, now).
		Order("last_used_at DESC, id").Find(&out).Error
	if err != nil {
		return nil, Classify(fmt.Errorf("list sessions: %w", err))
	}
	return out, nil
}

// EndSession ends one of userID's sessions: logout (the caller's own) or
// signing out another device.
//
// Errors: CodeNotFound (no such session of this user), CodeUnavailable.
func (s *Store) EndSession(ctx context.Context, userID, sessionID uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		n, err := endSessions(tx, "id = ? AND user_id = ?", sessionID, userID)
		if err == nil && n == 0 {
			return Errorf(CodeNotFound, "session not found")
		}
		return err
	})
}

// EndAllSessions ends every session of userID: logout-all.
//
// Errors: CodeUnavailable.
func (s *Store) EndAllSessions(ctx context.Context, userID uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		_, err := endSessions(tx, "user_id = ?", userID)
		return err
	})
}

// ChangePassword sets a new password hash (and the display name, when not
// nil), ends every session of the user, the caller's included, and starts
// a new one for the caller's device, in one transaction. verifiedHash is
// the hash the current password was checked against: if it changed
// meanwhile, nothing happens.
//
// Errors: CodeInvalidCredentials (the password changed meanwhile),
// CodeNotFound, CodeUnavailable.
func (s *Store) ChangePassword(ctx context.Context, userID uuid.UUID, verifiedHash, newHash []byte, displayName *string, st SessionStart) (User, Started, error) {
	var (
		u       User
		started Started
	)
	err := s.tx(ctx, func(tx *gorm.DB) error {
		changes := map[string]any{"password_hash": string(newHash), "updated_at": st.Now}
		if displayName != nil {
			changes["display_name"] = *displayName
		}
		res := tx.Model(&User{}).Where("id = ? AND password_hash = ?", userID, string(verifiedHash)).Updates(changes)
		if res.Error != nil {
			return fmt.Errorf("change password: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return Errorf(CodeInvalidCredentials, "the current password is wrong")
		}
		if _, err := endSessions(tx, "user_id = ?", userID); err != nil {
			return err
		}
		if err := tx.Take(&u, "id = ?", userID).Error; err != nil {
			return notFound(err, "user")
		}
		var err error
		started, err = startSession(tx, userID, st)
		return err
	})
	if err != nil {
		return User{}, Started{}, err
	}
	return u, started, nil
}

// PruneSessions deletes sessions whose refresh token expired before now.
// Nothing can use them any more, so no notice is sent.
//
// Errors: CodeUnavailable.
func (s *Store) PruneSessions(ctx context.Context, now time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at <= ?", now).Delete(&Session{})
	if res.Error != nil {
		return 0, Classify(fmt.Errorf("prune sessions: %w", res.Error))
	}
	return res.RowsAffected, nil
}
