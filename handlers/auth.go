package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/auth"
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

// authDeps are what the auth and session handlers share.
type authDeps struct {
	store   *models.Store
	tokens  *auth.Tokens
	hasher  *auth.Hasher
	devices *auth.Devices
	log     *slog.Logger
	// refreshTTL is the refresh token's lifetime, renewed on each use.
	refreshTTL time.Duration
	// secureCookies adds Secure to cookies (everywhere but development).
	secureCookies bool
	// origins are the other origins allowed to refresh with the cookie.
	origins []string
	limits  authLimits
}

// now is the instant of a session change, at the precision PostgreSQL keeps.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

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

// register creates an account and signs it in: 201 AuthResponse, with the
// refresh and device cookies.
func register(d authDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		if d.limits.limited(c, d.log, d.limits.bucket(budgetIP, c.ClientIP())) {
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
		ctx := c.Request.Context()
		hash, err := d.hasher.Hash(ctx, password)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		at := now()
		u, started, err := d.store.Register(ctx, models.NewUser{Email: email, PasswordHash: hash, DisplayName: name, Now: at}, d.sessionStart(c, at))
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		d.setDeviceCookie(c, email)
		d.signedIn(c, http.StatusCreated, u, started)
	}
}

// login checks an email and password and starts a session: 200
// AuthResponse, or 401 invalid_credentials with the same body and about the
// same time whether the email is unknown or the password wrong.
//
// Failures are limited per (client IP, email) and per email, except for a
// device that has signed in to this account before (its device cookie, or a
// live refresh cookie of the account): that one has a budget of its own, so
// nobody can lock the owner out by failing on purpose.
func login(d authDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		if d.limits.limited(c, d.log, d.limits.bucket(budgetIP, c.ClientIP())) {
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
		ctx := c.Request.Context()
		failures, err := d.loginBudgets(c, email)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		if d.limits.blocked(c, d.log, failures...) {
			return
		}
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
			if errors.Is(err, auth.ErrMismatch) {
				if err := d.limits.charge(c, failures...); err != nil {
					writeError(c, d.log, err)
					return
				}
			}
			writeError(c, d.log, credentialsError(err))
			return
		}
		var rehash []byte
		if d.hasher.NeedsRehash(hash) {
			if rehash, err = d.hasher.Hash(ctx, *req.Password); err != nil {
				writeError(c, d.log, err)
				return
			}
		}
		started, err := d.store.SignIn(ctx, u.ID, hash, rehash, d.sessionStart(c, now()))
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		d.setDeviceCookie(c, email)
		d.signedIn(c, http.StatusOK, u, started)
	}
}

// loginBudgets are the buckets a failed login for email is counted in: the
// device's own when it has signed in to this account before (its device
// cookie, or a live refresh cookie of the account), else the (IP, email)
// and email ones.
func (d authDeps) loginBudgets(c *gin.Context, email string) ([][]byte, error) {
	if v, err := c.Cookie(deviceCookie); err == nil {
		if id, ok := d.devices.Check(v, email); ok {
			return [][]byte{d.limits.bucket(budgetDevice, "device:"+id)}, nil
		}
	}
	if v, err := c.Cookie(refreshCookie); err == nil && v != "" && len(v) <= 256 {
		u, sid, err := d.store.RefreshOwner(c.Request.Context(), v, now())
		switch {
		case err == nil && u.Email == email:
			return [][]byte{d.limits.bucket(budgetDevice, "session:"+sid.String())}, nil
		case err != nil && models.ErrorCode(err) != models.CodeNotFound:
			return nil, err
		}
	}
	return [][]byte{d.limits.bucket(budgetIPEmail, c.ClientIP(), email), d.limits.bucket(budgetEmail, email)}, nil
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

// updateMe changes the display name and/or the password: 200 User, or,
// when the password changes, 200 AuthResponse for a new session on the
// caller's device, every other session of the user (the caller's own
// included) having ended in the same transaction.
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
		var name *string
		if req.DisplayName != nil {
			n := p.text("display_name", *req.DisplayName, 1, maxDisplayNameChars)
			name = &n
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
		if req.Password == nil {
			u, err := d.store.RenameUser(ctx, me.ID, name)
			if err != nil {
				writeError(c, d.log, err)
				return
			}
			c.JSON(http.StatusOK, u.API())
			return
		}
		// The current password is a secret an attacker with a stolen token
		// would like to guess: wrong ones are limited per account.
		account := d.limits.bucket(budgetAccount, me.ID.String())
		if d.limits.blocked(c, d.log, account) {
			return
		}
		if err := d.hasher.Compare(ctx, []byte(me.PasswordHash), *req.CurrentPassword); err != nil {
			if errors.Is(err, auth.ErrMismatch) {
				if err := d.limits.charge(c, account); err != nil {
					writeError(c, d.log, err)
					return
				}
			}
			writeError(c, d.log, credentialsError(err))
			return
		}
		hash, err := d.hasher.Hash(ctx, password)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		u, started, err := d.store.ChangePassword(ctx, me.ID, []byte(me.PasswordHash), hash, name, d.sessionStart(c, now()))
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		d.signedIn(c, http.StatusOK, u, started)
	}
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
