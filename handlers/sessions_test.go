package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

// These tests hold the sessions of docs/API.md: refresh with rotation and
// reuse detection, logout, logout-all, the sessions list and signing out one
// device, the refresh cookie and its origin check. The races between ending
// a session and using it are in the root package (sessions_race_test.go),
// over real HTTP and two instances.

func refreshCall(token string) call {
	return call{method: http.MethodPost, path: "/api/auth/refresh", body: mustJSON(map[string]string{"refresh_token": token})}
}

// cookieRefreshCall refreshes with the cookie alone, from origin ("" sends
// no Origin header).
func cookieRefreshCall(cookie, origin string) call {
	h := http.Header{"Cookie": {"syncboard_refresh=" + cookie}}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return call{method: http.MethodPost, path: "/api/auth/refresh", header: h}
}

func refreshVia(t *testing.T, r http.Handler, token string) authBody {
	t.Helper()
	c := refreshCall(token)
	return requireAuthResponse(t, c.String(), c.do(r), http.StatusOK)
}

// requireCookieCleared checks that rec clears the refresh cookie.
func requireCookieCleared(t *testing.T, req string, rec *httptest.ResponseRecorder) {
	t.Helper()
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == "syncboard_refresh" && ck.MaxAge < 0 && ck.Value == "" && ck.Path == "/api/auth" {
			return
		}
	}
	t.Errorf("%s: Set-Cookie %q, want syncboard_refresh cleared", req, rec.Header().Values("Set-Cookie"))
}

func TestRefreshRotates(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	email := uniqueEmail("rotate")
	reg := registerVia(t, env.router, email, "password1")

	next := refreshVia(t, env.router, reg.RefreshToken)
	if next.SessionID != reg.SessionID {
		t.Errorf("refresh moved to session %s, want the same session %s", next.SessionID, reg.SessionID)
	}
	if next.RefreshToken == reg.RefreshToken || next.AccessToken == reg.AccessToken {
		t.Error("refresh answered the same tokens; want new ones")
	}
	if next.User.ID != reg.User.ID {
		t.Errorf("refresh answered user %s, want %s", next.User.ID, reg.User.ID)
	}
	if !next.RefreshExpiresAt.After(reg.RefreshExpiresAt) && !next.RefreshExpiresAt.Equal(reg.RefreshExpiresAt) {
		t.Errorf("refresh_expires_at went back: %s, then %s", reg.RefreshExpiresAt, next.RefreshExpiresAt)
	}
	requireMe(t, env.router, next.AccessToken)
	// The access token of before the refresh still works: it is short-lived
	// and its session lives.
	requireMe(t, env.router, reg.AccessToken)

	// The cookie works as the body does, and rotates too.
	c := cookieRefreshCall(next.RefreshToken, "")
	viaCookie := requireAuthResponse(t, c.String(), c.do(env.router), http.StatusOK)
	if viaCookie.SessionID != reg.SessionID || viaCookie.RefreshToken == next.RefreshToken {
		t.Errorf("%s: session %s, new token %v; want the same session and a new token", c, viaCookie.SessionID, viaCookie.RefreshToken != next.RefreshToken)
	}

	// Reuse of a spent token: 401, and the whole session ends, the tokens
	// of the honest party included.
	reuse := refreshCall(reg.RefreshToken)
	rec := reuse.do(env.router)
	requireUnauthorized(t, reuse.String()+" (spent token)", rec, models.CodeUnauthorized)
	requireRefused(t, env.router, viaCookie.AccessToken, "the session's newest access token after a reuse")
	requireUnauthorized(t, "the newest refresh token after a reuse", refreshCall(viaCookie.RefreshToken).do(env.router), models.CodeUnauthorized)
	// Signing in again starts a fresh session.
	again := loginVia(t, env.router, email, "password1")
	requireMe(t, env.router, again.AccessToken)

	for name, token := range map[string]string{
		"unknown":       "bm90LWEtcmVhbC10b2tlbi1ub3QtYS1yZWFsLXRva2VuLTAwMDA",
		"an access JWT": again.AccessToken,
	} {
		c := refreshCall(token)
		requireUnauthorized(t, c.String()+" ("+name+")", c.do(env.router), models.CodeUnauthorized)
	}
	none := call{method: http.MethodPost, path: "/api/auth/refresh"}
	requireUnauthorized(t, none.String()+" (no token, no cookie)", none.do(env.router), models.CodeUnauthorized)
}

