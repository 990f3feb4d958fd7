package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/syncboard/syncboard/internal/apitest"
	"github.com/syncboard/syncboard/internal/testdb"
)

// TestAuthRateLimitAcrossInstances: the auth limits hold across instances
// on one database. With AUTH_RATE_LIMIT=5, eight failed logins for one
// email alternating between two instances (each from its own address, so
// only the email's budget is at stake) get 401 five times, then 429 with
// the contract's body and a Retry-After, whichever instance answers; before
// the limits moved to PostgreSQL all eight got 401. The same holds for the
// attempts of one client IP.
func TestAuthRateLimitAcrossInstances(t *testing.T) {
	env := baseEnv(testdb.New(t))
	env["AUTH_RATE_LIMIT"] = "5"
	env["AUTH_RATE_WINDOW"] = "1m"
	// The client's address comes from X-Forwarded-For, so one test can be
	// many clients.
	env["TRUSTED_PROXIES"] = "127.0.0.1"
	a, b := start(t, env), start(t, env)
	hc := &http.Client{Timeout: 20 * time.Second, Transport: apitest.Transport(t, nil)}
	post := func(base, path, ip, email, password string) (int, string, string) {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"email": email, "password": password})
		req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", ip)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("POST %s%s: %v", base, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
	}
	check := func(what string, i int, code int, retryAfter, body string) {
		t.Helper()
		want := http.StatusUnauthorized
		if i >= 5 {
			want = http.StatusTooManyRequests
		}
		if code != want {
			t.Errorf("%s %d: status %d, want %d (body %s)", what, i+1, code, want, body)
			return
		}
		if code == http.StatusUnauthorized {
			return
		}
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != "rate_limited" {
			t.Errorf("%s %d: body %s, want the error body with code rate_limited", what, i+1, body)
		}
		if n, err := strconv.Atoi(retryAfter); err != nil || n < 1 || n > 60 {
			t.Errorf("%s %d: Retry-After %q, want whole seconds in [1, 60]", what, i+1, retryAfter)
		}
	}
	email := fmt.Sprintf("limited-%d@example.com", time.Now().UnixNano())
	if code, _, body := post(a.url, "/api/auth/register", "198.51.100.1", email, "password123"); code != http.StatusCreated {
		t.Fatalf("register = %d %s", code, body)
	}
	instances := []string{a.url, b.url}
	for i := range 8 {
		code, ra, body := post(instances[i%2], "/api/auth/login", fmt.Sprintf("203.0.113.%d", i+1), email, fmt.Sprintf("wrong-%d", i))
		check(fmt.Sprintf("failed login for one email on instance %c,", 'A'+i%2), i, code, ra, body)
	}
	// The right password from a fresh address is refused too, on either.
	for i, base := range instances {
		if code, _, body := post(base, "/api/auth/login", fmt.Sprintf("192.0.2.%d", i+1), email, "password123"); code != http.StatusTooManyRequests {
			t.Errorf("the right password on instance %c while the email is limited = %d, want 429 (%s)", 'A'+i, code, body)
		}
	}

	// One client IP's attempts, at any email, alternating.
	for i := range 8 {
		code, ra, body := post(instances[i%2], "/api/auth/login", "198.51.100.99", fmt.Sprintf("nobody-%d-%d@example.com", i, time.Now().UnixNano()), "password123")
		check(fmt.Sprintf("login from one IP on instance %c,", 'A'+i%2), i, code, ra, body)
	}
}
