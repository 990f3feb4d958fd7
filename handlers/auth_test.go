package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"

	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/middleware"
	"github.com/syncboard/syncboard/models"
)

// These tests hold the auth endpoints of docs/API.md and
// openapi/openapi.yaml (register, login, me) through the real router on a
// private database; tokens_test.go holds which tokens are accepted and what
// logout-all revokes, ratelimit_test.go the limits on login and register.

// countUsers counts the users rows whose lower(email) is email's.
func (e *authEnv) countUsers(t *testing.T, email string) int64 {
	t.Helper()
	var n int64
	if err := e.db.WithContext(context.Background()).Model(&models.User{}).Where("lower(email) = lower(?)", email).Count(&n).Error; err != nil {
		t.Fatalf("count users %q: %v", email, err)
	}
	return n
}

func (e *authEnv) countAllUsers(t *testing.T) int64 {
	t.Helper()
	var n int64
	if err := e.db.WithContext(context.Background()).Model(&models.User{}).Count(&n).Error; err != nil {
		t.Fatalf("count users: %v", err)
	}
	return n
}

// TestRegister checks a successful registration: the exact AuthResponse,
// the stored row, normalization and defaults, and a token that works.
func TestRegister(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	long254 := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com"
	tests := []struct {
		name            string
		body            string
		wantEmail       string
		wantDisplayName string
	}{
		{"plain", `{"email":"ann@example.com","password":"password1"}`, "ann@example.com", "ann"},
		{"email trimmed and lowercased", `{"email":"  Bob.Lee@Example.COM\t","password":"password1"}`, "bob.lee@example.com", "bob.lee"},
		{"plus tag and subdomain", `{"email":"first.last+tag@mail.example.co.uk","password":"password1"}`, "first.last+tag@mail.example.co.uk", "first.last+tag"},
		{"display_name given and trimmed", `{"email":"cy@example.com","password":"password1","display_name":"  Cy Young \n"}`, "cy@example.com", "Cy Young"},
		{"display_name null defaults", `{"email":"dee@example.com","password":"password1","display_name":null}`, "dee@example.com", "dee"},
		{"display_name 100 two-byte characters", mustJSON(map[string]string{"email": "eve@example.com", "password": "password1", "display_name": strings.Repeat("é", 100)}), "eve@example.com", strings.Repeat("é", 100)},
		{"display_name 100 emoji", mustJSON(map[string]string{"email": "fay@example.com", "password": "password1", "display_name": strings.Repeat("😀", 100)}), "fay@example.com", strings.Repeat("😀", 100)},
		{"display_name 1 character", `{"email":"gus@example.com","password":"password1","display_name":"G"}`, "gus@example.com", "G"},
		{"email of 254 characters", credentials(long254, "password1"), long254, strings.Repeat("a", 64)},
	}
	if len(long254) != 254 {
		t.Fatalf("test bug: long254 has %d characters", len(long254))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := call{method: http.MethodPost, path: "/api/auth/register", body: tt.body}
			before := time.Now()
			rec := c.do(env.router)
			after := time.Now()
			got := requireAuthResponse(t, c.String(), rec, http.StatusCreated)
			if got.User.Email != tt.wantEmail {
				t.Errorf("%s: user.email = %q, want %q", c, got.User.Email, tt.wantEmail)
			}
			if got.User.DisplayName != tt.wantDisplayName {
				t.Errorf("%s: user.display_name = %q, want %q", c, got.User.DisplayName, tt.wantDisplayName)
			}
			if got.User.CreatedAt.Before(before.Add(-time.Second)) || got.User.CreatedAt.After(after.Add(time.Second)) {
				t.Errorf("%s: user.created_at = %s, want about now (%s)", c, got.User.CreatedAt, before.UTC())
			}
			lo, hi := before.Add(tokenTTL-2*time.Second), after.Add(tokenTTL+time.Second)
			if got.ExpiresAt.Before(lo) || got.ExpiresAt.After(hi) {
				t.Errorf("%s: expires_at = %s, want about 24h from now (between %s and %s)", c, got.ExpiresAt, lo.UTC(), hi.UTC())
			}

			// The token is an HS256 JWT of the contract's claims,
			// consistent with the response.
			header, claims := jwtParts(t, got.AccessToken)
			if header["alg"] != "HS256" {
				t.Errorf("%s: token alg = %v, want HS256", c, header["alg"])
			}
			if claims["sub"] != got.User.ID.String() || claims["iss"] != "syncboard" {
				t.Errorf("%s: token claims %v, want sub %s and iss syncboard", c, claims, got.User.ID)
			}
			if _, ok := claims["iat"]; !ok {
				t.Errorf("%s: token claims %v have no iat", c, claims)
			}
			if exp, _ := claims["exp"].(json.Number); exp.String() != strconv.FormatInt(got.ExpiresAt.Unix(), 10) {
				t.Errorf("%s: token exp = %v, want expires_at %s (%d)", c, claims["exp"], got.ExpiresAt, got.ExpiresAt.Unix())
			}

			// The stored row is what the response says.
			row := env.storedUser(t, tt.wantEmail)
			if row.ID != got.User.ID || row.DisplayName != tt.wantDisplayName || !row.CreatedAt.Equal(got.User.CreatedAt) {
				t.Errorf("%s: stored row {id %s, display_name %q, created_at %s}, want the response's {%s, %q, %s}",
					c, row.ID, row.DisplayName, row.CreatedAt, got.User.ID, tt.wantDisplayName, got.User.CreatedAt)
			}
			if err := bcrypt.CompareHashAndPassword([]byte(row.PasswordHash), []byte("password1")); err != nil {
				t.Errorf("%s: stored password_hash does not match the password: %v", c, err)
			}

			// The token works, and GET /me returns the same User.
			if me := requireMe(t, env.router, got.AccessToken); me != got.User {
				t.Errorf("GET /api/auth/me after %s = %+v, want %+v", c, me, got.User)
			}
		})
	}
}

