package auth

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// Users is what authentication needs of the Store: the user of a live
// session, in one query.
type Users interface {
	SessionUser(ctx context.Context, userID, sessionID uuid.UUID, now time.Time) (models.User, error)
}

// Authenticator runs the chain of the seed's design for one Authorization
// header: bearer extraction, JWT verification, then the user and the
// session looked up together (a token is refused once its session has
// ended: that is the revocation check). The HTTP middleware
// (middleware.Authenticate) and the WebSocket handshake both use it.
type Authenticator struct {
	users  Users
	tokens *Tokens
}

// NewAuthenticator returns an Authenticator reading users from users and
// verifying tokens with tokens.
func NewAuthenticator(users Users, tokens *Tokens) *Authenticator {
	return &Authenticator{users: users, tokens: tokens}
}

// Authenticate returns who an Authorization header authenticates. Every
// refusal is the same CodeUnauthorized; its cause (kept in the error, for
// the debug log) says which step refused.
//
// Errors: CodeUnauthorized, CodeUnavailable.
func (a *Authenticator) Authenticate(ctx context.Context, header string) (Identity, error) {
	token, ok := BearerToken(header)
	if !ok {
		return Identity{}, unauthorized(errors.New("no bearer token"))
	}
	claims, err := a.tokens.Verify(token)
	if err != nil {
		return Identity{}, unauthorized(err)
	}
	u, err := a.users.SessionUser(ctx, claims.UserID, claims.SessionID, time.Now())
	if models.ErrorCode(err) == models.CodeNotFound {
		return Identity{}, unauthorized(errors.New("the token's session has ended"))
	}
	if err != nil {
		return Identity{}, err
	}
	return Identity{User: u, SessionID: claims.SessionID}, nil
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