func TestRefreshTokenExpires(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{RefreshTTL: 2 * time.Second})
	reg := registerVia(t, env.router, uniqueEmail("expire"), "password1")
	used := refreshVia(t, env.router, reg.RefreshToken) // extends to 2 s from now
	time.Sleep(2500 * time.Millisecond)
	c := refreshCall(used.RefreshToken)
	requireUnauthorized(t, c.String()+" (expired)", c.do(env.router), models.CodeUnauthorized)
	requireRefused(t, env.router, used.AccessToken, "an access token of an expired session")
}

func TestRefreshCookieOrigin(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{CORSAllowedOrigins: []string{"https://app.example.com"}})
	reg := registerVia(t, env.router, uniqueEmail("origin"), "password1")
	token := reg.RefreshToken
	for _, tt := range []struct {
		origin string
		want   int
	}{
		{"https://evil.example.net", http.StatusForbidden},
		{"null", http.StatusForbidden},
		{"http://example.com", http.StatusOK}, // httptest's own Host
		{"https://app.example.com", http.StatusOK},
		{"", http.StatusOK}, // not a browser page
	} {
		c := cookieRefreshCall(token, tt.origin)
		rec := c.do(env.router)
		if tt.want == http.StatusForbidden {
			requireErrorBody(t, c.String(), rec, models.CodeForbidden)
			continue
		}
		token = requireAuthResponse(t, c.String(), rec, http.StatusOK).RefreshToken
	}
	// A token in the body is no ambient credential: any origin may send it.
	c := refreshCall(token)
	c.header = http.Header{"Origin": {"https://evil.example.net"}}
	requireAuthResponse(t, c.String(), c.do(env.router), http.StatusOK)
}

func TestLogout(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	email := uniqueEmail("logout")
	reg := registerVia(t, env.router, email, "password1")
	other := loginVia(t, env.router, email, "password1")

	c := call{method: http.MethodPost, path: "/api/auth/logout", token: reg.AccessToken}
	rec := c.do(env.router)
	if rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
		t.Fatalf("%s: %d %q, want 204 with no body", c, rec.Code, rec.Body.String())
	}
	requireCookieCleared(t, c.String(), rec)
	requireRefused(t, env.router, reg.AccessToken, "the logged-out session's access token")
	requireUnauthorized(t, "its refresh token", refreshCall(reg.RefreshToken).do(env.router), models.CodeUnauthorized)
	requireUnauthorized(t, "logout again", c.do(env.router), models.CodeUnauthorized)
	// Another device of the same user is not affected.
	requireMe(t, env.router, other.AccessToken)
	refreshVia(t, env.router, other.RefreshToken)
}

func TestLogoutAllEndsEverySession(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	email := uniqueEmail("everywhere")
	a := registerVia(t, env.router, email, "password1")
	b := loginVia(t, env.router, email, "password1")
	stranger := registerVia(t, env.router, uniqueEmail("stranger"), "password1")

	c := logoutAllCall(b.AccessToken)
	rec := c.do(env.router)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("%s: status %d, want 204 (body %s)", c, rec.Code, rec.Body.String())
	}
	requireCookieCleared(t, c.String(), rec)
	for name, s := range map[string]authBody{"the caller's": b, "the other device's": a} {
		requireRefused(t, env.router, s.AccessToken, name+" access token after logout-all")
		requireUnauthorized(t, name+" refresh token after logout-all", refreshCall(s.RefreshToken).do(env.router), models.CodeUnauthorized)
	}
	requireMe(t, env.router, stranger.AccessToken)
	after := loginVia(t, env.router, email, "password1")
	requireMe(t, env.router, after.AccessToken)
}

