package auth

import (
	"context"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// Identity is who a request authenticated as: a user, in one session.
type Identity struct {
	User      models.User
	SessionID uuid.UUID
}

type identityKey struct{}

// WithIdentity returns a copy of ctx carrying the authenticated identity.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the authenticated identity of ctx.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}

// UserFrom returns the authenticated user of ctx.
func UserFrom(ctx context.Context) (models.User, bool) {
	id, ok := IdentityFrom(ctx)
	return id.User, ok
}
