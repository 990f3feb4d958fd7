package handlers

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

// BenchmarkLoginFailure times a refused login through the router at the
// default bcrypt cost (12), for each way a login fails. The three should
// cost the same: that is what keeps an unknown email indistinguishable from
// a wrong password.
func BenchmarkLoginFailure(b *testing.B) {
	db, _ := testdb.Open(b)
	hasher, err := auth.NewHasher(12, 0)
	if err != nil {
		b.Fatal(err)
	}
	router, err := NewRouter(Deps{
		Store:  models.NewStore(db),
		Log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Tokens: auth.NewTokens("bench-secret-bench-secret-bench-secret", time.Hour),
		Hasher: hasher,
		// The benchmark measures bcrypt and the handler, not the limiter.
		AuthRateLimit: 1 << 30, AuthRateWindow: time.Minute,
	})
	if err != nil {
		b.Fatal(err)
	}
	post := func(body string) int {
		req := httptest.NewRequest(http.MethodPost, "/api/auth/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		return rec.Code
	}
	reg := httptest.NewRequest(http.MethodPost, "/api/auth/register",
		strings.NewReader(`{"email":"bench@example.com","password":"`+strings.Repeat("p", 72)+`"}`))
	reg.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, reg)
	if rec.Code != http.StatusCreated {
		b.Fatalf("register: %d %s", rec.Code, rec.Body)
	}
	for _, bc := range []struct{ name, body string }{
		{"unknown_email", `{"email":"nobody@example.com","password":"whatever-password"}`},
		{"wrong_password", `{"email":"bench@example.com","password":"whatever-password"}`},
		{"password_73_bytes", `{"email":"bench@example.com","password":"` + strings.Repeat("p", 73) + `"}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if code := post(bc.body); code != http.StatusUnauthorized {
					b.Fatalf("login = %d, want 401", code)
				}
			}
		})
	}
}

// BenchmarkMe is GET /api/auth/me through the router, one request at a
// time: the middleware, the token's verification, the session lookup and
// the user's JSON.
func BenchmarkMe(b *testing.B) {
	router, req, _ := benchBoard(b)
	for b.Loop() {
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req("GET", "/api/auth/me", ""))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}
