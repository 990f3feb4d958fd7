package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/syncboard/syncboard/models"
)

// routerWith builds another router on the same database, at its own rate.
// The buckets live in the database, so it shares them with env.router; that
// one's rate is so high that its attempts leave them practically full.
func (e *authEnv) routerWith(t *testing.T, d Deps) http.Handler {
	t.Helper()
	d.Store, d.Tokens, d.Hasher = e.store, e.tokens, e.hasher
	if d.AuthRateLimit == 0 {
		d.AuthRateLimit, d.AuthRateWindow = 1_000_000, time.Minute
	}
	return newRouter(t, d)
}

// rateAttempt is one request of a rate-limit scenario.
type rateAttempt struct {
	path, email, password string
	remote                string
	header                http.Header
	want                  int
}

// TestAuthRateLimit checks the per-IP and per-email limits on login and
// register and which client IP counts.
func TestAuthRateLimit(t *testing.T) {
	t.Parallel()
	const limit = 3
	const window = time.Minute // long: no refill during a scenario
	login, register := "/api/auth/login", "/api/auth/register"
	xff := func(v string) http.Header { return http.Header{"X-Forwarded-For": {v}} }
	tests := []struct {
		name           string
		trustedProxies []string
		attempts       func(known string) []rateAttempt // known is a registered email, password "password1"
	}{
		{
			name: "per IP: the 4th login from one IP",
			attempts: func(string) []rateAttempt {
				return []rateAttempt{
					{path: login, email: uniqueEmail("ip"), password: "password1", want: 401},
					{path: login, email: uniqueEmail("ip"), password: "password1", want: 401},
					{path: login, email: uniqueEmail("ip"), password: "password1", want: 401},
					{path: login, email: uniqueEmail("ip"), password: "password1", want: 429},
					{path: login, email: uniqueEmail("ip"), password: "password1", want: 429},
				}
			},
		},
		{
			name: "per IP: the 4th registration from one IP",
			attempts: func(string) []rateAttempt {
				return []rateAttempt{
					{path: register, email: uniqueEmail("reg"), password: "password1", want: 201},
					{path: register, email: uniqueEmail("reg"), password: "password1", want: 201},
					{path: register, email: uniqueEmail("reg"), password: "password1", want: 201},
					{path: register, email: uniqueEmail("reg"), password: "password1", want: 429},
				}
			},
		},
		{
			name: "per IP: the right password is limited too",
			attempts: func(known string) []rateAttempt {
				return []rateAttempt{
					{path: login, email: uniqueEmail("ip"), password: "password1", want: 401},
					{path: login, email: uniqueEmail("ip"), password: "password1", want: 401},
					{path: login, email: uniqueEmail("ip"), password: "password1", want: 401},
					{path: login, email: known, password: "password1", want: 429},
				}
			},
		},
		{
			name: "spoofed X-Forwarded-For does not escape the per-IP limit",
			attempts: func(string) []rateAttempt {
				var a []rateAttempt
				for i := range 5 {
					want := 401
					if i >= limit {
						want = 429
					}
					a = append(a, rateAttempt{path: login, email: uniqueEmail("xff"), password: "password1", header: xff(fmt.Sprintf("203.0.113.%d", i+1)), want: want})
				}
				return a
			},
		},
		{
			name: "spoofed X-Real-IP does not escape the per-IP limit",
			attempts: func(string) []rateAttempt {
				var a []rateAttempt
				for i := range 5 {
					want := 401
					if i >= limit {
						want = 429
					}
					a = append(a, rateAttempt{path: login, email: uniqueEmail("xri"), password: "password1",
						header: http.Header{"X-Real-Ip": {fmt.Sprintf("203.0.113.%d", i+1)}, "X-Forwarded-For": {fmt.Sprintf("203.0.113.%d", 100+i)}}, want: want})
				}
				return a
			},
		},
		{
			name: "per email: one address from 4 IPs, in any case",
			attempts: func(known string) []rateAttempt {
				up := strings.ToUpper(known)
				return []rateAttempt{
					{path: login, email: known, password: "wrong-1", remote: "198.51.100.1:1000", want: 401},
					{path: login, email: up, password: "wrong-2", remote: "198.51.100.2:1000", want: 401},
					{path: login, email: " " + known + " ", password: "wrong-3", remote: "198.51.100.3:1000", want: 401},
					{path: login, email: known, password: "wrong-4", remote: "198.51.100.4:1000", want: 429},
					{path: login, email: known, password: "password1", remote: "198.51.100.5:1000", want: 429},
					// Registering is not a login: the email's failures do not
					// block it (it cannot guess a password), only the IP's.
					{path: register, email: up, password: "password1", remote: "198.51.100.6:1000", want: 409},
				}
			},
		},
		{
			name:           "a trusted proxy's X-Forwarded-For is honoured",
			trustedProxies: []string{"192.0.2.1"},
			attempts: func(string) []rateAttempt {
				var a []rateAttempt
				for i := range 6 { // more than the limit, each from its own client
					a = append(a, rateAttempt{path: login, email: uniqueEmail("tp"), password: "password1", header: xff(fmt.Sprintf("203.0.113.%d", i+1)), want: 401})
				}
				for i := range 4 { // one client behind the proxy
					want := 401
					if i >= limit {
						want = 429
					}
					a = append(a, rateAttempt{path: login, email: uniqueEmail("tp"), password: "password1", header: xff("198.51.100.77"), want: want})
				}
				return a
			},
		},
		{
			name:           "behind a trusted proxy, a client's own X-Forwarded-For prefix does not escape",
			trustedProxies: []string{"192.0.2.1"},
			attempts: func(string) []rateAttempt {
				var a []rateAttempt
				for i := range 4 {
					want := 401
					if i >= limit {
						want = 429
					}
					a = append(a, rateAttempt{path: login, email: uniqueEmail("tpx"), password: "password1",
						header: xff(fmt.Sprintf("203.0.113.%d, 198.51.100.88", i+1)), want: want})
				}
				return a
			},
		},
		{
			name:           "X-Forwarded-For from an untrusted peer is ignored",
			trustedProxies: []string{"10.9.8.7"},
			attempts: func(string) []rateAttempt {
				var a []rateAttempt
				for i := range 4 {
					want := 401
					if i >= limit {
						want = 429
					}
					a = append(a, rateAttempt{path: login, email: uniqueEmail("untr"), password: "password1", header: xff(fmt.Sprintf("203.0.113.%d", i+1)), want: want})
				}
				return a
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newAuthEnv(t, Deps{})
			known := uniqueEmail("known")
			registerVia(t, env.router, known, "password1") // on a router of its own limiters
			r := env.routerWith(t, Deps{AuthRateLimit: limit, AuthRateWindow: window, TrustedProxies: tt.trustedProxies})
			for i, a := range tt.attempts(known) {
				c := call{method: http.MethodPost, path: a.path, body: credentials(a.email, a.password), header: a.header, remote: a.remote}
				req := fmt.Sprintf("attempt %d: %s", i+1, c)
				rec := c.do(r)
				if rec.Code != a.want {
					t.Errorf("%s: status = %d, want %d (body %s)", req, rec.Code, a.want, rec.Body.String())
					continue
				}
				if a.want == http.StatusTooManyRequests {
					requireRateLimited(t, req, rec, window)
				} else if ra := rec.Header().Get("Retry-After"); ra != "" {
					t.Errorf("%s: Retry-After = %q on a %d, want none", req, ra, rec.Code)
				}
			}
		})
	}
}

