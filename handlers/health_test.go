package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/middleware"
	"github.com/syncboard/syncboard/models"
)

func requireStatusOK(t *testing.T, req string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: status = %d, want %d (body %s)", req, rec.Code, http.StatusOK, rec.Body.String())
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("%s: body %q is not JSON: %v", req, rec.Body.String(), err)
	}
	if want := map[string]any{"status": "ok"}; len(got) != 1 || got["status"] != "ok" {
		t.Errorf("%s: body = %v, want %v", req, got, want)
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	r := newRouter(t, Deps{})
	rec := serve(r, http.MethodGet, "/healthz", nil)
	requireStatusOK(t, "GET /healthz", rec)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET /healthz: Content-Type = %q, want application/json", ct)
	}

	// Liveness never touches the database: it answers even while draining
	// and with no store at all.
	draining := new(atomic.Bool)
	draining.Store(true)
	r = newRouter(t, Deps{Draining: draining})
	requireStatusOK(t, "GET /healthz while draining", serve(r, http.MethodGet, "/healthz", nil))
}

// closedPool returns a Store whose pool is closed: every Ping fails.
func closedPool(t *testing.T) *models.Store {
	t.Helper()
	_, dbURL := testdb.Open(t)
	db, err := database.Open(context.Background(), dbURL, database.Options{
		MaxOpenConns: 2, MaxIdleConns: 1, ConnMaxLifetime: time.Minute, Logger: quietLogger(),
	})
	if err != nil {
		t.Fatalf("database.Open(%s): %v", dbURL, err)
	}
	if err := database.Close(db); err != nil {
		t.Fatalf("database.Close: %v", err)
	}
	return models.NewStore(db)
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		store      func(t *testing.T) *models.Store
		draining   bool
		wantStatus int
	}{
		{
			name:       "database answers",
			store:      func(t *testing.T) *models.Store { db, _ := testdb.Open(t); return models.NewStore(db) },
			wantStatus: http.StatusOK,
		},
		{
			name:       "pool closed",
			store:      closedPool,
			wantStatus: http.StatusServiceUnavailable,
		},
		{
			name:       "database dropped",
			store:      droppedDatabase,
			wantStatus: http.StatusServiceUnavailable,
		},
		{
			name:       "draining with a healthy database",
			store:      func(t *testing.T) *models.Store { db, _ := testdb.Open(t); return models.NewStore(db) },
			draining:   true,
			wantStatus: http.StatusServiceUnavailable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			draining := new(atomic.Bool)
			draining.Store(tt.draining)
			r := newRouter(t, Deps{Store: tt.store(t), Draining: draining})

			start := time.Now()
			rec := serve(r, http.MethodGet, "/readyz", nil)
			req := fmt.Sprintf("GET /readyz (%s)", tt.name)
			if elapsed := time.Since(start); elapsed > ReadyTimeout+time.Second {
				t.Errorf("%s took %s, want at most about ReadyTimeout (%s)", req, elapsed, ReadyTimeout)
			}
			if rec.Code != tt.wantStatus {
				t.Fatalf("%s: status = %d, want %d (body %s)", req, rec.Code, tt.wantStatus, rec.Body.String())
			}
			if tt.wantStatus == http.StatusOK {
				requireStatusOK(t, req, rec)
				if ra := rec.Header().Get("Retry-After"); ra != "" {
					t.Errorf("%s: Retry-After = %q on a 200, want none", req, ra)
				}
				return
			}
			requireErrorBody(t, req, rec, models.CodeUnavailable)
			ra := rec.Header().Get("Retry-After")
			if n, err := strconv.Atoi(ra); err != nil || n <= 0 {
				t.Errorf("%s: Retry-After = %q, want a positive number of seconds", req, ra)
			}
		})
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, path string
		wantStatus   int
		wantCode     models.Code
		wantAllow    string
	}{
		{http.MethodGet, "/nope", http.StatusNotFound, models.CodeNotFound, ""},
		{http.MethodGet, "/api/does-not-exist", http.StatusNotFound, models.CodeNotFound, ""},
		{http.MethodPost, "/nope", http.StatusNotFound, models.CodeNotFound, ""},
		{http.MethodPost, "/", http.StatusMethodNotAllowed, models.CodeMethodNotAllowed, "GET"},
		{http.MethodGet, "/assets/", http.StatusNotFound, models.CodeNotFound, ""},
		{http.MethodGet, "/assets/../main.go", http.StatusNotFound, models.CodeNotFound, ""},
		{http.MethodPost, "/healthz", http.StatusMethodNotAllowed, models.CodeMethodNotAllowed, "GET"},
		{http.MethodDelete, "/healthz", http.StatusMethodNotAllowed, models.CodeMethodNotAllowed, "GET"},
		{http.MethodPut, "/readyz", http.StatusMethodNotAllowed, models.CodeMethodNotAllowed, "GET"},
	}
	r := newRouter(t, Deps{})
	for _, tt := range tests {
		req := tt.method + " " + tt.path
		rec := serve(r, tt.method, tt.path, nil)
		if rec.Code != tt.wantStatus {
			t.Errorf("%s: status = %d, want %d (body %s)", req, rec.Code, tt.wantStatus, rec.Body.String())
			continue
		}
		requireErrorBody(t, req, rec, tt.wantCode)
		if got := rec.Header().Get("Allow"); got != tt.wantAllow {
			t.Errorf("%s: Allow = %q, want %q", req, got, tt.wantAllow)
		}
		if rec.Header().Get(middleware.RequestIDHeader) == "" {
			t.Errorf("%s: no %s header on an error response", req, middleware.RequestIDHeader)
		}
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		sent     []string // X-Request-ID values sent; nil sends none
		wantEcho bool     // the sent ID comes back; otherwise a fresh UUID does
	}{
		{"absent", nil, false},
		{"empty", []string{""}, false},
		{"uuid", []string{"0b5e1f2c-3d4a-4b6c-8d9e-0f1a2b3c4d5e"}, true},
		{"letters digits and -_.", []string{"req_01.ABC-xyz"}, true},
		{"64 characters", []string{strings.Repeat("a", 64)}, true},
		{"65 characters", []string{strings.Repeat("a", 65)}, false},
		{"very long", []string{strings.Repeat("x", 5000)}, false},
		{"space", []string{"abc def"}, false},
		{"newline", []string{"abc\ndef"}, false},
		{"log injection", []string{"ok\n{\"msg\":\"forged\"}"}, false},
		{"carriage return", []string{"abc\r"}, false},
		{"tab", []string{"abc\tdef"}, false},
		{"quote and braces", []string{`"}{`}, false},
		{"non-ASCII", []string{"café"}, false},
		{"slash", []string{"a/b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs logBuffer
			r := newRouter(t, Deps{Log: logs.logger()})
			header := http.Header{}
			for _, v := range tt.sent {
				header[middleware.RequestIDHeader] = append(header[middleware.RequestIDHeader], v)
			}
			for _, path := range []string{"/healthz", "/nope"} {
				logs.buf.Reset()
				rec := serve(r, http.MethodGet, path, header)
				got := rec.Header().Values(middleware.RequestIDHeader)
				if len(got) != 1 {
					t.Fatalf("GET %s with %s %q: response has %s %q, want exactly one", path, middleware.RequestIDHeader, tt.sent, middleware.RequestIDHeader, got)
				}
				id := got[0]
				if tt.wantEcho {
					if id != tt.sent[0] {
						t.Errorf("GET %s with %s %q: got %q, want it echoed", path, middleware.RequestIDHeader, tt.sent, id)
					}
				} else {
					if u, err := uuid.Parse(id); err != nil || u.Version() != 4 || len(id) != 36 {
						t.Errorf("GET %s with %s %q: got %q, want a fresh UUIDv4", path, middleware.RequestIDHeader, tt.sent, id)
					}
				}
				access := logs.accessLines(t)
				if len(access) != 1 || access[0]["request_id"] != id {
					t.Errorf("GET %s with %s %q: access log %v, want one line with request_id %q", path, middleware.RequestIDHeader, tt.sent, access, id)
				}
				for _, v := range tt.sent {
					if !tt.wantEcho && v != "" && strings.Contains(logs.buf.String(), v) {
						t.Errorf("GET %s with malformed %s %q: the log carries it:\n%s", path, middleware.RequestIDHeader, v, logs.buf.String())
					}
				}
			}
		})
	}

	t.Run("generated IDs differ", func(t *testing.T) {
		t.Parallel()
		r := newRouter(t, Deps{})
		seen := map[string]bool{}
		for range 20 {
			id := serve(r, http.MethodGet, "/healthz", nil).Header().Get(middleware.RequestIDHeader)
			if seen[id] {
				t.Fatalf("GET /healthz without %s: ID %q generated twice", middleware.RequestIDHeader, id)
			}
			seen[id] = true
		}
	})
}

