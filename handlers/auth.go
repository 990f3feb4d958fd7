package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/internal/ratelimit"
	"github.com/syncboard/syncboard/models"
)

// Field limits of the contract.
const (
	maxEmailChars       = 254
	maxDisplayNameChars = 100
)

// --- request DTOs: pointers tell a missing field from an empty one. ---

type registerRequest struct {
	Email       *string `json:"email"`
	Password    *string `json:"password"`
	DisplayName *string `json:"display_name"`
}

type loginRequest struct {
	Email    *string `json:"email"`
	Password *string `json:"password"`
}

type updateMeRequest struct {
	DisplayName     *string `json:"display_name"`
	Password        *string `json:"password"`
	CurrentPassword *string `json:"current_password"`
}

// authDeps are what the auth handlers share.
type authDeps struct {
	store  *models.Store
	tokens *auth.Tokens
	hasher *auth.Hasher
	byIP   *ratelimit.Limiter
	byMail *ratelimit.Limiter
	log    *slog.Logger
}

// now is the instant of a token or a revocation, at the precision both
// PostgreSQL and the token's iat keep.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func (d authDeps) respondWithToken(c *gin.Context, status int, u models.User, at time.Time) {
	token, exp, err := d.tokens.Issue(u.ID, at)
	if err != nil {
		writeError(c, d.log, err)
		return
	}
	c.JSON(status, api.AuthResponse{AccessToken: token, TokenType: "bearer", ExpiresAt: exp.UTC(), User: u.API()})
}

// limited takes one attempt from key's bucket and answers 429 when there is
// none left.
func limited(c *gin.Context, log *slog.Logger, l *ratelimit.Limiter, key string) bool {
	ok, wait := l.Allow(key)
	if ok {
		return false
	}
	c.Header("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(wait)))
	writeError(c, log, models.Errorf(models.CodeRateLimited, "too many attempts; try again later"))
	return true
}

// normalizeEmail trims and lowercases an address and checks it is a plain
// address (no display name, no comments, a dotted domain).
func (p problems) email(field string, raw *string) string {
	if raw == nil {
		p.add(field, "is required")
		return ""
	}
	e := strings.ToLower(strings.TrimSpace(*raw))
	switch {
	case e == "":
		p.add(field, "is required")
	case strings.ContainsRune(e, 0):
		p.add(field, "must not contain NUL characters")
	case utf8.RuneCountInString(e) > maxEmailChars:
		p.add(field, "must be at most %d characters", maxEmailChars)
	default:
		a, err := mail.ParseAddress(e)
		local, domain, _ := strings.Cut(e, "@")
		if err != nil || a.Name != "" || a.Address != e || local == "" ||
			!strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
			p.add(field, "must be a valid email address")
		}
	}
	return e
}

// newPassword checks a password being set: 8 to 72 bytes, never trimmed.
func (p problems) newPassword(field string, raw *string) string {
	switch {
	case raw == nil:
		p.add(field, "is required")
	case strings.ContainsRune(*raw, 0):
		p.add(field, "must not contain NUL characters")
	case len(*raw) < auth.MinPasswordBytes:
		p.add(field, "must be at least %d bytes", auth.MinPasswordBytes)
	case len(*raw) > auth.MaxPasswordBytes:
		p.add(field, "must be at most %d bytes", auth.MaxPasswordBytes)
	default:
		return *raw
	}
	return ""
}

// register creates an account and logs it in: 201 AuthResponse.
func register(d authDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		if limited(c, d.log, d.byIP, c.ClientIP()) {
			return
		}
		var req registerRequest
		if err := decode(c.Request, &req); err != nil {
			writeError(c, d.log, err)
			return
		}
		p := problems{}
		email := p.email("email", req.Email)
		password := p.newPassword("password", req.Password)
		var name string
		if req.DisplayName != nil {
			name = p.text("display_name", *req.DisplayName, 1, maxDisplayNameChars)
		} else {
			local, _, _ := strings.Cut(email, "@")
			name = truncateRunes(local, maxDisplayNameChars)
		}
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		if limited(c, d.log, d.byMail, email) {
			return
		}
		ctx := c.Request.Context()
		hash, err := d.hasher.Hash(ctx, password)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		at := now()
		u, err := d.store.CreateUser(ctx, models.NewUser{Email: email, PasswordHash: hash, DisplayName: name, Now: at})
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		d.respondWithToken(c, http.StatusCreated, u, at)
	}
}