// requireRateLimited checks a 429 rate_limited with a Retry-After of whole
// seconds between 1 and the window.
func requireRateLimited(t *testing.T, req string, rec *httptest.ResponseRecorder, window time.Duration) int {
	t.Helper()
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("%s: status = %d, want 429 (body %s)", req, rec.Code, rec.Body.String())
	}
	requireErrorBody(t, req, rec, models.CodeRateLimited)
	ra := rec.Header().Get("Retry-After")
	n, err := strconv.Atoi(ra)
	if err != nil || n < 1 || time.Duration(n)*time.Second > window {
		t.Fatalf("%s: Retry-After = %q, want whole seconds in [1, %d]", req, ra, int(window.Seconds()))
	}
	return n
}

// TestAuthRateLimitRecovery: after a 429, waiting Retry-After lets the
// client in again.
func TestAuthRateLimitRecovery(t *testing.T) {
	t.Parallel()
	env := newAuthEnv(t, Deps{})
	email := uniqueEmail("recover")
	registerVia(t, env.router, email, "password1")
	const window = 2 * time.Second
	r := env.routerWith(t, Deps{AuthRateLimit: 3, AuthRateWindow: window})
	for i := range 3 {
		c := loginCall(email, fmt.Sprintf("wrong-password-%d", i))
		requireUnauthorized(t, fmt.Sprintf("attempt %d: %s", i+1, c), c.do(r), models.CodeInvalidCredentials)
	}
	c := loginCall(email, "password1")
	wait := requireRateLimited(t, "attempt 4: "+c.String(), c.do(r), window)
	time.Sleep(time.Duration(wait) * time.Second)
	got := requireAuthResponse(t, fmt.Sprintf("%s after waiting Retry-After (%ds)", c, wait), c.do(r), http.StatusOK)
	requireMe(t, r, got.AccessToken)
}

