package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// NewUser is what registration stores.
type NewUser struct {
	Email        string // already trimmed and lowercased
	PasswordHash []byte
	DisplayName  string
	Now          time.Time // the registration instant
}

// CreateUser stores a new account without starting a session (tools and
// tests; the API registers with Register, which starts one).
//
// Errors: CodeEmailTaken when the address is registered already, in any
// case; CodeUnavailable.
func (s *Store) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	u := User{Email: nu.Email, PasswordHash: string(nu.PasswordHash), DisplayName: nu.DisplayName, CreatedAt: nu.Now, UpdatedAt: nu.Now}
	if err := s.db.WithContext(ctx).Create(&u).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return User{}, Errorf(CodeEmailTaken, "an account with this email already exists")
		}
		return User{}, Classify(fmt.Errorf("create user: %w", err))
	}
	return u, nil
}

// UserByEmail finds an account by its (lowercased) email.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	if err := s.db.WithContext(ctx).Where("lower(email) = lower(?)", email).Take(&u).Error; err != nil {
		return User{}, Classify(notFound(err, "user"))
	}
	return u, nil
}

// UserByID finds an account by ID.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) UserByID(ctx context.Context, id uuid.UUID) (User, error) {
	var u User
	if err := s.db.WithContext(ctx).Take(&u, "id = ?", id).Error; err != nil {
		return User{}, Classify(notFound(err, "user"))
	}
	return u, nil
}

// RenameUser changes an account's display name (nil: nothing but
// updated_at) and returns the account. Password changes go through
// ChangePassword, which ends the user's sessions.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) RenameUser(ctx context.Context, id uuid.UUID, displayName *string) (User, error) {
	// updated_at moves with every change: a member's new display name must
	// change the ETag of every board it appears on (see boardTag).
	changes := map[string]any{"updated_at": s.db.NowFunc()}
	if displayName != nil {
		changes["display_name"] = *displayName
	}
	var u User
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ?", id).Updates(changes).Error; err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		return notFound(tx.Take(&u, "id = ?", id).Error, "user")
	})
	return u, err
}