// TestRegisterIgnoresServerOwnedFields sends fields the client does not own;
// none of them reaches the stored row.
func TestRegisterIgnoresServerOwnedFields(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	sentID := uuid.New()
	foreignHash, err := bcrypt.GenerateFromPassword([]byte("attacker-password"), 4)
	if err != nil {
		t.Fatal(err)
	}
	email := uniqueEmail("owned")
	c := call{method: http.MethodPost, path: "/api/auth/register", body: mustJSON(map[string]any{
		"email":         email,
		"password":      "password1",
		"id":            sentID,
		"ID":            sentID,
		"password_hash": string(foreignHash),
		"PasswordHash":  string(foreignHash),
		"created_at":    "2000-01-01T00:00:00Z",
		"session_id":    sentID,
		"refresh_token": "chosen-by-the-client",
		"position":      3,
	})}
	start := time.Now()
	got := requireAuthResponse(t, c.String(), c.do(env.router), http.StatusCreated)
	row := env.storedUser(t, email)
	if got.User.ID == sentID || row.ID == sentID {
		t.Errorf("%s: response id %s, stored id %s, want neither to be the sent %s", c, got.User.ID, row.ID, sentID)
	}
	if row.ID != got.User.ID {
		t.Errorf("%s: stored id %s, want the response's %s", c, row.ID, got.User.ID)
	}
	if row.PasswordHash == string(foreignHash) {
		t.Errorf("%s: stored password_hash is the one the client sent", c)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(row.PasswordHash), []byte("password1")); err != nil {
		t.Errorf("%s: stored hash does not match the password: %v", c, err)
	}
	if row.CreatedAt.Year() == 2000 || got.User.CreatedAt.Year() == 2000 || row.CreatedAt.Before(start.Add(-time.Second)) {
		t.Errorf("%s: created_at stored %s, returned %s, want about now", c, row.CreatedAt, got.User.CreatedAt)
	}
	loginVia(t, env.router, email, "password1")
	lc := loginCall(email, "attacker-password")
	requireUnauthorized(t, lc.String(), lc.do(env.router), models.CodeInvalidCredentials)
}

// TestRegisterDuplicateEmail checks that an address is unique regardless of
// case and surrounding spaces, also under concurrent registrations.
func TestRegisterDuplicateEmail(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	first := registerVia(t, env.router, "Case.Test@Example.com", "password1")
	if first.User.Email != "case.test@example.com" {
		t.Fatalf("register Case.Test@Example.com: email = %q, want it lowercased", first.User.Email)
	}
	for _, email := range []string{"Case.Test@Example.com", "case.test@example.com", "CASE.TEST@EXAMPLE.COM", "  case.test@EXAMPLE.com  "} {
		c := registerCall(email, "other-password")
		requireError(t, c.String(), c.do(env.router), http.StatusConflict, models.CodeEmailTaken)
	}
	if n := env.countUsers(t, "case.test@example.com"); n != 1 {
		t.Errorf("after duplicate registrations: %d rows for case.test@example.com, want 1", n)
	}
	// The first account is untouched.
	loginVia(t, env.router, "case.test@example.com", "password1")
	lc := loginCall("case.test@example.com", "other-password")
	requireUnauthorized(t, lc.String(), lc.do(env.router), models.CodeInvalidCredentials)

	t.Run("concurrent", func(t *testing.T) {
		t.Parallel()
		const n = 8
		codes := make([]int, n)
		bodies := make([]*httptest.ResponseRecorder, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				email := "Race@Example.com"
				if i%2 == 1 {
					email = "race@EXAMPLE.COM"
				}
				c := registerCall(email, "password1")
				c.remote = fmt.Sprintf("198.51.100.%d:4000", i+1)
				bodies[i] = c.do(env.router)
				codes[i] = bodies[i].Code
			})
		}
		wg.Wait()
		created := 0
		for i, code := range codes {
			switch code {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
				requireErrorBody(t, fmt.Sprintf("concurrent register #%d", i), bodies[i], models.CodeEmailTaken)
			default:
				t.Errorf("concurrent register #%d of race@example.com: status %d, want 201 or 409 (body %s)", i, code, bodies[i].Body.String())
			}
		}
		if created != 1 {
			t.Errorf("%d concurrent registrations of one address: %d succeeded (statuses %v), want exactly 1", n, created, codes)
		}
		if got := env.countUsers(t, "race@example.com"); got != 1 {
			t.Errorf("after %d concurrent registrations: %d rows, want 1", n, got)
		}
	})
}