func TestSessionsListAndEnd(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	email := uniqueEmail("devices")
	reg := registerVia(t, env.router, email, "password1")
	lc := loginCall(email, "password1")
	lc.header = http.Header{"User-Agent": {"Phone/1.0"}}
	lc.remote = "198.51.100.7:4000"
	phone := requireAuthResponse(t, lc.String(), lc.do(env.router), http.StatusOK)
	refreshVia(t, env.router, reg.RefreshToken) // the laptop is now the most recently used
	stranger := registerVia(t, env.router, uniqueEmail("stranger"), "password1")

	list := call{method: http.MethodGet, path: "/api/auth/sessions", token: phone.AccessToken}
	rec := list.do(env.router)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", list, rec.Code, rec.Body.String())
	}
	var got []struct {
		ID         uuid.UUID `json:"id"`
		UserAgent  string    `json:"user_agent"`
		IP         string    `json:"ip"`
		Current    bool      `json:"current"`
		LastUsedAt time.Time `json:"last_used_at"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != reg.SessionID || got[1].ID != phone.SessionID {
		t.Fatalf("%s = %s; want the laptop's session (refreshed last) then the phone's", list, rec.Body.String())
	}
	if got[0].Current || !got[1].Current || got[1].UserAgent != "Phone/1.0" || got[1].IP != "198.51.100.7" {
		t.Errorf("%s = %s; want current only on the phone's session, with its user agent and IP", list, rec.Body.String())
	}

	// Another user's session and an unknown one are the same 404.
	for _, id := range []uuid.UUID{stranger.SessionID, uuid.New()} {
		c := call{method: http.MethodDelete, path: "/api/auth/sessions/" + id.String(), token: phone.AccessToken}
		requireErrorBody(t, c.String(), c.do(env.router), models.CodeNotFound)
	}
	requireMe(t, env.router, stranger.AccessToken)

	// The phone signs the laptop out.
	c := call{method: http.MethodDelete, path: "/api/auth/sessions/" + reg.SessionID.String(), token: phone.AccessToken}
	if rec := c.do(env.router); rec.Code != http.StatusNoContent {
		t.Fatalf("%s: %d %s", c, rec.Code, rec.Body.String())
	}
	requireRefused(t, env.router, reg.AccessToken, "the signed-out laptop's access token")
	requireMe(t, env.router, phone.AccessToken)
	rec = list.do(env.router)
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got) != 1 || got[0].ID != phone.SessionID {
		t.Errorf("%s after signing the laptop out = %s, want the phone's session alone", list, rec.Body.String())
	}
}

// TestPasswordRehashedAtLogin: after BCRYPT_COST changes, a login stores a
// hash of the new cost, so old accounts stop answering a wrong password
// faster than an unknown email does.
func TestPasswordRehashedAtLogin(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	old := newAuthEnvOn(t, db, Deps{})
	email := uniqueEmail("rehash")
	registerVia(t, old.router, email, "password1")
	if cost, _ := bcrypt.Cost([]byte(old.storedUser(t, email).PasswordHash)); cost != 4 {
		t.Fatalf("stored cost %d, want 4", cost)
	}
	h5, err := auth.NewHasher(5, 0)
	if err != nil {
		t.Fatal(err)
	}
	raised := newAuthEnvOn(t, db, Deps{Hasher: h5})
	c := loginCall(email, "wrong-password")
	requireUnauthorized(t, c.String(), c.do(raised.router), models.CodeInvalidCredentials)
	if cost, _ := bcrypt.Cost([]byte(raised.storedUser(t, email).PasswordHash)); cost != 4 {
		t.Errorf("a failed login changed the stored hash (cost %d)", cost)
	}
	loginVia(t, raised.router, email, "password1")
	stored := raised.storedUser(t, email).PasswordHash
	if cost, _ := bcrypt.Cost([]byte(stored)); cost != 5 {
		t.Errorf("stored cost after a login at cost 5 = %d, want 5", cost)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(stored), []byte("password1")); err != nil {
		t.Errorf("the new hash does not match the password: %v", err)
	}
	loginVia(t, raised.router, email, "password1")
}

// TestSignInRechecksThePassword: a login whose password check raced a
// password change cannot start a session with the old password.
func TestSignInRechecksThePassword(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	email := uniqueEmail("race")
	reg := registerVia(t, env.router, email, "password1")
	before := env.storedUser(t, email) // what a racing login verified against
	c := patchMeCall(reg.AccessToken, map[string]string{"password": "password2", "current_password": "password1"})
	requireAuthResponse(t, c.String(), c.do(env.router), http.StatusOK)
	_, err := env.store.SignIn(context.Background(), before.ID, []byte(before.PasswordHash), nil,
		models.SessionStart{Now: time.Now().UTC(), TTL: time.Hour})
	if models.ErrorCode(err) != models.CodeInvalidCredentials {
		t.Errorf("SignIn with the hash of before the change = %v, want invalid_credentials", err)
	}
}
