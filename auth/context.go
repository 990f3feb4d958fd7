package auth

import (
	"context"

	"github.com/syncboard/syncboard/models"
)

type userKey struct{}

// WithUser returns a copy of ctx carrying the authenticated user.
func WithUser(ctx context.Context, u models.User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFrom returns the authenticated user of ctx.
func UserFrom(ctx context.Context) (models.User, bool) {
	u, ok := ctx.Value(userKey{}).(models.User)
	return u, ok
}
