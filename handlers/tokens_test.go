package handlers

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// signJWT signs claims with method and key.
func signJWT(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign %s token %v: %v", method.Alg(), claims, err)
	}
	return s
}

// jwtTime is tm as a JWT NumericDate kept to the microsecond.
func jwtTime(tm time.Time) json.Number {
	us := tm.UnixMicro()
	return json.Number(fmt.Sprintf("%d.%06d", us/1_000_000, us%1_000_000))
}

// TestAuthenticate checks which tokens and Authorization headers GET
// /api/auth/me accepts: only an HS256 token of ours with sub, sid, iat, exp
// and iss, naming a live session of that user, in "Bearer <token>" (any
// case).
func TestAuthenticate(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	email := uniqueEmail("authn")
	reg := registerVia(t, env.router, email, "password1")
	other := registerVia(t, env.router, uniqueEmail("other"), "password1")
	// Hand-made tokens name the registration's session.
	iat := time.Now().Add(-time.Second)
	secret := []byte(testJWTSecret)
	exp := time.Now().Add(time.Hour).Unix()
	base := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"sub": reg.User.ID.String(), "sid": reg.SessionID.String(), "iat": iat.Unix(), "exp": exp, "iss": "syncboard"}
		if edit != nil {
			edit(c)
		}
		return c
	}
	hs256 := func(edit func(jwt.MapClaims)) func(t *testing.T) string {
		return func(t *testing.T) string { return signJWT(t, jwt.SigningMethodHS256, secret, base(edit)) }
	}
	issued := reg.AccessToken
	const mib = 1 << 20

	tests := []struct {
		name    string
		token   func(t *testing.T) string // sent as "Bearer <token>" unless authz is set
		authz   func(token string) string // the Authorization value built from token
		noAuthz bool                      // send no Authorization header at all
		wantOK  bool
		wantFor uuid.UUID // the user a 200 returns (reg's when zero)
		fast    bool      // must answer quickly
	}{
		// Accepted.
		{name: "issued token", token: func(*testing.T) string { return issued }, wantOK: true},
		{name: "exactly sub sid iat exp iss, HS256, integer iat", token: hs256(nil), wantOK: true},
		{name: "microsecond iat", token: hs256(func(c jwt.MapClaims) { c["iat"] = jwtTime(iat.Add(time.Microsecond)) }), wantOK: true},
		{name: "unrequired extra claims", token: hs256(func(c jwt.MapClaims) { c["jti"] = "x"; c["aud"] = "whoever" }), wantOK: true},
		{name: "scheme lowercase", token: hs256(nil), authz: func(s string) string { return "bearer " + s }, wantOK: true},
		{name: "scheme uppercase", token: hs256(nil), authz: func(s string) string { return "BEARER " + s }, wantOK: true},
		{name: "scheme mixed case", token: hs256(nil), authz: func(s string) string { return "bEaReR " + s }, wantOK: true},
		{name: "another user's own token", token: func(*testing.T) string { return other.AccessToken }, wantOK: true, wantFor: other.User.ID},

		// Refused tokens.
		{name: "expired", token: hs256(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Second).Unix() })},
		{name: "expired long ago", token: hs256(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-48 * time.Hour).Unix() })},
		{name: "signed with another key", token: func(t *testing.T) string {
			return signJWT(t, jwt.SigningMethodHS256, []byte(testJWTSecret+"-other"), base(nil))
		}},
		{name: "signed with an empty key", token: func(t *testing.T) string {
			return signJWT(t, jwt.SigningMethodHS256, []byte{}, base(nil))
		}},
		{name: "alg none", token: func(t *testing.T) string {
			return signJWT(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, base(nil))
		}},
		{name: "alg none header on our signature", token: func(t *testing.T) string {
			parts := strings.Split(signJWT(t, jwt.SigningMethodHS256, secret, base(nil)), ".")
			none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
			return none + "." + parts[1] + "." + parts[2]
		}},
		{name: "HS512 with the right key", token: func(t *testing.T) string {
			return signJWT(t, jwt.SigningMethodHS512, secret, base(nil))
		}},
		{name: "HS384 with the right key", token: func(t *testing.T) string {
			return signJWT(t, jwt.SigningMethodHS384, secret, base(nil))
		}},
		{name: "missing exp", token: hs256(func(c jwt.MapClaims) { delete(c, "exp") })},
		{name: "missing iat", token: hs256(func(c jwt.MapClaims) { delete(c, "iat") })},
		{name: "missing sub", token: hs256(func(c jwt.MapClaims) { delete(c, "sub") })},
		{name: "missing iss", token: hs256(func(c jwt.MapClaims) { delete(c, "iss") })},
		{name: "sub not a UUID", token: hs256(func(c jwt.MapClaims) { c["sub"] = "admin" })},
		{name: "sub empty", token: hs256(func(c jwt.MapClaims) { c["sub"] = "" })},
		{name: "sub a number", token: hs256(func(c jwt.MapClaims) { c["sub"] = 1 })},
		{name: "sub of no user", token: hs256(func(c jwt.MapClaims) { c["sub"] = uuid.NewString() })},
		{name: "sub of another user, with this user's session", token: hs256(func(c jwt.MapClaims) { c["sub"] = other.User.ID.String() })},
		{name: "missing sid (a token from before sessions)", token: hs256(func(c jwt.MapClaims) { delete(c, "sid") })},
		{name: "sid not a UUID", token: hs256(func(c jwt.MapClaims) { c["sid"] = "*" })},
		{name: "sid of no session", token: hs256(func(c jwt.MapClaims) { c["sid"] = uuid.NewString() })},
		{name: "sid of another user's session", token: hs256(func(c jwt.MapClaims) { c["sid"] = other.SessionID.String() })},
		{name: "wrong iss", token: hs256(func(c jwt.MapClaims) { c["iss"] = "someone-else" })},
		{name: "iss in another case", token: hs256(func(c jwt.MapClaims) { c["iss"] = "SyncBoard" })},
		{name: "iat in the future", token: hs256(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(time.Hour).Unix() })},
		{name: "iat a minute ahead", token: hs256(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(time.Minute).Unix() })},
		{name: "iat a string", token: hs256(func(c jwt.MapClaims) { c["iat"] = strconv.FormatInt(iat.Unix(), 10) })},
		{name: "exp a string", token: hs256(func(c jwt.MapClaims) { c["exp"] = strconv.FormatInt(exp, 10) })},
		{name: "tampered payload (one character flipped)", token: func(t *testing.T) string {
			parts := strings.Split(issued, ".")
			parts[1] = flipAt(parts[1], len(parts[1])/2)
			return strings.Join(parts, ".")
		}},
		{name: "tampered payload (sub of another user)", token: func(t *testing.T) string {
			parts := strings.Split(issued, ".")
			_, claims := jwtParts(t, issued)
			claims["sub"] = other.User.ID.String()
			parts[1] = base64.RawURLEncoding.EncodeToString([]byte(mustJSON(claims)))
			return strings.Join(parts, ".")
		}},
		{name: "tampered payload (exp extended)", token: func(t *testing.T) string {
			parts := strings.Split(issued, ".")
			_, claims := jwtParts(t, issued)
			claims["exp"] = time.Now().Add(365 * 24 * time.Hour).Unix()
			parts[1] = base64.RawURLEncoding.EncodeToString([]byte(mustJSON(claims)))
			return strings.Join(parts, ".")
		}},
		{name: "signature removed", token: func(t *testing.T) string {
			return issued[:strings.LastIndex(issued, ".")+1]
		}},
		{name: "signature flipped", token: func(t *testing.T) string {
			return flipAt(issued, len(issued)-5)
		}},
		{name: "two segments", token: func(t *testing.T) string { return issued[:strings.LastIndex(issued, ".")] }},
		{name: "four segments", token: func(t *testing.T) string { return issued + ".x" }},
		{name: "not a JWT", token: func(t *testing.T) string { return "not-a-token" }},
		{name: "deleted user", token: func(t *testing.T) string {
			e := uniqueEmail("deleted")
			a := registerVia(t, env.router, e, "password1")
			requireMe(t, env.router, a.AccessToken)
			if err := env.db.Exec("DELETE FROM users WHERE id = ?", a.User.ID).Error; err != nil {
				t.Fatalf("delete user %s: %v", a.User.ID, err)
			}
			return a.AccessToken
		}},
		{name: "of a session ended by logout", token: func(t *testing.T) string {
			a := registerVia(t, env.router, uniqueEmail("loggedout1"), "password1")
			c := call{method: http.MethodPost, path: "/api/auth/logout", token: a.AccessToken}
			if rec := c.do(env.router); rec.Code != http.StatusNoContent {
				t.Fatalf("%s: status %d, want 204 (body %s)", c, rec.Code, rec.Body.String())
			}
			return a.AccessToken
		}},
		{name: "issued before logout-all", token: func(t *testing.T) string {
			e := uniqueEmail("loggedout")
			a := registerVia(t, env.router, e, "password1")
			b := loginVia(t, env.router, e, "password1")
			c := logoutAllCall(b.AccessToken)
			if rec := c.do(env.router); rec.Code != http.StatusNoContent {
				t.Fatalf("%s: status %d, want 204 (body %s)", c, rec.Code, rec.Body.String())
			}
			return a.AccessToken
		}},
		{name: "issued before a password change", token: func(t *testing.T) string {
			e := uniqueEmail("pwchanged")
			a := registerVia(t, env.router, e, "password1")
			c := patchMeCall(a.AccessToken, map[string]string{"password": "password2", "current_password": "password1"})
			requireAuthResponse(t, c.String(), c.do(env.router), http.StatusOK)
			return a.AccessToken
		}},

		// Refused headers.
		{name: "no Authorization header", noAuthz: true},
		{name: "empty Authorization", token: hs256(nil), authz: func(string) string { return "" }},
		{name: "token without scheme", token: hs256(nil), authz: func(s string) string { return s }},
		{name: "Basic credentials", token: hs256(nil), authz: func(string) string {
			return "Basic " + base64.StdEncoding.EncodeToString([]byte("ann@example.com:password1"))
		}},
		{name: "Basic scheme with the token", token: hs256(nil), authz: func(s string) string { return "Basic " + s }},
		{name: "Token scheme", token: hs256(nil), authz: func(s string) string { return "Token " + s }},
		{name: "Bearer without token", token: hs256(nil), authz: func(string) string { return "Bearer" }},
		{name: "Bearer and a space", token: hs256(nil), authz: func(string) string { return "Bearer " }},
		{name: "Bearer glued to the token", token: hs256(nil), authz: func(s string) string { return "Bearer" + s }},
		{name: "token then garbage", token: hs256(nil), authz: func(s string) string { return "Bearer " + s + " extra" }},
		{name: "1 MB bearer value", token: hs256(nil), authz: func(string) string { return "Bearer " + strings.Repeat("a", mib) }, fast: true},
		{name: "1 MB token-shaped value", token: hs256(nil), authz: func(s string) string { return "Bearer " + s + strings.Repeat("A", mib) }, fast: true},
		{name: "1 MB without scheme", token: hs256(nil), authz: func(string) string { return strings.Repeat("b", mib) }, fast: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var token string
			if tt.token != nil {
				token = tt.token(t)
			}
			c := call{method: http.MethodGet, path: "/api/auth/me"}
			switch {
			case tt.noAuthz:
			case tt.authz != nil:
				c.header = http.Header{"Authorization": {tt.authz(token)}}
			default:
				c.token = token
			}
			start := time.Now()
			rec := c.do(env.router)
			elapsed := time.Since(start)
			req := fmt.Sprintf("%s (%s)", c, tt.name)
			if tt.fast && elapsed > 500*time.Millisecond {
				t.Errorf("%s took %s, want a fast refusal", req, elapsed)
			}
			if !tt.wantOK {
				requireUnauthorized(t, req, rec, models.CodeUnauthorized)
				return
			}
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: status = %d, want 200 (body %s)", req, rec.Code, rec.Body.String())
			}
			want := reg.User.ID
			if tt.wantFor != uuid.Nil {
				want = tt.wantFor
			}
			if got := requireUser(t, req, rec.Body.Bytes()); got.ID != want {
				t.Errorf("%s: user id = %s, want %s", req, got.ID, want)
			}
		})
	}

	// Every protected endpoint refuses a missing token the same way.
	for _, c := range []call{
		{method: http.MethodGet, path: "/api/auth/me"},
		{method: http.MethodPatch, path: "/api/auth/me", body: `{"display_name":"x"}`},
		{method: http.MethodPost, path: "/api/auth/logout-all"},
	} {
		requireUnauthorized(t, c.String(), c.do(env.router), models.CodeUnauthorized)
	}
}
