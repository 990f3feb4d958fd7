package auth

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

const secret = "test-secret-that-is-long-enough-32b"

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIssueAndVerify(t *testing.T) {
	t.Parallel()
	tokens := NewTokens(secret, time.Hour)
	id, sid := uuid.New(), uuid.New()
	at := time.Now().Add(-time.Second).UTC().Truncate(time.Microsecond)
	tok, exp, err := tokens.Issue(id, sid, at)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tokens.Verify(tok)
	if err != nil {
		t.Fatalf("Verify(own token) = %v", err)
	}
	if got.UserID != id || got.SessionID != sid || !got.IssuedAt.Equal(at) || !got.ExpiresAt.Equal(exp) {
		t.Errorf("claims = %+v, want user %s, session %s, iat %s (to the microsecond), exp %s", got, id, sid, at, exp)
	}
	if d := exp.Sub(at); d < time.Hour-time.Second || d > time.Hour {
		t.Errorf("exp - iat = %s, want the TTL (1h, rounded down to the second)", d)
	}
	var payload map[string]any
	part := strings.Split(tok, ".")[1]
	b, _ := jwt.NewParser().DecodeSegment(part)
	if err := json.Unmarshal(b, &payload); err != nil {
		t.Fatal(err)
	}
	if len(payload) != 5 || payload["iss"] != Issuer || payload["sub"] != id.String() || payload["sid"] != sid.String() {
		t.Errorf("payload = %v, want exactly sub, sid, iss, iat, exp", payload)
	}
}

func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	tokens := NewTokens(secret, time.Hour)
	now := time.Now()
	valid := func() jwt.MapClaims {
		return jwt.MapClaims{"sub": uuid.NewString(), "sid": uuid.NewString(), "iss": Issuer,
			"iat": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix()}
	}
	without := func(k string) jwt.MapClaims { c := valid(); delete(c, k); return c }
	with := func(k string, v any) jwt.MapClaims { c := valid(); c[k] = v; return c }
	hs256 := jwt.SigningMethodHS256
	tampered := func() string {
		tok := sign(t, hs256, []byte(secret), valid())
		parts := strings.Split(tok, ".")
		p := []byte(parts[1])
		p[5] ^= 1
		return parts[0] + "." + string(p) + "." + parts[2]
	}()
	tests := []struct {
		name  string
		token string
	}{
		{"expired", sign(t, hs256, []byte(secret), with("exp", now.Add(-time.Second).Unix()))},
		{"other key", sign(t, hs256, []byte("another-secret-another-secret-xx"), valid())},
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid())},
		{"HS512 with the right key", sign(t, jwt.SigningMethodHS512, []byte(secret), valid())},
		{"no exp", sign(t, hs256, []byte(secret), without("exp"))},
		{"no iat", sign(t, hs256, []byte(secret), without("iat"))},
		{"no sub", sign(t, hs256, []byte(secret), without("sub"))},
		{"sub not a UUID", sign(t, hs256, []byte(secret), with("sub", "admin"))},
		{"no sid (a token from before sessions)", sign(t, hs256, []byte(secret), without("sid"))},
		{"sid not a UUID", sign(t, hs256, []byte(secret), with("sid", "all"))},
		{"wrong iss", sign(t, hs256, []byte(secret), with("iss", "someone-else"))},
		{"no iss", sign(t, hs256, []byte(secret), without("iss"))},
		{"iat in the future", sign(t, hs256, []byte(secret), with("iat", now.Add(time.Hour).Unix()))},
		{"exp as a string", sign(t, hs256, []byte(secret), with("exp", "tomorrow"))},
		{"tampered payload", tampered},
		{"garbage", "not.a.token"},
		{"empty", ""},
		{"huge", strings.Repeat("a", MaxTokenBytes+1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tokens.Verify(tc.token); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify(%s) = %v, want ErrInvalidToken", tc.name, err)
			}
		})
	}
	// The five claims alone, integer times, signed right: accepted.
	if _, err := tokens.Verify(sign(t, hs256, []byte(secret), valid())); err != nil {
		t.Errorf("a minimal valid token was refused: %v", err)
	}
}

func TestPreciseTimeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"1700000000", time.Unix(1700000000, 0)},
		{"1700000000.000001", time.Unix(1700000000, 1000)},
		{"1700000000.5", time.Unix(1700000000, 500_000_000)},
		{"1700000000.123456789", time.Unix(1700000000, 123456789)},
	} {
		var p preciseTime
		if err := p.UnmarshalJSON([]byte(tc.in)); err != nil || !p.Equal(tc.want) {
			t.Errorf("UnmarshalJSON(%s) = %v, %v; want %v", tc.in, p.Time, err, tc.want)
		}
	}
	for _, bad := range []string{`"1700000000"`, "1.7e9", "-5", "1700000000.1234567890", "abc", "1700000000.-1"} {
		var p preciseTime
		if err := p.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("UnmarshalJSON(%s) accepted %v", bad, p.Time)
		}
	}
	at := time.Unix(1700000000, 42_000).UTC()
	b, _ := preciseTime{at}.MarshalJSON()
	if string(b) != "1700000000.000042" {
		t.Errorf("MarshalJSON = %s", b)
	}
}
