package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/models"
)

// Cookies of the auth endpoints. Both are HttpOnly, SameSite=Strict and
// scoped to /api/auth: no script reads them and no other route receives
// them.
const (
	// refreshCookie carries the session's refresh token, so a browser page
	// never needs to hold it.
	refreshCookie = "syncboard_refresh"
	// deviceCookie marks a browser that has signed in to an account before
	// (auth.Devices): its failed logins do not count against the account.
	deviceCookie = "syncboard_device"
	cookiePath   = "/api/auth"
	// deviceCookieTTL is long: the cookie only spares its device the
	// account's failure budget.
	deviceCookieTTL = 365 * 24 * time.Hour
)

type refreshRequest struct {
	RefreshToken *string `json:"refresh_token"`
}

// sessionStart is where and when the request starts or refreshes a session.
func (d authDeps) sessionStart(c *gin.Context, at time.Time) models.SessionStart {
	return models.SessionStart{UserAgent: c.Request.UserAgent(), IP: c.ClientIP(), Now: at, TTL: d.refreshTTL}
}

// signedIn answers a sign-in, a refresh or a password change: an access
// token for the session, the session's refresh token in the body and in
// its cookie.
func (d authDeps) signedIn(c *gin.Context, status int, u models.User, s models.Started) {
	token, exp, err := d.tokens.Issue(u.ID, s.Session.ID, s.Session.LastUsedAt)
	if err != nil {
		writeError(c, d.log, err)
		return
	}
	d.setCookie(c, refreshCookie, s.RefreshToken, s.Session.ExpiresAt.Sub(time.Now()))
	c.JSON(status, api.AuthResponse{
		AccessToken: token, TokenType: "bearer", ExpiresAt: exp.UTC(),
		RefreshToken: s.RefreshToken, RefreshExpiresAt: s.Session.ExpiresAt.UTC(), SessionID: s.Session.ID,
		User: u.API(),
	})
}

func (d authDeps) setDeviceCookie(c *gin.Context, email string) {
	d.setCookie(c, deviceCookie, d.devices.Issue(email), deviceCookieTTL)
}

// setCookie sets an auth cookie for ttl (a ttl of 0 or less clears it).
func (d authDeps) setCookie(c *gin.Context, name, value string, ttl time.Duration) {
	maxAge := int(ttl / time.Second)
	if ttl <= 0 {
		value, maxAge = "", -1
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: cookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: d.secureCookies, SameSite: http.SameSiteStrictMode,
	})
}

// refresh spends a refresh token (the body's, else the cookie's) for a new
// access token and a new refresh token: 200 AuthResponse. A spent token
// presented again ends its session (reuse detection) and is 401 like any
// bad token. A cookie sent from a page of a foreign origin is 403.
func refresh(d authDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req refreshRequest
		if c.Request.ContentLength != 0 {
			if err := decode(c.Request, &req); err != nil {
				writeError(c, d.log, err)
				return
			}
		}
		token := ""
		if req.RefreshToken != nil {
			token = strings.TrimSpace(*req.RefreshToken)
		} else if v, err := c.Cookie(refreshCookie); err == nil {
			if !d.sameSite(c) {
				writeError(c, d.log, models.Errorf(models.CodeForbidden, "refreshing with the cookie is not allowed from this origin"))
				return
			}
			token = v
		}
		if token == "" || len(token) > 256 {
			writeError(c, d.log, models.Errorf(models.CodeUnauthorized, "a refresh token is required"))
			return
		}
		u, started, err := d.store.Refresh(c.Request.Context(), token, d.sessionStart(c, now()))
		if err != nil {
			if models.ErrorCode(err) == models.CodeUnauthorized && req.RefreshToken == nil {
				d.setCookie(c, refreshCookie, "", 0) // a dead cookie helps nobody
			}
			writeError(c, d.log, err)
			return
		}
		d.signedIn(c, http.StatusOK, u, started)
	}
}

// sameSite reports whether a request that carries the refresh cookie comes
// from the server's own origin or an allowed one. Browsers send Origin with
// every POST; a request without one is not from a page (curl, a native
// client), and SameSite=Strict already keeps the cookie off other sites'
// requests: this check adds the other origins of the same site.
func (d authDeps) sameSite(c *gin.Context) bool {
	origin := c.GetHeader("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, c.Request.Host) {
		return true
	}
	for _, o := range d.origins {
		if strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}

// logout ends the caller's session: its access and refresh tokens stop
// working, its sockets close, and the refresh cookie is cleared.
func logout(d authDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, _ := auth.IdentityFrom(c.Request.Context())
		if err := d.store.EndSession(c.Request.Context(), id.User.ID, id.SessionID); err != nil {
			writeError(c, d.log, err)
			return
		}
		d.setCookie(c, refreshCookie, "", 0)
		c.Status(http.StatusNoContent)
	}
}

// logoutAll ends every session of the caller.
func logoutAll(d authDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		u, _ := auth.UserFrom(c.Request.Context())
		if err := d.store.EndAllSessions(c.Request.Context(), u.ID); err != nil {
			writeError(c, d.log, err)
			return
		}
		d.setCookie(c, refreshCookie, "", 0)
		c.Status(http.StatusNoContent)
	}
}

// listSessions lists the caller's live sessions, most recently used first.
func listSessions(d authDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, _ := auth.IdentityFrom(c.Request.Context())
		sessions, err := d.store.Sessions(c.Request.Context(), id.User.ID, now())
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		out := make([]api.Session, 0, len(sessions))
		for _, s := range sessions {
			out = append(out, s.API(s.ID == id.SessionID))
		}
		c.JSON(http.StatusOK, out)
	}
}

// endSession ends one of the caller's sessions (signing out another
// device, or this one); another user's session is 404 like an unknown one.
func endSession(d authDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		sid, ok := pathID(c, d.log, "session_id")
		if !ok {
			return
		}
		id, _ := auth.IdentityFrom(c.Request.Context())
		if err := d.store.EndSession(c.Request.Context(), id.User.ID, sid); err != nil {
			writeError(c, d.log, err)
			return
		}
		if sid == id.SessionID {
			d.setCookie(c, refreshCookie, "", 0)
		}
		c.Status(http.StatusNoContent)
	}
}