// TestPasswordLength checks the 8..72 byte rule (bytes, not characters) at
// registration and that each accepted password then logs in.
func TestPasswordLength(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	tests := []struct {
		name     string
		password string
		ok       bool
	}{
		{"7 bytes", "1234567", false},
		{"8 bytes", "12345678", true},
		{"72 bytes", strings.Repeat("p", 72), true},
		{"73 bytes", strings.Repeat("p", 73), false},
		{"empty", "", false},
		{"8 spaces (not trimmed)", "        ", true},
		{"7 bytes padded by 2 spaces is 9 bytes", " 1234567 ", true},
		{"4 two-byte characters = 8 bytes", "éééé", true},
		{"3 two-byte characters + 1 = 7 bytes", "ééé1", false},
		{"2 three-byte characters + 2 = 8 bytes", "€€ab", true},
		{"36 two-byte characters = 72 bytes", strings.Repeat("é", 36), true},
		{"37 two-byte characters = 74 bytes", strings.Repeat("é", 37), false},
		{"24 three-byte characters + 1 = 73 bytes", strings.Repeat("€", 24) + "a", false},
		{"18 four-byte characters = 72 bytes", strings.Repeat("😀", 18), true},
		{"NUL inside", "pass\x00word1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			email := uniqueEmail("pwlen")
			c := registerCall(email, tt.password)
			rec := c.do(env.router)
			if !tt.ok {
				requireValidation(t, c.String(), rec, "password")
				if n := env.countUsers(t, email); n != 0 {
					t.Errorf("%s: refused, yet %d user rows exist", c, n)
				}
				return
			}
			requireAuthResponse(t, c.String(), rec, http.StatusCreated)
			loginVia(t, env.router, email, tt.password)
		})
	}
	// The missing field is refused too.
	c := call{method: http.MethodPost, path: "/api/auth/register", body: `{"email":"nopass@example.com"}`}
	requireValidation(t, c.String(), c.do(env.router), "password")
}

// TestPasswordNotTrimmed checks that surrounding spaces are part of the
// password.
func TestPasswordNotTrimmed(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	email := uniqueEmail("spaces")
	registerVia(t, env.router, email, " password1 ")
	for _, wrong := range []string{"password1", " password1", "password1 ", "  password1  "} {
		c := loginCall(email, wrong)
		requireUnauthorized(t, c.String()+" (registered with \" password1 \")", c.do(env.router), models.CodeInvalidCredentials)
	}
	loginVia(t, env.router, email, " password1 ")
}

// TestLoginOverlongPassword: bcrypt reads 72 bytes; a login with those 72
// bytes and one more must not match.
func TestLoginOverlongPassword(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	email := uniqueEmail("long")
	pw72 := strings.Repeat("x", 36) + strings.Repeat("y", 36)
	registerVia(t, env.router, email, pw72)
	loginVia(t, env.router, email, pw72)
	for _, extra := range []string{"z", "x", "é", strings.Repeat("z", 100)} {
		c := loginCall(email, pw72+extra)
		requireUnauthorized(t, c.String()+" (72-byte password + more)", c.do(env.router), models.CodeInvalidCredentials)
	}
	c := loginCall(email, pw72[:71])
	requireUnauthorized(t, c.String()+" (71 of the 72 bytes)", c.do(env.router), models.CodeInvalidCredentials)
}

// TestRegisterValidation checks 422s name exactly the bad fields and store
// nothing.
func TestRegisterValidation(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	email255 := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 58) + ".com"
	if len(email255) != 255 {
		t.Fatalf("test bug: email255 has %d characters", len(email255))
	}
	body := func(fields map[string]any) string { return mustJSON(fields) }
	ok := "valid-password"
	tests := []struct {
		name       string
		body       string
		wantFields []string
	}{
		{"empty object", `{}`, []string{"email", "password"}},
		{"email missing", body(map[string]any{"password": ok}), []string{"email"}},
		{"email null", body(map[string]any{"email": nil, "password": ok}), []string{"email"}},
		{"email empty", body(map[string]any{"email": "", "password": ok}), []string{"email"}},
		{"email spaces", body(map[string]any{"email": "   ", "password": ok}), []string{"email"}},
		{"email without @", body(map[string]any{"email": "plainaddress", "password": ok}), []string{"email"}},
		{"email a@b", body(map[string]any{"email": "a@b", "password": ok}), []string{"email"}},
		{"email in display-name form", body(map[string]any{"email": "Ann <a@b.com>", "password": ok}), []string{"email"}},
		{"email with NUL", body(map[string]any{"email": "a\x00b@example.com", "password": ok}), []string{"email"}},
		{"email with trailing NUL", body(map[string]any{"email": "ab@example.com\x00", "password": ok}), []string{"email"}},
		{"email of 255 characters", body(map[string]any{"email": email255, "password": ok}), []string{"email"}},
		{"email without local part", body(map[string]any{"email": "@example.com", "password": ok}), []string{"email"}},
		{"email without domain", body(map[string]any{"email": "ann@", "password": ok}), []string{"email"}},
		{"email with two @", body(map[string]any{"email": "ann@b@example.com", "password": ok}), []string{"email"}},
		{"email with inner space", body(map[string]any{"email": "ann lee@example.com", "password": ok}), []string{"email"}},
		{"email with trailing dot", body(map[string]any{"email": "ann@example.com.", "password": ok}), []string{"email"}},
		{"display_name empty", body(map[string]any{"email": "dn1@example.com", "password": ok, "display_name": ""}), []string{"display_name"}},
		{"display_name spaces", body(map[string]any{"email": "dn2@example.com", "password": ok, "display_name": "  \t "}), []string{"display_name"}},
		{"display_name 101 characters", body(map[string]any{"email": "dn3@example.com", "password": ok, "display_name": strings.Repeat("n", 101)}), []string{"display_name"}},
		{"display_name 101 two-byte characters", body(map[string]any{"email": "dn4@example.com", "password": ok, "display_name": strings.Repeat("é", 101)}), []string{"display_name"}},
		{"display_name with NUL", body(map[string]any{"email": "dn5@example.com", "password": ok, "display_name": "Ann\x00Lee"}), []string{"display_name"}},
		{"three bad fields", body(map[string]any{"email": "nope", "password": "short", "display_name": ""}), []string{"email", "password", "display_name"}},
		{"bad email and display_name, good password", body(map[string]any{"email": "a@b", "password": ok, "display_name": strings.Repeat("x", 101)}), []string{"email", "display_name"}},
	}
	t.Run("cases", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				c := call{method: http.MethodPost, path: "/api/auth/register", body: tt.body}
				requireValidation(t, c.String(), c.do(env.router), tt.wantFields...)
			})
		}
	})
	if n := env.countAllUsers(t); n != 0 {
		t.Errorf("after %d refused registrations: %d user rows, want 0", len(tests), n)
	}
}

