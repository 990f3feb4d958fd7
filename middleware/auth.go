package middleware

import (
	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/auth"
)

// Authenticate lets a request through only with a valid bearer token
// (auth.Authenticator: token, then user and session). Who it is travels on
// in the request's context (auth.IdentityFrom), never under a string key. A refusal,
// or a database that cannot answer, goes to fail: the API's one error
// writer.
func Authenticate(a *auth.Authenticator, fail func(*gin.Context, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		id, err := a.Authenticate(ctx, c.GetHeader("Authorization"))
		if err != nil {
			fail(c, err)
			return
		}
		c.Request = c.Request.WithContext(auth.WithIdentity(ctx, id))
		c.Next()
	}
}
