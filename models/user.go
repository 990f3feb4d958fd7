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
	// Now is the registration instant; it also starts the revocation
	// marker, so the token issued with the account is valid.
	Now time.Time
}

// CreateUser stores a new account.
//
// Errors: CodeEmailTaken when the address is registered already, in any
// case; CodeUnavailable.
func (s *Store) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	u := User{
		Email:            nu.Email,
		PasswordHash:     string(nu.PasswordHash),
		DisplayName:      nu.DisplayName,
		TokensValidAfter: nu.Now,
		CreatedAt:        nu.Now,
		UpdatedAt:        nu.Now,
	}
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

// UserUpdate is a change to an account; nil fields stay as they are.
type UserUpdate struct {
	DisplayName  *string
	PasswordHash []byte
	// RevokeBefore, when set, refuses every token issued before it.
	RevokeBefore *time.Time
}

// UpdateUser applies a change to an account and returns it.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) UpdateUser(ctx context.Context, id uuid.UUID, up UserUpdate) (User, error) {
	// updated_at moves with every change: a member's new display name must
	// change the ETag of every board it appears on (see boardTag).
	changes := map[string]any{"updated_at": s.db.NowFunc()}
	if up.DisplayName != nil {
		changes["display_name"] = *up.DisplayName
	}
	if up.PasswordHash != nil {
		changes["password_hash"] = string(up.PasswordHash)
	}
	if up.RevokeBefore != nil {
		changes["tokens_valid_after"] = *up.RevokeBefore
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