// TestBadRequestBodies checks that bodies that are not one JSON object, or
// have a field of the wrong JSON type, are 400 bad_request on every auth
// endpoint with a body.
func TestBadRequestBodies(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	email := uniqueEmail("badreq")
	token := registerVia(t, env.router, email, "password1").AccessToken
	valid := credentials("someone@example.com", "password1")
	common := []struct{ name, body string }{
		{"empty body", ""},
		{"only spaces", "   \n"},
		{"truncated object", `{"email":`},
		{"unterminated string", `{"email":"a@example.com`},
		{"single quotes", `{'email':'a@example.com'}`},
		{"JSON array", `[]`},
		{"array of an object", "[" + valid + "]"},
		{"JSON null", `null`},
		{"JSON string", `"a@example.com"`},
		{"JSON number", `42`},
		{"trailing garbage", valid + " x"},
		{"two objects", valid + valid},
		{"extra closing brace", valid + "}"},
		{"not JSON at all", "email=a@example.com&password=password1"},
		{"valid object after a non-breaking space", "\u00a0" + valid},
	}
	type endpoint struct {
		method, path string
		token        string
		wrongTypes   []string
	}
	endpoints := []endpoint{
		{http.MethodPost, "/api/auth/register", "", []string{
			`{"email":5,"password":"password1"}`,
			`{"email":"a@example.com","password":12345678}`,
			`{"email":["a@example.com"],"password":"password1"}`,
			`{"email":"a@example.com","password":"password1","display_name":false}`,
			`{"email":{"value":"a@example.com"},"password":"password1"}`,
		}},
		{http.MethodPost, "/api/auth/login", "", []string{
			`{"email":5,"password":"password1"}`,
			`{"email":"a@example.com","password":true}`,
		}},
		{http.MethodPatch, "/api/auth/me", token, []string{
			`{"display_name":5}`,
			`{"password":true,"current_password":"password1"}`,
			`{"password":"new-password","current_password":12345678}`,
		}},
	}
	for _, ep := range endpoints {
		for _, b := range common {
			t.Run(ep.method+" "+ep.path+" "+b.name, func(t *testing.T) {
				t.Parallel()
				c := call{method: ep.method, path: ep.path, body: b.body, token: ep.token}
				requireError(t, c.String(), c.do(env.router), http.StatusBadRequest, models.CodeBadRequest)
			})
		}
		for i, body := range ep.wrongTypes {
			t.Run(fmt.Sprintf("%s %s wrong type %d", ep.method, ep.path, i), func(t *testing.T) {
				t.Parallel()
				c := call{method: ep.method, path: ep.path, body: body, token: ep.token}
				requireError(t, c.String(), c.do(env.router), http.StatusBadRequest, models.CodeBadRequest)
			})
		}
	}
	t.Cleanup(func() {
		if n := env.countAllUsers(t); n != 1 {
			t.Errorf("after bad requests: %d user rows, want only the 1 registered by the test", n)
		}
		if u := env.storedUser(t, email); u.DisplayName != strings.Split(email, "@")[0] {
			t.Errorf("after bad PATCH requests: display_name = %q, want it unchanged", u.DisplayName)
		}
	})
}

// chunked hides a reader's length, so the request has no Content-Length.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

// TestBodyTooLarge checks 413 payload_too_large over 1 MiB, with and without
// Content-Length, before any account is created, and that exactly 1 MiB is
// read.
func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	// padded is a valid registration padded with JSON whitespace to n bytes:
	// only the size can refuse it.
	padded := func(email string, n int) string {
		b := credentials(email, "password1")
		return b + strings.Repeat(" ", n-len(b))
	}
	const limit = middleware.MaxBodyBytes
	tests := []struct {
		name       string
		size       int
		sendLength bool // Content-Length known; otherwise chunked
		wantStatus int
	}{
		{"1 MiB + 1 with Content-Length", limit + 1, true, http.StatusRequestEntityTooLarge},
		{"2 MiB with Content-Length", 2 * limit, true, http.StatusRequestEntityTooLarge},
		{"1 MiB + 1 chunked", limit + 1, false, http.StatusRequestEntityTooLarge},
		{"3 MiB chunked", 3 * limit, false, http.StatusRequestEntityTooLarge},
		{"exactly 1 MiB with Content-Length", limit, true, http.StatusCreated},
		{"exactly 1 MiB chunked", limit, false, http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			email := uniqueEmail("big")
			body := padded(email, tt.size)
			var r io.Reader = strings.NewReader(body)
			if !tt.sendLength {
				r = chunked{r}
			}
			req := httptest.NewRequest(http.MethodPost, "/api/auth/register", r)
			req.Header.Set("Content-Type", "application/json")
			desc := fmt.Sprintf("POST /api/auth/register with a %d-byte body (Content-Length %d)", tt.size, req.ContentLength)
			rec := httptest.NewRecorder()
			env.router.ServeHTTP(rec, req)
			wantUsers := int64(0)
			if tt.wantStatus == http.StatusCreated {
				requireAuthResponse(t, desc, rec, http.StatusCreated)
				wantUsers = 1
			} else {
				requireError(t, desc, rec, tt.wantStatus, models.CodePayloadTooLarge)
			}
			if n := env.countUsers(t, email); n != wantUsers {
				t.Errorf("%s: %d user rows, want %d", desc, n, wantUsers)
			}
		})
	}

	t.Run("other endpoints", func(t *testing.T) {
		t.Parallel()
		email := uniqueEmail("bigother")
		token := registerVia(t, env.router, email, "password1").AccessToken
		huge := `{"display_name":"` + strings.Repeat("n", limit) + `"}`
		for _, c := range []call{
			{method: http.MethodPost, path: "/api/auth/login", body: padded(email, limit+10)},
			{method: http.MethodPatch, path: "/api/auth/me", token: token, body: huge},
		} {
			requireError(t, c.String(), c.do(env.router), http.StatusRequestEntityTooLarge, models.CodePayloadTooLarge)
		}
	})

	t.Run("chunked over real HTTP", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(env.router)
		t.Cleanup(srv.Close)
		email := uniqueEmail("bigwire")
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/auth/register", chunked{strings.NewReader(padded(email, limit+100))})
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatalf("POST a chunked 1 MiB + 100 body: %v", err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		rec := &httptest.ResponseRecorder{Code: resp.StatusCode, HeaderMap: resp.Header, Body: bytes.NewBuffer(raw)}
		requireError(t, "POST /api/auth/register chunked 1 MiB + 100 over HTTP", rec, http.StatusRequestEntityTooLarge, models.CodePayloadTooLarge)
		if n := env.countUsers(t, email); n != 0 {
			t.Errorf("chunked oversized registration: %d user rows, want 0", n)
		}
	})
}

