package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// Devices signs and checks device cookies, OWASP's answer to lockout
// attacks: a browser that has signed in to an account successfully gets a
// cookie bound to that account's email, and its later login attempts for
// that email are limited per device, not per email. A stranger who fails
// on purpose against someone's email locks out only untrusted devices,
// never the owner's own.
//
// A cookie is base64url(device ID ‖ HMAC-SHA256(key, device ID ‖ email)),
// truncated to 16 bytes of MAC: stateless, unforgeable without the server's
// key, and it names no email (the MAC is checked against the email of the
// attempt).
type Devices struct {
	key []byte
}

const (
	deviceIDBytes  = 16
	deviceMACBytes = 16
)

// NewDevices derives the device-cookie key from the server's secret, so one
// secret rotates everything and the JWT key itself is never reused as is.
func NewDevices(secret string) *Devices {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("syncboard device cookie v1"))
	return &Devices{key: m.Sum(nil)}
}

func (d *Devices) mac(id []byte, email string) []byte {
	m := hmac.New(sha256.New, d.key)
	m.Write(id)
	m.Write([]byte(strings.ToLower(email)))
	return m.Sum(nil)[:deviceMACBytes]
}

// Issue returns a new device cookie value for email.
func (d *Devices) Issue(email string) string {
	id := make([]byte, deviceIDBytes)
	_, _ = rand.Read(id) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(append(id, d.mac(id, email)...))
}

// Check returns the device ID of a cookie value issued for email; ok is
// false for any other value.
func (d *Devices) Check(value, email string) (deviceID string, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) != deviceIDBytes+deviceMACBytes {
		return "", false
	}
	id, mac := raw[:deviceIDBytes], raw[deviceIDBytes:]
	if !hmac.Equal(mac, d.mac(id, email)) {
		return "", false
	}
	return base64.RawURLEncoding.EncodeToString(id), true
}
