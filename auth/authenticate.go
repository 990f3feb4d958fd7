package auth

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// Users is what authentication needs of the Store.
type Users interface {
	UserByID(ctx context.Context, id uuid.UUID) (models.User, error)
}

// Authenticator runs the chain of the seed's design for one Authorization
// header: bearer extraction, JWT verification, user lookup, revocation
// check. The HTTP middleware (middleware.Authenticate) and the WebSocket
// handshake both use it.
type Authenticator struct {
	users  Users
	tokens *Tokens
}

// NewAuthenticator returns an Authenticator reading users from users and
// verifying tokens with tokens.
func NewAuthenticator(users Users, tokens *Tokens) *Authenticator {
	return &Authenticator{users: users, tokens: tokens}
}

// Authenticate returns the user an Authorization header authenticates and
// the issue time of its token. Every refusal is the same CodeUnauthorized;
// its cause (kept in the error, for the debug log) says which step refused.
//
// Errors: CodeUnauthorized, CodeUnavailable.
func (a *Authenticator) Authenticate(ctx context.Context, header string) (models.User, time.Time, error) {
	token, ok := BearerToken(header)
	if !ok {
		return models.User{}, time.Time{}, unauthorized(errors.New("no bearer token"))
	}
	claims, err := a.tokens.Verify(token)
	if err != nil {
		return models.User{}, time.Time{}, unauthorized(err)
	}
	u, err := a.users.UserByID(ctx, claims.UserID)
	if models.ErrorCode(err) == models.CodeNotFound {
		return models.User{}, time.Time{}, unauthorized(errors.New("the token's user no longer exists"))
	}
	if err != nil {
		return models.User{}, time.Time{}, err
	}
	if claims.IssuedAt.Before(u.TokensValidAfter) {
		return models.User{}, time.Time{}, unauthorized(errors.New("the token was revoked"))
	}
	return u, claims.IssuedAt, nil
}

func unauthorized(cause error) error {
	return &models.Error{Code: models.CodeUnauthorized, Message: "a valid bearer token is required", Err: cause}
}

// BearerToken extracts the token of "Bearer <token>" (scheme in any case).
// It looks at no more than MaxTokenBytes of a token, so a huge header costs
// nothing.
func BearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || token == "" || len(token) > MaxTokenBytes ||
		strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}