// TestLoginFailuresSpareTheOwnersDevices: a stranger failing on purpose
// against an email, from one address or many, blocks that email's untrusted
// logins (guessing stays bounded), but not a device that signed in to the
// account before: the owner's device cookie (or live refresh cookie) gives
// it a budget of its own. Before device cookies, nine wrong passwords from
// another address made the owner's correct login answer 429.
func TestLoginFailuresSpareTheOwnersDevices(t *testing.T) {
	t.Parallel()
	const limit = 3
	env := newAuthEnv(t, Deps{})
	email := uniqueEmail("owner")
	reg := registerVia(t, env.router, email, "password1") // a router of its own limiters
	r := env.routerWith(t, Deps{AuthRateLimit: limit, AuthRateWindow: time.Minute})
	ownerDevice := func(rec *httptest.ResponseRecorder) string {
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == "syncboard_device" {
				if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/api/auth" {
					t.Errorf("device cookie %s: want HttpOnly, SameSite=Strict, Path=/api/auth", ck)
				}
				return ck.Value
			}
		}
		t.Fatalf("no syncboard_device cookie in %q", rec.Header().Values("Set-Cookie"))
		return ""
	}
	// The owner signs in on their laptop once, before the attack.
	first := loginCall(email, "password1")
	first.remote = "192.0.2.10:5000"
	rec := first.do(r)
	requireAuthResponse(t, first.String(), rec, http.StatusOK)
	laptop := ownerDevice(rec)

	// A stranger fails from nine addresses, three times each.
	for ip := range 9 {
		for try := range limit {
			c := loginCall(email, fmt.Sprintf("guess-%d-%d", ip, try))
			c.remote = fmt.Sprintf("203.0.113.%d:6000", ip+1)
			if rec := c.do(r); rec.Code != http.StatusUnauthorized && rec.Code != http.StatusTooManyRequests {
				t.Fatalf("%s: %d, want 401 or 429", c, rec.Code)
			}
		}
	}
	// Guessing stays bounded: a fresh address, even with the right password,
	// gets 429 for this email; so does a device cookie of another email.
	fresh := loginCall(email, "password1")
	fresh.remote = "198.51.100.50:7000"
	requireRateLimited(t, fresh.String()+" (an untrusted device, right password)", fresh.do(r), time.Minute)
	foreign := fresh
	foreign.header = http.Header{"Cookie": {"syncboard_device=" + env.tokens.Devices().Issue(uniqueEmail("someone-else"))}}
	requireRateLimited(t, foreign.String()+" (another account's device cookie)", foreign.do(r), time.Minute)

	// The owner's laptop is still tried, from any address.
	own := loginCall(email, "password1")
	own.remote = "198.51.100.51:7000"
	own.header = http.Header{"Cookie": {"syncboard_device=" + laptop}}
	got := requireAuthResponse(t, own.String()+" (the owner's device cookie)", own.do(r), http.StatusOK)
	requireMe(t, r, got.AccessToken)
	// A device signed in already (its refresh cookie) is tried too.
	signedIn := loginCall(email, "password1")
	signedIn.header = http.Header{"Cookie": {"syncboard_refresh=" + reg.RefreshToken}}
	requireAuthResponse(t, signedIn.String()+" (a live refresh cookie of the account)", signedIn.do(r), http.StatusOK)

	// A trusted device that fails has a budget of its own.
	for try := range limit {
		c := own
		c.body = credentials(email, fmt.Sprintf("typo-%d", try))
		c.remote = fmt.Sprintf("198.51.100.%d:7000", 60+try) // not the per-IP limit
		requireUnauthorized(t, c.String(), c.do(r), models.CodeInvalidCredentials)
	}
	own.remote = "198.51.100.70:7000"
	requireRateLimited(t, own.String()+" after its own failures", own.do(r), time.Minute)
}
