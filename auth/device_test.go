package auth

import (
	"strings"
	"testing"
)

func TestDeviceCookies(t *testing.T) {
	t.Parallel()
	d := NewDevices(secret)
	v := d.Issue("Ann@Example.com")
	id, ok := d.Check(v, "ann@example.com")
	if !ok || id == "" {
		t.Fatalf("Check(own cookie, same email in another case) = %q, %v", id, ok)
	}
	if again := d.Issue("ann@example.com"); again == v {
		t.Error("two cookies for one email are equal; want a new device ID each time")
	}
	flipped := []byte(v)
	flipped[3] ^= 1
	for name, tc := range map[string]struct{ value, email string }{
		"another email":        {v, "bob@example.com"},
		"another server's key": {NewDevices("another-secret-another-secret-xx").Issue("ann@example.com"), "ann@example.com"},
		"tampered":             {string(flipped), "ann@example.com"},
		"truncated":            {v[:len(v)-2], "ann@example.com"},
		"not base64":           {strings.Repeat("!", len(v)), "ann@example.com"},
		"empty":                {"", "ann@example.com"},
	} {
		if id, ok := d.Check(tc.value, tc.email); ok {
			t.Errorf("%s: Check accepted it as device %q", name, id)
		}
	}
}
