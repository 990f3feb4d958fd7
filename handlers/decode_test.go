package handlers

import (
	"net/http"
	"strings"
	"testing"

	"github.com/syncboard/syncboard/models"
)

// TestDecodeRefusesInvalidUTF8: a body that is not valid UTF-8, or holds a
// \u escape of half a surrogate pair, is 400 bad_request wherever it is,
// never decoded with U+FFFD in its place (which would let a password of
// eight 0xFF bytes log in with eight 0x80 bytes); a valid pair is one
// character.
func TestDecodeRefusesInvalidUTF8(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	email := uniqueEmail("utf8")
	token := registerVia(t, env.router, email, "password1").AccessToken
	ff, x80 := strings.Repeat("\xff", 8), strings.Repeat("\x80", 8)
	// raw builds a registration body by hand: mustJSON would itself
	// replace invalid bytes.
	raw := func(email, password string) string {
		return `{"email":"` + email + `","password":"` + password + `"}`
	}
	fresh := uniqueEmail("utf8new")
	for _, c := range []call{
		{method: http.MethodPost, path: "/api/auth/register", body: raw(fresh, ff)},
		{method: http.MethodPost, path: "/api/auth/register", body: raw(fresh, "pass\xc3word1")},
		{method: http.MethodPost, path: "/api/auth/register", body: raw(fresh, "password\xed\xa0\x80")}, // U+D800 in UTF-8 form
		{method: http.MethodPost, path: "/api/auth/register", body: raw(fresh, `password\ud800`)},
		{method: http.MethodPost, path: "/api/auth/register", body: raw(fresh, `\ud800password`)},
		{method: http.MethodPost, path: "/api/auth/register", body: raw(fresh, `password\udc00`)},
		{method: http.MethodPost, path: "/api/auth/register", body: raw(fresh, `pass\ude00\ud83dword`)},
		{method: http.MethodPost, path: "/api/auth/register", body: raw(fresh, `pass\ud83d\u0041word`)},
		{method: http.MethodPost, path: "/api/auth/register", body: raw(fresh, `pass\uD83D\uD83Dword`)},
		{method: http.MethodPost, path: "/api/auth/register", body: raw(`\ud800`+fresh, "password1")},
		{method: http.MethodPost, path: "/api/auth/register", body: `{"email":"` + fresh + `","password":"password1","ignored":["\udfff"]}`},
		{method: http.MethodPost, path: "/api/auth/register", body: `{"email":"` + fresh + `","password":"password1","\ud800":1}`},
		{method: http.MethodPost, path: "/api/auth/register", body: `{"email":"` + fresh + `","password":"password1"}` + "\n\xff"},
		{method: http.MethodPost, path: "/api/auth/login", body: raw(email, ff)},
		{method: http.MethodPost, path: "/api/auth/login", body: raw(email, x80)},
		{method: http.MethodPost, path: "/api/auth/login", body: raw(email, `password1\ud800`)},
		patchMeCall(token, `{"display_name":"name\xff"}`),
		patchMeCall(token, `{"display_name":"name\udbff"}`),
	} {
		requireError(t, c.String(), c.do(env.router), http.StatusBadRequest, models.CodeBadRequest)
	}
	if n := env.countUsers(t, fresh); n != 0 {
		t.Errorf("after invalid UTF-8: %d user rows for %s, want 0", n, fresh)
	}
	if u := env.storedUser(t, email); u.DisplayName != strings.Split(email, "@")[0] {
		t.Errorf("after invalid UTF-8 in PATCH: display_name = %q, want it unchanged", u.DisplayName)
	}

	t.Run("eight 0xFF bytes never match eight 0x80 bytes", func(t *testing.T) {
		t.Parallel()
		// Before the fix both became eight U+FFFD: registration with one
		// succeeded and login with the other matched.
		email := uniqueEmail("fffd")
		c := call{method: http.MethodPost, path: "/api/auth/register", body: raw(email, ff)}
		requireError(t, c.String(), c.do(env.router), http.StatusBadRequest, models.CodeBadRequest)
		registerVia(t, env.router, email, strings.Repeat("\uFFFD", 8))
		c = call{method: http.MethodPost, path: "/api/auth/login", body: raw(email, x80)}
		requireError(t, c.String(), c.do(env.router), http.StatusBadRequest, models.CodeBadRequest)
	})

	t.Run("valid escapes are characters", func(t *testing.T) {
		t.Parallel()
		email := uniqueEmail("pair")
		// A surrogate pair in either case of hex, a literal backslash
		// followed by "ud800", and a BMP escape.
		c := call{method: http.MethodPost, path: "/api/auth/register", body: raw(email, `pw\ud83d\ude00\uD83D\uDE00\\ud800\u00e9`)}
		requireAuthResponse(t, c.String(), c.do(env.router), http.StatusCreated)
		loginVia(t, env.router, email, `pw😀😀\ud800é`)
		c = patchMeCall(loginVia(t, env.router, email, `pw😀😀\ud800é`).AccessToken, `{"display_name":"smile \ud83d\ude00"}`)
		rec := c.do(env.router)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status = %d, want 200 (body %s)", c, rec.Code, rec.Body)
		}
		if got := env.storedUser(t, email).DisplayName; got != "smile 😀" {
			t.Errorf("%s: display_name = %q, want %q", c, got, "smile 😀")
		}
	})
}

// TestLoneSurrogate checks the scanner on JSON texts directly.
func TestLoneSurrogate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		json string
		want bool
	}{
		{`{}`, false},
		{`{"a":"plain"}`, false},
		{`{"a":"\u0041\u00e9\uffff"}`, false},
		{`{"a":"\ud83d\ude00"}`, false},
		{`{"a":"\uD83D\uDE00"}`, false},
		{`{"a":"\udbff\udfff"}`, false},
		{`{"a":"\\ud800"}`, false},
		{`{"a":"\\\ud83d\ude00"}`, false},
		{`{"a":"\"\ud83d\ude00\""}`, false},
		{`{"\ud83d\ude00":[1,"x",{"b":"\ud83d\ude00"}]}`, false},
		{`{"a":"\ud800"}`, true},
		{`{"a":"\uDBFF"}`, true},
		{`{"a":"\udc00"}`, true},
		{`{"a":"\udfff\ud800"}`, true},
		{`{"a":"\ud800\ud800"}`, true},
		{`{"a":"\ud800\u0041"}`, true},
		{`{"a":"\ud800\n"}`, true},
		{`{"a":"\ud800","b":"\udc00"}`, true},
		{`{"a":"\\\ud800"}`, true},
		{`{"\ud800":1}`, true},
		{`{"a":["\ude00"]}`, true},
		{`{"a":"x\ud83d"}`, true},
	} {
		if got := loneSurrogate([]byte(tt.json)); got != tt.want {
			t.Errorf("loneSurrogate(%s) = %v, want %v", tt.json, got, tt.want)
		}
	}
}