// login checks an email and password: 200 AuthResponse, or 401
// invalid_credentials with the same body and about the same time whether
// the email is unknown or the password wrong.
func login(d authDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		if limited(c, d.log, d.byIP, c.ClientIP()) {
			return
		}
		var req loginRequest
		if err := decode(c.Request, &req); err != nil {
			writeError(c, d.log, err)
			return
		}
		p := problems{}
		email := p.email("email", req.Email)
		switch {
		case req.Password == nil || *req.Password == "":
			p.add("password", "is required")
		case strings.ContainsRune(*req.Password, 0):
			p.add("password", "must not contain NUL characters")
		}
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		if limited(c, d.log, d.byMail, email) {
			return
		}
		ctx := c.Request.Context()
		u, err := d.store.UserByEmail(ctx, email)
		var hash []byte
		switch {
		case err == nil:
			hash = []byte(u.PasswordHash)
		case models.ErrorCode(err) != models.CodeNotFound:
			writeError(c, d.log, err)
			return
		}
		if err := d.hasher.Compare(ctx, hash, *req.Password); err != nil {
			writeError(c, d.log, credentialsError(err))
			return
		}
		d.respondWithToken(c, http.StatusOK, u, now())
	}
}

func credentialsError(err error) error {
	if errors.Is(err, auth.ErrMismatch) {
		return models.Errorf(models.CodeInvalidCredentials, "the email or password is wrong")
	}
	return err
}

// getMe returns the authenticated user.
func getMe() gin.HandlerFunc {
	return func(c *gin.Context) {
		u, _ := auth.UserFrom(c.Request.Context())
		c.JSON(http.StatusOK, u.API())
	}
}

// updateMe changes the display name and/or the password. Changing the
// password needs the current one and revokes every token issued before the
// change; the response carries a fresh token either way.
func updateMe(d authDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		me, _ := auth.UserFrom(ctx)
		var req updateMeRequest
		if err := decode(c.Request, &req); err != nil {
			writeError(c, d.log, err)
			return
		}
		p := problems{}
		var up models.UserUpdate
		if req.DisplayName != nil {
			name := p.text("display_name", *req.DisplayName, 1, maxDisplayNameChars)
			up.DisplayName = &name
		}
		var password string
		if req.Password != nil {
			password = p.newPassword("password", req.Password)
			switch {
			case req.CurrentPassword == nil || *req.CurrentPassword == "":
				p.add("current_password", "is required to change the password")
			case strings.ContainsRune(*req.CurrentPassword, 0):
				p.add("current_password", "must not contain NUL characters")
			}
		}
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		if req.Password != nil {
			// The current password is a secret an attacker with a stolen
			// token would like to guess: the same limit as login applies.
			if limited(c, d.log, d.byMail, me.Email) {
				return
			}
			if err := d.hasher.Compare(ctx, []byte(me.PasswordHash), *req.CurrentPassword); err != nil {
				writeError(c, d.log, credentialsError(err))
				return
			}
			hash, err := d.hasher.Hash(ctx, password)
			if err != nil {
				writeError(c, d.log, err)
				return
			}
			up.PasswordHash = hash
		}
		at := now()
		if up.PasswordHash != nil {
			up.RevokeBefore = &at
		}
		u, err := d.store.UpdateUser(ctx, me.ID, up)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		d.respondWithToken(c, http.StatusOK, u, at)
	}
}

// logoutAll refuses, from now on, every token issued before this call.
func logoutAll(d authDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		me, _ := auth.UserFrom(ctx)
		at := now()
		if _, err := d.store.UpdateUser(ctx, me.ID, models.UserUpdate{RevokeBefore: &at}); err != nil {
			writeError(c, d.log, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