func TestPanicRecovery(t *testing.T) {
	t.Parallel()
	const secret = "secret-detail"
	tests := []struct {
		name  string
		value any
	}{
		{"string", secret},
		{"error", errors.New("pq: password=" + secret)},
		{"struct", struct{ Token string }{secret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs logBuffer
			r := newEngine(t, Deps{Log: logs.logger()})
			r.GET("/boom", func(*gin.Context) { panic(tt.value) })

			const id = "panic-test-1"
			req := fmt.Sprintf("GET /boom (panic(%#v))", tt.value)
			rec := serve(r, http.MethodGet, "/boom", http.Header{middleware.RequestIDHeader: {id}})
			if rec.Code != http.StatusInternalServerError {
				t.Fatalf("%s: status = %d, want 500 (body %s)", req, rec.Code, rec.Body.String())
			}
			msg, _ := requireErrorBody(t, req, rec, models.CodeInternal)
			if strings.Contains(msg, secret) {
				t.Errorf("%s: message %q reveals the panic value", req, msg)
			}
			for _, leak := range []string{secret, "goroutine", ".go:"} {
				if strings.Contains(rec.Body.String(), leak) {
					t.Errorf("%s: body %s contains %q", req, rec.Body.String(), leak)
				}
			}
			if got := rec.Header().Get(middleware.RequestIDHeader); got != id {
				t.Errorf("%s: %s = %q, want %q", req, middleware.RequestIDHeader, got, id)
			}

			raw := logs.buf.String()
			if !strings.Contains(raw, "panic") || !strings.Contains(raw, id) {
				t.Errorf("%s: log does not mention the panic and request ID %q:\n%s", req, id, raw)
			}
			var panics []map[string]any
			for _, rec := range logs.lines(t) {
				if rec["msg"] == "panic" {
					panics = append(panics, rec)
				}
			}
			if len(panics) != 1 {
				t.Fatalf("%s: %d panic log lines, want 1:\n%s", req, len(panics), raw)
			}
			p := panics[0]
			if p["level"] != "ERROR" || p["request_id"] != id || p["route"] != "/boom" || p["method"] != "GET" {
				t.Errorf("%s: panic log = %v, want level ERROR, request_id %q, route /boom, method GET", req, p, id)
			}
			if v := fmt.Sprint(p["panic"]); !strings.Contains(v, secret) {
				t.Errorf("%s: panic log value = %q, want the panic value", req, v)
			}
			if stack, _ := p["stack"].(string); !strings.Contains(stack, "goroutine") || !strings.Contains(stack, "health_test.go") {
				t.Errorf("%s: panic log stack = %q, want a stack trace through the handler", req, stack)
			}
			access := logs.accessLines(t)
			if len(access) != 1 || access[0]["status"] != float64(500) || access[0]["level"] != "ERROR" {
				t.Errorf("%s: access log = %v, want one ERROR line with status 500", req, access)
			}

			// The server keeps serving.
			requireStatusOK(t, "GET /healthz after a panic", serve(r, http.MethodGet, "/healthz", nil))
			rec = serve(r, http.MethodGet, "/boom", nil)
			if rec.Code != http.StatusInternalServerError {
				t.Errorf("second %s: status = %d, want 500", req, rec.Code)
			}
		})
	}

	t.Run("http.ErrAbortHandler is re-raised", func(t *testing.T) {
		t.Parallel()
		r := newEngine(t, Deps{})
		r.GET("/abort", func(*gin.Context) { panic(http.ErrAbortHandler) })
		var got any
		func() {
			defer func() { got = recover() }()
			serve(r, http.MethodGet, "/abort", nil)
		}()
		if got != http.ErrAbortHandler {
			t.Errorf("GET /abort (panic(http.ErrAbortHandler)): recovered %v outside the router, want http.ErrAbortHandler", got)
		}
	})
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, target string
		draining       bool
		wantRoute      string
		wantStatus     int
		wantLevel      string
	}{
		{http.MethodGet, "/healthz", false, "/healthz", 200, "INFO"},
		{http.MethodGet, "/healthz?access_token=hunter2-secret", false, "/healthz", 200, "INFO"},
		{http.MethodGet, "/readyz", true, "/readyz", 503, "ERROR"},
		{http.MethodGet, "/no/such/thing", false, "(no route)", 404, "INFO"},
		{http.MethodPost, "/healthz", false, "(no route)", 405, "INFO"},
	}
	for _, tt := range tests {
		req := tt.method + " " + tt.target
		t.Run(req, func(t *testing.T) {
			t.Parallel()
			var logs logBuffer
			draining := new(atomic.Bool)
			draining.Store(tt.draining)
			r := newRouter(t, Deps{Log: logs.logger(), Draining: draining})
			rec := serve(r, tt.method, tt.target, http.Header{"Authorization": {"Bearer hunter2-token"}})
			if rec.Code != tt.wantStatus {
				t.Fatalf("%s: status = %d, want %d", req, rec.Code, tt.wantStatus)
			}
			all := logs.lines(t)
			if len(all) != 1 {
				t.Fatalf("%s: %d log lines, want exactly 1:\n%s", req, len(all), logs.buf.String())
			}
			got := all[0]
			want := map[string]any{
				"msg":        "request",
				"level":      tt.wantLevel,
				"method":     tt.method,
				"route":      tt.wantRoute,
				"status":     float64(tt.wantStatus),
				"request_id": rec.Header().Get(middleware.RequestIDHeader),
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: access log %s = %#v, want %#v (line %v)", req, k, got[k], v, got)
				}
			}
			if d, ok := got["duration"].(float64); !ok || d < 0 {
				t.Errorf("%s: access log duration = %#v, want a non-negative number", req, got["duration"])
			}
			if strings.Contains(logs.buf.String(), "hunter2") {
				t.Errorf("%s: the log carries the query string or a header:\n%s", req, logs.buf.String())
			}
		})
	}

	t.Run("one line per request", func(t *testing.T) {
		t.Parallel()
		var logs logBuffer
		r := newRouter(t, Deps{Log: logs.logger()})
		const n = 5
		for range n {
			serve(r, http.MethodGet, "/healthz", nil)
		}
		if got := len(logs.accessLines(t)); got != n {
			t.Errorf("%d requests: %d access log lines, want %d:\n%s", n, got, n, logs.buf.String())
		}
	})
}

