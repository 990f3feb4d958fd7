// Package auth issues and verifies SyncBoard's access tokens and hashes
// passwords.
package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Issuer is the iss claim of every token.
const Issuer = "syncboard"

// MaxTokenBytes bounds the tokens Verify looks at. Ours are about 200 bytes;
// anything far larger is refused before any parsing.
const MaxTokenBytes = 4096

// ErrInvalidToken is returned for every token that must be refused. The
// reason is wrapped for logs and tests, never shown to clients.
var ErrInvalidToken = errors.New("invalid token")

// Tokens issues and verifies HS256 JWTs.
type Tokens struct {
	secret []byte
	ttl    time.Duration
	parser *jwt.Parser
}

// NewTokens returns Tokens signing with secret; tokens live for ttl.
func NewTokens(secret string, ttl time.Duration) *Tokens {
	return &Tokens{
		secret: []byte(secret),
		ttl:    ttl,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuer(Issuer),
			jwt.WithIssuedAt(), // an iat in the future is refused
		),
	}
}

// Claims are the verified claims of a token.
type Claims struct {
	UserID    uuid.UUID
	SessionID uuid.UUID
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// DeriveKey returns a key for purpose made from the secret (HMAC-SHA256 of
// purpose under it), so one secret rotates everything and the JWT key is
// never reused as is.
func (t *Tokens) DeriveKey(purpose string) []byte {
	m := hmac.New(sha256.New, t.secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Devices returns the device-cookie signer keyed from the same secret.
func (t *Tokens) Devices() *Devices { return NewDevices(string(t.secret)) }

// TTL is how long the tokens Issue signs live.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// Issue signs an access token for userID in session sessionID, issued at
// now. The token is only as good as its session: every request checks that
// the session still lives (Authenticator), so ending the session ends the
// token at once, whatever its exp.
func (t *Tokens) Issue(userID, sessionID uuid.UUID, now time.Time) (token string, expiresAt time.Time, err error) {
	now = now.UTC().Truncate(time.Microsecond)
	expiresAt = now.Add(t.ttl).Truncate(time.Second)
	c := claims{
		Subject:   userID.String(),
		Session:   sessionID.String(),
		Issuer:    Issuer,
		IssuedAt:  &preciseTime{now},
		ExpiresAt: &preciseTime{expiresAt},
	}
	token, err = jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign token: %w", err)
	}
	return token, expiresAt, nil
}

// Verify checks a token's signature, algorithm (HS256 only), issuer, expiry
// and issue time, and that it names a user and a session. Every failure
// wraps ErrInvalidToken.
func (t *Tokens) Verify(token string) (Claims, error) {
	if len(token) > MaxTokenBytes {
		return Claims{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidToken, MaxTokenBytes)
	}
	var c claims
	if _, err := t.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.secret, nil }); err != nil {
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	id, _ := uuid.Parse(c.Subject)  // checked by claims.Validate
	sid, _ := uuid.Parse(c.Session) // likewise
	return Claims{UserID: id, SessionID: sid, IssuedAt: c.IssuedAt.Time, ExpiresAt: c.ExpiresAt.Time}, nil
}

// claims is the token's payload: sub, sid, iss, iat and exp, nothing else.
type claims struct {
	Subject   string       `json:"sub"`
	Session   string       `json:"sid"`
	Issuer    string       `json:"iss"`
	IssuedAt  *preciseTime `json:"iat"`
	ExpiresAt *preciseTime `json:"exp"`
}

var _ jwt.ClaimsValidator = claims{}

func numeric(p *preciseTime) *jwt.NumericDate {
	if p == nil {
		return nil
	}
	// A literal, not jwt.NewNumericDate, which would truncate to seconds.
	return &jwt.NumericDate{Time: p.Time}
}

func (c claims) GetExpirationTime() (*jwt.NumericDate, error) { return numeric(c.ExpiresAt), nil }
func (c claims) GetIssuedAt() (*jwt.NumericDate, error)       { return numeric(c.IssuedAt), nil }
func (c claims) GetNotBefore() (*jwt.NumericDate, error)      { return nil, nil }
func (c claims) GetIssuer() (string, error)                   { return c.Issuer, nil }
func (c claims) GetSubject() (string, error)                  { return c.Subject, nil }
func (c claims) GetAudience() (jwt.ClaimStrings, error)       { return nil, nil }

// Validate requires the claims the library's options leave optional: iat,
// a sub that is a user ID and a sid that is a session ID (a token without
// one, such as those issued before sessions existed, is refused).
func (c claims) Validate() error {
	if c.IssuedAt == nil {
		return errors.New("token has no iat")
	}
	if _, err := uuid.Parse(c.Subject); err != nil {
		return errors.New("token sub is not a user ID")
	}
	if _, err := uuid.Parse(c.Session); err != nil {
		return errors.New("token sid is not a session ID")
	}
	return nil
}

// preciseTime is a JWT NumericDate kept to the microsecond. jwt's own
// NumericDate truncates to its package-wide TimePrecision (a second);
// changing that global would change it for every user of the library.
type preciseTime struct{ time.Time }

func (p preciseTime) MarshalJSON() ([]byte, error) {
	sec, usec := p.Unix(), p.Nanosecond()/1000
	if usec == 0 {
		return strconv.AppendInt(nil, sec, 10), nil
	}
	return fmt.Appendf(nil, "%d.%06d", sec, usec), nil
}

// UnmarshalJSON reads seconds since the epoch with up to nine fractional
// digits, exactly (no float rounding).
func (p *preciseTime) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	intPart, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil || len(frac) > 9 || strings.ContainsAny(s, "eE+") {
		return fmt.Errorf("numeric date %q: not seconds since the epoch", s)
	}
	var nsec int64
	if frac != "" {
		if nsec, err = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64); err != nil || nsec < 0 {
			return fmt.Errorf("numeric date %q: bad fraction", s)
		}
	}
	if sec < 0 || (strings.HasPrefix(intPart, "-")) {
		return fmt.Errorf("numeric date %q: before the epoch", s)
	}
	p.Time = time.Unix(sec, nsec).UTC()
	return nil
}