// TestLogin covers login's statuses.
func TestLogin(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	email := uniqueEmail("login")
	reg := registerVia(t, env.router, email, "correct-password")
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   models.Code
		wantFields []string
	}{
		{"right credentials", credentials(email, "correct-password"), 200, "", nil},
		{"email in another case with spaces", credentials("  "+strings.ToUpper(email)+" ", "correct-password"), 200, "", nil},
		{"unknown fields ignored", mustJSON(map[string]any{"email": email, "password": "correct-password", "id": uuid.New(), "position": 1}), 200, "", nil},
		{"wrong password", credentials(email, "wrong-password"), 401, models.CodeInvalidCredentials, nil},
		{"password in another case", credentials(email, "CORRECT-PASSWORD"), 401, models.CodeInvalidCredentials, nil},
		{"unknown email", credentials(uniqueEmail("nobody"), "correct-password"), 401, models.CodeInvalidCredentials, nil},
		{"too short a password is only wrong", credentials(email, "short"), 401, models.CodeInvalidCredentials, nil},
		{"73-byte password", credentials(email, strings.Repeat("c", 73)), 401, models.CodeInvalidCredentials, nil},
		{"empty password", credentials(email, ""), 422, models.CodeValidationFailed, []string{"password"}},
		{"password with NUL", credentials(email, "correct-password\x00"), 422, models.CodeValidationFailed, []string{"password"}},
		{"email with NUL", credentials(email+"\x00", "correct-password"), 422, models.CodeValidationFailed, []string{"email"}},
		{"empty object", `{}`, 422, models.CodeValidationFailed, []string{"email", "password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := call{method: http.MethodPost, path: "/api/auth/login", body: tt.body}
			rec := c.do(env.router)
			switch tt.wantStatus {
			case http.StatusOK:
				got := requireAuthResponse(t, c.String(), rec, http.StatusOK)
				if got.User != reg.User {
					t.Errorf("%s: user = %+v, want %+v", c, got.User, reg.User)
				}
				if me := requireMe(t, env.router, got.AccessToken); me != reg.User {
					t.Errorf("GET /api/auth/me with the token of %s = %+v, want %+v", c, me, reg.User)
				}
			case http.StatusUnauthorized:
				requireUnauthorized(t, c.String(), rec, tt.wantCode)
			case http.StatusUnprocessableEntity:
				requireValidation(t, c.String(), rec, tt.wantFields...)
			}
		})
	}
}

// TestLoginFailuresIndistinguishable: an unknown email and a wrong password
// get the same status, body bytes and headers, and take about the same time
// (the unknown email is compared against a dummy hash of the same cost).
func TestLoginFailuresIndistinguishable(t *testing.T) {
	t.Parallel()
	hasher, err := auth.NewHasher(8, 0) // slow enough for bcrypt to dominate
	if err != nil {
		t.Fatal(err)
	}
	env := newAuthEnv(t, Deps{Hasher: hasher})
	email := uniqueEmail("same")
	registerVia(t, env.router, email, "correct-password")
	wrong := loginCall(email, "wrong-password")
	unknown := loginCall(uniqueEmail("ghost"), "wrong-password")

	// The fastest of several rounds: on a busy machine any single timing
	// can be slowed by others, the minimum much less so.
	const rounds = 9
	var recW, recU *httptest.ResponseRecorder
	minW, minU := time.Duration(1<<62), time.Duration(1<<62)
	for range rounds {
		start := time.Now()
		recW = wrong.do(env.router)
		minW = min(minW, time.Since(start))
		start = time.Now()
		recU = unknown.do(env.router)
		minU = min(minU, time.Since(start))
	}
	requireUnauthorized(t, wrong.String(), recW, models.CodeInvalidCredentials)
	requireUnauthorized(t, unknown.String(), recU, models.CodeInvalidCredentials)
	if recW.Code != recU.Code || !bytes.Equal(recW.Body.Bytes(), recU.Body.Bytes()) {
		t.Errorf("wrong password: %d %s\nunknown email: %d %s\nwant the same status and body bytes", recW.Code, recW.Body.Bytes(), recU.Code, recU.Body.Bytes())
	}
	for _, h := range []string{"WWW-Authenticate", "Content-Type", "Content-Length", "Retry-After"} {
		if w, u := recW.Header().Values(h), recU.Header().Values(h); !slices.Equal(w, u) {
			t.Errorf("%s: wrong password %q, unknown email %q, want the same", h, w, u)
		}
	}
	t.Logf("fastest of %d logins at bcrypt cost 8: wrong password %s, unknown email %s", rounds, minW, minU)
	if minU < minW/2 || minW < minU/2 {
		t.Errorf("fastest of %d logins: wrong password %s, unknown email %s, want about the same time", rounds, minW, minU)
	}
}