// TestWriteError drives writeError through the real router's middleware for
// every code of the contract.
func TestWriteError(t *testing.T) {
	t.Parallel()
	fields := map[string]string{"email": "must be a valid email address"}
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   models.Code
		wantFields map[string]string
	}{
		{"bad_request", models.Errorf(models.CodeBadRequest, "body is not JSON"), 400, models.CodeBadRequest, nil},
		{"unauthorized", models.Errorf(models.CodeUnauthorized, "token expired"), 401, models.CodeUnauthorized, nil},
		{"invalid_credentials", models.Errorf(models.CodeInvalidCredentials, "wrong email or password"), 401, models.CodeInvalidCredentials, nil},
		{"forbidden", models.Errorf(models.CodeForbidden, "owner only"), 403, models.CodeForbidden, nil},
		{"not_found", models.Errorf(models.CodeNotFound, "room not found"), 404, models.CodeNotFound, nil},
		{"method_not_allowed", models.Errorf(models.CodeMethodNotAllowed, "no"), 405, models.CodeMethodNotAllowed, nil},
		{"email_taken", models.Errorf(models.CodeEmailTaken, "taken"), 409, models.CodeEmailTaken, nil},
		{"already_member", models.Errorf(models.CodeAlreadyMember, "already"), 409, models.CodeAlreadyMember, nil},
		{"owner_cannot_leave", models.Errorf(models.CodeOwnerCannotLeave, "owner"), 409, models.CodeOwnerCannotLeave, nil},
		{"resync_required", models.Errorf(models.CodeResyncRequired, "too old"), 410, models.CodeResyncRequired, nil},
		{"payload_too_large", models.Errorf(models.CodePayloadTooLarge, "over 1 MiB"), 413, models.CodePayloadTooLarge, nil},
		{"unsupported_media_type", models.Errorf(models.CodeUnsupportedMediaType, "not JSON"), 415, models.CodeUnsupportedMediaType, nil},
		{"validation_failed", &models.Error{Code: models.CodeValidationFailed, Message: "invalid", Fields: fields}, 422, models.CodeValidationFailed, fields},
		{"rate_limited", models.Errorf(models.CodeRateLimited, "slow down"), 429, models.CodeRateLimited, nil},
		{"internal", models.Errorf(models.CodeInternal, "internal server error"), 500, models.CodeInternal, nil},
		{"unavailable", models.Errorf(models.CodeUnavailable, "down"), 503, models.CodeUnavailable, nil},
		{"wrapped code", fmt.Errorf("get room: %w", models.Errorf(models.CodeNotFound, "room not found")), 404, models.CodeNotFound, nil},
		{"fields dropped outside validation_failed", &models.Error{Code: models.CodeBadRequest, Message: "bad", Fields: fields}, 400, models.CodeBadRequest, nil},
		{"unclassified error", errors.New("pq: connection to 10.1.2.3 failed: password=hunter2"), 500, models.CodeInternal, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs logBuffer
			log := logs.logger()
			r := newEngine(t, Deps{Log: log})
			r.GET("/err", func(c *gin.Context) { writeError(c, log, tt.err) })
			const id = "write-error-1"
			rec := serve(r, http.MethodGet, "/err", http.Header{middleware.RequestIDHeader: {id}})
			req := fmt.Sprintf("writeError(%v)", tt.err)
			if rec.Code != tt.wantStatus {
				t.Fatalf("%s: status = %d, want %d (body %s)", req, rec.Code, tt.wantStatus, rec.Body.String())
			}
			_, gotFields := requireErrorBody(t, req, rec, tt.wantCode)
			if tt.wantFields != nil {
				if fmt.Sprint(gotFields) != fmt.Sprint(tt.wantFields) {
					t.Errorf("%s: fields = %v, want %v", req, gotFields, tt.wantFields)
				}
			}
			wantAuth := ""
			if tt.wantStatus == http.StatusUnauthorized {
				wantAuth = "Bearer"
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != wantAuth {
				t.Errorf("%s: WWW-Authenticate = %q, want %q", req, got, wantAuth)
			}
			// The contract also wants Retry-After on 429, which the rate
			// limiter may set itself, so 429 is not checked here.
			switch got := rec.Header().Get("Retry-After"); {
			case tt.wantStatus == http.StatusServiceUnavailable && got == "":
				t.Errorf("%s: no Retry-After on a 503", req)
			case tt.wantStatus != http.StatusServiceUnavailable && tt.wantStatus != http.StatusTooManyRequests && got != "":
				t.Errorf("%s: Retry-After = %q with status %d, want none", req, got, tt.wantStatus)
			}
			if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(rec.Body.String(), "10.1.2.3") {
				t.Errorf("%s: body %s reveals the internal error", req, rec.Body.String())
			}
			if tt.name == "unclassified error" {
				raw := logs.buf.String()
				if !strings.Contains(raw, `"msg":"internal error"`) || !strings.Contains(raw, id) || !strings.Contains(raw, "password=hunter2") {
					t.Errorf("%s: want the internal error logged with request ID %q:\n%s", req, id, raw)
				}
			}
		})
	}
}