// TestUpdateMe covers PATCH /api/auth/me.
func TestUpdateMe(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	const oldPW = "old-password-1"
	type account struct {
		email string
		reg   authBody
	}
	tests := []struct {
		name string
		body any
		// check runs after the request; acct holds the account as it was.
		wantStatus int
		wantCode   models.Code
		wantFields []string
		check      func(t *testing.T, req string, acct account, rec *httptest.ResponseRecorder)
	}{
		{
			name: "display_name changed and trimmed", body: map[string]any{"display_name": "  New Name  "}, wantStatus: 200,
			check: func(t *testing.T, req string, acct account, rec *httptest.ResponseRecorder) {
				// A User, no tokens: only a password change issues tokens.
				got := requireUser(t, req, rec.Body.Bytes())
				want := acct.reg.User
				want.DisplayName = "New Name"
				if got != want {
					t.Errorf("%s: user = %+v, want %+v", req, got, want)
				}
				if me := requireMe(t, env.router, acct.reg.AccessToken); me != want {
					t.Errorf("GET /api/auth/me after %s = %+v, want %+v", req, me, want)
				}
				// Only a password change ends sessions; the password stays.
				loginVia(t, env.router, acct.email, oldPW)
			},
		},
		{
			name: "unknown and server-owned fields ignored",
			body: map[string]any{"display_name": "Moved", "position": 3, "email": "evil@example.com", "id": uuid.New(),
				"password_hash": "$2a$04$abcdefghijklmnopqrstuuJ1RmV3YqMxXlq0xB2nVq0WZ0r5G8hK6", "created_at": "2000-01-01T00:00:00Z"},
			wantStatus: 200,
			check: func(t *testing.T, req string, acct account, rec *httptest.ResponseRecorder) {
				got := requireUser(t, req, rec.Body.Bytes())
				want := acct.reg.User
				want.DisplayName = "Moved"
				if got != want {
					t.Errorf("%s: user = %+v, want %+v (only display_name changed)", req, got, want)
				}
				row := env.storedUser(t, acct.email)
				if row.ID != acct.reg.User.ID || !row.CreatedAt.Equal(acct.reg.User.CreatedAt) {
					t.Errorf("%s: stored id %s created_at %s, want unchanged %s %s", req, row.ID, row.CreatedAt, acct.reg.User.ID, acct.reg.User.CreatedAt)
				}
				if err := bcrypt.CompareHashAndPassword([]byte(row.PasswordHash), []byte(oldPW)); err != nil {
					t.Errorf("%s: the stored hash no longer matches the password: %v", req, err)
				}
				requireMe(t, env.router, acct.reg.AccessToken)
			},
		},
		{
			name: "empty object changes nothing", body: map[string]any{}, wantStatus: 200,
			check: func(t *testing.T, req string, acct account, rec *httptest.ResponseRecorder) {
				// The finding this guards: PATCH {} minted a fresh token, so
				// a stolen token could renew itself forever. Now it is a User.
				if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "access_token") {
					t.Fatalf("%s: %d %s; want 200 with a User and no token", req, rec.Code, rec.Body.String())
				}
				if got := requireUser(t, req, rec.Body.Bytes()); got != acct.reg.User {
					t.Errorf("%s: user = %+v, want %+v", req, got, acct.reg.User)
				}
				requireMe(t, env.router, acct.reg.AccessToken)
			},
		},
		{name: "display_name empty", body: map[string]any{"display_name": ""}, wantStatus: 422, wantFields: []string{"display_name"}},
		{name: "display_name spaces", body: map[string]any{"display_name": "   "}, wantStatus: 422, wantFields: []string{"display_name"}},
		{name: "display_name 101 characters", body: map[string]any{"display_name": strings.Repeat("d", 101)}, wantStatus: 422, wantFields: []string{"display_name"}},
		{name: "display_name with NUL", body: map[string]any{"display_name": "a\x00b"}, wantStatus: 422, wantFields: []string{"display_name"}},
		{name: "password without current_password", body: map[string]any{"password": "new-password-1"}, wantStatus: 422, wantFields: []string{"current_password"}},
		{name: "password with empty current_password", body: map[string]any{"password": "new-password-1", "current_password": ""}, wantStatus: 422, wantFields: []string{"current_password"}},
		{name: "short password without current_password", body: map[string]any{"password": "short"}, wantStatus: 422, wantFields: []string{"password", "current_password"}},
		{name: "73-byte password", body: map[string]any{"password": strings.Repeat("n", 73), "current_password": oldPW}, wantStatus: 422, wantFields: []string{"password"}},
		{name: "7-byte password", body: map[string]any{"password": "1234567", "current_password": oldPW}, wantStatus: 422, wantFields: []string{"password"}},
		{name: "password with NUL", body: map[string]any{"password": "new\x00password", "current_password": oldPW}, wantStatus: 422, wantFields: []string{"password"}},
		{name: "current_password with NUL", body: map[string]any{"password": "new-password-1", "current_password": oldPW + "\x00"}, wantStatus: 422, wantFields: []string{"current_password"}},
		{name: "bad display_name and missing current_password", body: map[string]any{"display_name": "", "password": "new-password-1"}, wantStatus: 422, wantFields: []string{"display_name", "current_password"}},
		{
			name: "wrong current_password", body: map[string]any{"password": "new-password-1", "current_password": "not-the-password"},
			wantStatus: 401, wantCode: models.CodeInvalidCredentials,
			check: func(t *testing.T, req string, acct account, rec *httptest.ResponseRecorder) {
				loginVia(t, env.router, acct.email, oldPW)
				c := loginCall(acct.email, "new-password-1")
				requireUnauthorized(t, c.String()+" after "+req, c.do(env.router), models.CodeInvalidCredentials)
				requireMe(t, env.router, acct.reg.AccessToken)
			},
		},
		{
			name: "right current_password", body: map[string]any{"password": " new password 1 ", "current_password": oldPW, "display_name": "Renamed"},
			wantStatus: 200,
			check: func(t *testing.T, req string, acct account, rec *httptest.ResponseRecorder) {
				got := requireAuthResponse(t, req, rec, http.StatusOK)
				want := acct.reg.User
				want.DisplayName = "Renamed"
				if got.User != want {
					t.Errorf("%s: user = %+v, want %+v", req, got.User, want)
				}
				requireRefused(t, env.router, acct.reg.AccessToken, "issued before the password change")
				if got.SessionID == acct.reg.SessionID {
					t.Errorf("%s: session %s, want a new session", req, got.SessionID)
				}
				rc := call{method: http.MethodPost, path: "/api/auth/refresh", body: mustJSON(map[string]string{"refresh_token": acct.reg.RefreshToken})}
				requireUnauthorized(t, rc.String()+" with the old session's refresh token", rc.do(env.router), models.CodeUnauthorized)
				if me := requireMe(t, env.router, got.AccessToken); me != want {
					t.Errorf("GET /api/auth/me with the new token = %+v, want %+v", me, want)
				}
				loginVia(t, env.router, acct.email, " new password 1 ")
				for _, pw := range []string{oldPW, "new password 1"} {
					c := loginCall(acct.email, pw)
					requireUnauthorized(t, c.String()+" after "+req, c.do(env.router), models.CodeInvalidCredentials)
				}
				// The new token still works after the logins.
				requireMe(t, env.router, got.AccessToken)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			email := uniqueEmail("patch")
			acct := account{email: email, reg: registerVia(t, env.router, email, oldPW)}
			c := patchMeCall(acct.reg.AccessToken, tt.body)
			rec := c.do(env.router)
			req := c.String()
			switch tt.wantStatus {
			case http.StatusUnprocessableEntity:
				requireValidation(t, req, rec, tt.wantFields...)
				// A refused change changes nothing.
				if row := env.storedUser(t, email); row.DisplayName != acct.reg.User.DisplayName {
					t.Errorf("%s: display_name = %q after a 422, want %q", req, row.DisplayName, acct.reg.User.DisplayName)
				}
				loginVia(t, env.router, email, oldPW)
				requireMe(t, env.router, acct.reg.AccessToken)
			case http.StatusUnauthorized:
				if rec.Code != http.StatusUnauthorized {
					t.Fatalf("%s: status = %d, want 401 (body %s)", req, rec.Code, rec.Body.String())
				}
				requireErrorBody(t, req, rec, tt.wantCode)
			}
			if tt.check != nil {
				tt.check(t, req, acct, rec)
			}
		})
	}
}

// TestBcryptCost checks that stored hashes have the configured cost, at
// registration and after a password change.
func TestBcryptCost(t *testing.T) {
	t.Parallel()
	const cost = 5 // not bcrypt.MinCost, so a hard-coded minimum would show
	hasher, err := auth.NewHasher(cost, 0)
	if err != nil {
		t.Fatal(err)
	}
	env := newAuthEnv(t, Deps{Hasher: hasher})
	email := uniqueEmail("cost")
	reg := registerVia(t, env.router, email, "password1")
	check := func(when string) {
		t.Helper()
		hash := env.storedUser(t, email).PasswordHash
		got, err := bcrypt.Cost([]byte(hash))
		if err != nil || got != cost {
			t.Errorf("%s: bcrypt.Cost(stored hash) = %d, %v; want %d", when, got, err, cost)
		}
	}
	check("after registration")
	c := patchMeCall(reg.AccessToken, map[string]string{"password": "password2", "current_password": "password1"})
	requireAuthResponse(t, c.String(), c.do(env.router), http.StatusOK)
	check("after a password change")
}

// TestNoSecretsInLogsOrResponses runs a whole auth flow with every log
// (router and database, at debug) captured, and checks that no password,
// token or password hash is in any log line or response.
func TestNoSecretsInLogsOrResponses(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	log := logs.logger()
	db, err := database.Open(context.Background(), testdb.New(t), database.Options{
		MaxOpenConns: 4, MaxIdleConns: 2, ConnMaxLifetime: time.Minute, Logger: log,
	})
	if err != nil {
		t.Fatalf("database.Open: %v", err)
	}
	t.Cleanup(func() { _ = database.Close(db) })
	env := newAuthEnvOn(t, db, Deps{Log: log})

	email := uniqueEmail("secrets")
	const pw1, pw2, wrongPW = "Sekrit-Horse-Battery-1", "Sekrit-Staple-Correct-2", "Sekrit-Wrong-Guess-3"
	secrets := map[string]string{"password 1": pw1, "password 2": pw2, "wrong password": wrongPW}
	var bodies []string
	var tokens []string
	record := func(c call) *httptest.ResponseRecorder {
		rec := c.do(env.router)
		bodies = append(bodies, c.String()+" -> "+rec.Body.String())
		return rec
	}
	authed := func(c call, status int) string {
		t.Helper()
		a := requireAuthResponse(t, c.String(), record(c), status)
		tokens = append(tokens, a.AccessToken)
		return a.AccessToken
	}

	regToken := authed(registerCall(email, pw1), http.StatusCreated)
	hash1 := env.storedUser(t, email).PasswordHash
	loginToken := authed(loginCall(strings.ToUpper(email), pw1), http.StatusOK)
	record(meCall(loginToken))
	record(meCall(regToken))
	record(loginCall(email, wrongPW))
	record(loginCall(uniqueEmail("nobody"), wrongPW))
	record(registerCall(email, pw2))                      // 409
	record(meCall(flipAt(loginToken, len(loginToken)/2))) // tampered
	record(patchMeCall(loginToken, map[string]string{"password": pw2, "current_password": wrongPW}))
	record(patchMeCall(loginToken, map[string]string{"password": pw2}))
	newToken := authed(patchMeCall(loginToken, map[string]string{"password": pw2, "current_password": pw1}), http.StatusOK)
	hash2 := env.storedUser(t, email).PasswordHash
	record(meCall(loginToken)) // revoked
	record(meCall(newToken))
	finalToken := authed(loginCall(email, pw2), http.StatusOK)
	record(logoutAllCall(finalToken))
	record(meCall(finalToken)) // revoked

	secrets["hash at registration"] = hash1
	secrets["hash after the change"] = hash2
	for i, tok := range tokens {
		secrets[fmt.Sprintf("token %d", i)] = tok
		secrets[fmt.Sprintf("token %d signature", i)] = tok[strings.LastIndex(tok, ".")+1:]
	}

	raw := logs.buf.String()
	lines := logs.lines(t)
	if len(logs.accessLines(t)) != len(bodies) {
		t.Errorf("%d access log lines for %d requests, want one each", len(logs.accessLines(t)), len(bodies))
	}
	sqlLines := 0
	for _, l := range lines {
		if s, _ := l["msg"].(string); strings.HasPrefix(s, "sql") {
			sqlLines++
		}
	}
	if sqlLines == 0 {
		t.Errorf("no SQL log lines captured at debug level; the test would not see a leak through the database log:\n%s", raw)
	}
	for name, s := range secrets {
		if strings.Contains(raw, s) {
			t.Errorf("the log contains the %s %q:\n%s", name, s, raw)
		}
	}
	for _, marker := range []string{"$2a$", "$2b$", "$2y$", "Sekrit"} {
		if strings.Contains(raw, marker) {
			t.Errorf("the log contains %q:\n%s", marker, raw)
		}
	}
	// Responses carry tokens by design (and requests passwords), but
	// never a password or a hash.
	for _, b := range bodies {
		resp := b[strings.Index(b, " -> ")+len(" -> "):]
		for _, leak := range []string{pw1, pw2, wrongPW, hash1, hash2, "password_hash", "PasswordHash", "$2a$", "$2b$", "Sekrit", "tokens_valid_after"} {
			if strings.Contains(resp, leak) {
				t.Errorf("response to %s contains %q", clip(b), leak)
			}
		}
	}
}

// TestAuthDatabaseUnavailable: when the database cannot be reached, the auth
// endpoints answer 503 unavailable with Retry-After (not a 500, and not a
// 401 that would sign a client out).
func TestAuthDatabaseUnavailable(t *testing.T) {
	t.Parallel()
	store := droppedDatabase(t)
	hasher, err := auth.NewHasher(4, 0)
	if err != nil {
		t.Fatal(err)
	}
	tokens := auth.NewTokens(testJWTSecret, tokenTTL)
	r := newRouter(t, Deps{Store: store, Tokens: tokens, Hasher: hasher, AuthRateLimit: 1000, AuthRateWindow: time.Minute})
	token, _, err := tokens.Issue(uuid.New(), uuid.New(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []call{
		registerCall(uniqueEmail("down"), "password1"),
		loginCall(uniqueEmail("down"), "password1"),
		meCall(token),
		patchMeCall(token, map[string]string{"display_name": "x"}),
		logoutAllCall(token),
	} {
		rec := c.do(r)
		req := c.String() + " (database dropped)"
		requireError(t, req, rec, http.StatusServiceUnavailable, models.CodeUnavailable)
		if rec.Code == http.StatusServiceUnavailable {
			if n, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || n < 1 {
				t.Errorf("%s: Retry-After = %q, want whole seconds >= 1", req, rec.Header().Get("Retry-After"))
			}
		}
	}
}

// TestAuthMethodNotAllowed: methods the contract does not list answer 404 or
// 405 with the error body.
func TestAuthMethodNotAllowed(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	for _, c := range []call{
		{method: http.MethodGet, path: "/api/auth/login"},
		{method: http.MethodGet, path: "/api/auth/register"},
		{method: http.MethodPut, path: "/api/auth/me", body: `{}`},
		{method: http.MethodDelete, path: "/api/auth/me"},
		{method: http.MethodGet, path: "/api/auth/logout-all"},
		{method: http.MethodGet, path: "/api/auth/logout"},
		{method: http.MethodGet, path: "/api/auth/refresh"},
		{method: http.MethodPost, path: "/api/auth/sessions"},
		{method: http.MethodPatch, path: "/api/auth/sessions/" + uuid.NewString(), body: `{}`},
	} {
		rec := c.do(env.router)
		switch rec.Code {
		case http.StatusMethodNotAllowed:
			requireErrorBody(t, c.String(), rec, models.CodeMethodNotAllowed)
		case http.StatusNotFound:
			requireErrorBody(t, c.String(), rec, models.CodeNotFound)
		default:
			t.Errorf("%s: status = %d, want 404 or 405 (body %s)", c, rec.Code, rec.Body.String())
		}
	}
}
