package handlers

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/internal/apitest"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

// Helpers shared by the handler tests: the router, the test environments,
// requests, and checks on the contract's JSON shapes and error bodies.

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// logBuffer is a slog JSON logger whose output a test can read back.
type logBuffer struct{ buf bytes.Buffer }

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(&b.buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// lines returns every log record written so far, decoded.
func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimRight(b.buf.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, line)
		}
		out = append(out, rec)
	}
	return out
}

// accessLines returns the access-log records ("msg": "request").
func (b *logBuffer) accessLines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, rec := range b.lines(t) {
		if rec["msg"] == "request" {
			out = append(out, rec)
		}
	}
	return out
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newRouter builds the real router, wrapped so that every exchange is
// checked against the OpenAPI document (internal/apitest); a nil Log is
// replaced by a silent one.
func newRouter(t *testing.T, d Deps) http.Handler {
	t.Helper()
	return apitest.Handler(t, newEngine(t, d))
}

// newEngine is newRouter without the document check, for the few tests that
// add routes of their own (panics, error writing) which the document rightly
// does not list.
func newEngine(t *testing.T, d Deps) *gin.Engine {
	t.Helper()
	if d.Log == nil {
		d.Log = quietLogger()
	}
	r, err := NewRouter(d)
	if err != nil {
		t.Fatalf("NewRouter: %v", err)
	}
	return r
}

func serve(r http.Handler, method, target string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	return rec
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// requireErrorBody checks that rec holds the contract's error body and
// nothing else ({"error": {"code", "message"}}, plus "fields" only for
// validation_failed) with wantCode, and returns the message and fields.
func requireErrorBody(t *testing.T, req string, rec *httptest.ResponseRecorder, wantCode models.Code) (string, map[string]string) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type = %q, want application/json", req, ct)
	}
	var outer map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &outer); err != nil {
		t.Fatalf("%s: body %q is not a JSON object: %v", req, rec.Body.String(), err)
	}
	if got, want := sortedKeys(outer), []string{"error"}; !slices.Equal(got, want) {
		t.Errorf("%s: body %s has keys %v, want %v", req, rec.Body.String(), got, want)
	}
	var inner map[string]json.RawMessage
	if err := json.Unmarshal(outer["error"], &inner); err != nil {
		t.Fatalf("%s: body %s: \"error\" is not an object: %v", req, rec.Body.String(), err)
	}
	wantKeys := []string{"code", "message"}
	if wantCode == models.CodeValidationFailed {
		wantKeys = []string{"code", "fields", "message"}
	}
	if got := sortedKeys(inner); !slices.Equal(got, wantKeys) {
		t.Errorf("%s: body %s: error has keys %v, want %v", req, rec.Body.String(), got, wantKeys)
	}
	var detail struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	}
	if err := json.Unmarshal(outer["error"], &detail); err != nil {
		t.Fatalf("%s: body %s: error has wrong types: %v", req, rec.Body.String(), err)
	}
	if detail.Code != string(wantCode) {
		t.Errorf("%s: error code = %q, want %q (body %s)", req, detail.Code, wantCode, rec.Body.String())
	}
	if strings.TrimSpace(detail.Message) == "" {
		t.Errorf("%s: error message is empty (body %s)", req, rec.Body.String())
	}
	return detail.Message, detail.Fields
}

// droppedDatabase returns a Store whose open pool's database has been
// dropped under it (its connections terminated): a real outage, not a
// closed handle.
func droppedDatabase(t *testing.T) *models.Store {
	t.Helper()
	db, dbURL := testdb.Open(t)
	store := models.NewStore(db)
	if err := store.Ping(context.Background()); err != nil {
		t.Fatalf("ping before the drop: %v", err)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, testdb.ServerURL())
	if err != nil {
		t.Fatalf("connect to %s: %v", testdb.ServerURL(), err)
	}
	defer conn.Close(ctx)
	name := strings.TrimPrefix(u.Path, "/")
	if _, err := conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Fatalf("drop database %s: %v", name, err)
	}
	return store
}

// testJWTSecret signs the tokens of these tests.
const testJWTSecret = "handlers-auth-test-secret-0123456789abcdef"

// tokenTTL is the access-token lifetime the tests configure (the default).
const tokenTTL = 15 * time.Minute

// authEnv is one test's private database and a router over it.
type authEnv struct {
	db     *gorm.DB
	store  *models.Store
	tokens *auth.Tokens
	hasher *auth.Hasher
	router http.Handler
}

// newAuthEnv opens a fresh migrated database and builds the real router on
// it with d's settings. Unless d sets one, the auth rate limit is so high
// that it never interferes: only the rate-limit tests want it.
func newAuthEnv(t *testing.T, d Deps) *authEnv {
	t.Helper()
	db, _ := testdb.Open(t)
	return newAuthEnvOn(t, db, d)
}

func newAuthEnvOn(t *testing.T, db *gorm.DB, d Deps) *authEnv {
	t.Helper()
	env := &authEnv{db: db, store: models.NewStore(db), tokens: auth.NewTokens(testJWTSecret, tokenTTL)}
	if d.Hasher == nil {
		h, err := auth.NewHasher(4, 0)
		if err != nil {
			t.Fatalf("auth.NewHasher(4, 0): %v", err)
		}
		d.Hasher = h
	}
	env.hasher = d.Hasher
	if d.AuthRateLimit == 0 {
		d.AuthRateLimit, d.AuthRateWindow = 1_000_000, time.Minute
	}
	d.Store, d.Tokens = env.store, env.tokens
	env.router = newRouter(t, d)
	return env
}

// storedUser reads the users row of email straight from the database.
func (e *authEnv) storedUser(t *testing.T, email string) models.User {
	t.Helper()
	var u models.User
	if err := e.db.WithContext(context.Background()).Where("email = ?", email).Take(&u).Error; err != nil {
		t.Fatalf("read user %q from the database: %v", email, err)
	}
	return u
}

// call is one request through the router.
type call struct {
	method, path, body string
	token              string      // sent as "Bearer <token>" when not empty
	header             http.Header // more headers; an Authorization here wins over token
	remote             string      // RemoteAddr; "" keeps httptest's 192.0.2.1:1234
}

// String describes the request for failure messages (long values cut).
func (c call) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", c.method, c.path)
	if c.body != "" {
		fmt.Fprintf(&b, " body %s", clip(fmt.Sprintf("%q", c.body)))
	}
	if c.token != "" {
		fmt.Fprintf(&b, " with token %s", clip(c.token))
	}
	for _, k := range sortedKeys(c.header) {
		fmt.Fprintf(&b, " %s: %s", k, clip(fmt.Sprintf("%q", c.header[k])))
	}
	if c.remote != "" {
		fmt.Fprintf(&b, " from %s", c.remote)
	}
	return b.String()
}

func clip(s string) string {
	if len(s) > 160 {
		return fmt.Sprintf("%s...(%d bytes)", s[:160], len(s))
	}
	return s
}

func (c call) request() *http.Request {
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req := httptest.NewRequest(c.method, c.path, body)
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, vs := range c.header {
		req.Header.Del(k)
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if c.remote != "" {
		req.RemoteAddr = c.remote
	}
	return req
}

func (c call) do(r http.Handler) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, c.request())
	return rec
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func credentials(email, password string) string {
	return mustJSON(map[string]string{"email": email, "password": password})
}

func registerCall(email, password string) call {
	return call{method: http.MethodPost, path: "/api/auth/register", body: credentials(email, password)}
}

func loginCall(email, password string) call {
	return call{method: http.MethodPost, path: "/api/auth/login", body: credentials(email, password)}
}

func meCall(token string) call {
	return call{method: http.MethodGet, path: "/api/auth/me", token: token}
}

func logoutAllCall(token string) call {
	return call{method: http.MethodPost, path: "/api/auth/logout-all", token: token}
}

func patchMeCall(token string, body any) call {
	s, ok := body.(string)
	if !ok {
		s = mustJSON(body)
	}
	return call{method: http.MethodPatch, path: "/api/auth/me", token: token, body: s}
}

// uniqueEmail returns a fresh lowercase address.
func uniqueEmail(prefix string) string {
	return fmt.Sprintf("%s-%s@example.com", prefix, strings.ReplaceAll(uuid.NewString(), "-", "")[:12])
}

// userBody is a decoded User.
type userBody struct {
	ID          uuid.UUID
	Email       string
	DisplayName string
	CreatedAt   time.Time
}

// authBody is a decoded AuthResponse.
type authBody struct {
	AccessToken      string
	TokenType        string
	ExpiresAt        time.Time
	RefreshToken     string
	RefreshExpiresAt time.Time
	SessionID        uuid.UUID
	User             userBody
	// RefreshCookie is the syncboard_refresh cookie the response set.
	RefreshCookie *http.Cookie
}

// requireKeys decodes raw as a JSON object whose keys are exactly want.
func requireKeys(t *testing.T, req, what string, raw []byte, want ...string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %s %q is not a JSON object: %v", req, what, raw, err)
	}
	slices.Sort(want)
	if got := sortedKeys(m); !slices.Equal(got, want) {
		t.Errorf("%s: %s %s has keys %v, want %v", req, what, raw, got, want)
	}
	return m
}

// requireUTCTime checks a JSON string holding an RFC 3339 time in UTC.
func requireUTCTime(t *testing.T, req, what string, raw json.RawMessage) time.Time {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s: %s = %s, want an RFC 3339 string", req, what, raw)
	}
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%s: %s = %q is not RFC 3339: %v", req, what, s, err)
	}
	if !strings.HasSuffix(s, "Z") {
		t.Errorf("%s: %s = %q, want UTC (a Z suffix)", req, what, s)
	}
	return tm
}

func requireString(t *testing.T, req, what string, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s: %s = %s, want a string", req, what, raw)
	}
	return s
}

// requireUser checks the contract's User shape exactly.
func requireUser(t *testing.T, req string, raw []byte) userBody {
	t.Helper()
	m := requireKeys(t, req, "User", raw, "id", "email", "display_name", "created_at")
	var u userBody
	id := requireString(t, req, "user.id", m["id"])
	var err error
	if u.ID, err = uuid.Parse(id); err != nil || len(id) != 36 {
		t.Errorf("%s: user.id = %q, want a UUID", req, id)
	}
	u.Email = requireString(t, req, "user.email", m["email"])
	u.DisplayName = requireString(t, req, "user.display_name", m["display_name"])
	u.CreatedAt = requireUTCTime(t, req, "user.created_at", m["created_at"])
	return u
}

// requireAuthResponse checks status and the exact AuthResponse shape.
func requireAuthResponse(t *testing.T, req string, rec *httptest.ResponseRecorder, wantStatus int) authBody {
	t.Helper()
	if rec.Code != wantStatus {
		t.Fatalf("%s: status = %d, want %d (body %s)", req, rec.Code, wantStatus, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type = %q, want application/json", req, ct)
	}
	m := requireKeys(t, req, "AuthResponse", rec.Body.Bytes(), "access_token", "token_type", "expires_at",
		"refresh_token", "refresh_expires_at", "session_id", "user")
	var a authBody
	a.AccessToken = requireString(t, req, "access_token", m["access_token"])
	if strings.Count(a.AccessToken, ".") != 2 {
		t.Errorf("%s: access_token = %q, want a JWT", req, a.AccessToken)
	}
	a.TokenType = requireString(t, req, "token_type", m["token_type"])
	if a.TokenType != "bearer" {
		t.Errorf("%s: token_type = %q, want %q", req, a.TokenType, "bearer")
	}
	a.ExpiresAt = requireUTCTime(t, req, "expires_at", m["expires_at"])
	a.RefreshToken = requireString(t, req, "refresh_token", m["refresh_token"])
	if raw, err := base64.RawURLEncoding.DecodeString(a.RefreshToken); err != nil || len(raw) < 32 {
		t.Errorf("%s: refresh_token = %q, want at least 256 random bits, base64url", req, a.RefreshToken)
	}
	a.RefreshExpiresAt = requireUTCTime(t, req, "refresh_expires_at", m["refresh_expires_at"])
	a.SessionID = requireUUID(t, req, "session_id", m["session_id"])
	a.User = requireUser(t, req, m["user"])
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == "syncboard_refresh" {
			a.RefreshCookie = ck
		}
	}
	switch ck := a.RefreshCookie; {
	case ck == nil:
		t.Errorf("%s: no syncboard_refresh cookie", req)
	case ck.Value != a.RefreshToken || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/api/auth" || ck.MaxAge <= 0:
		t.Errorf("%s: refresh cookie %s; want the refresh token, HttpOnly, SameSite=Strict, Path=/api/auth, a Max-Age", req, ck)
	}
	return a
}

// requireUnauthorized checks a 401 with the given code, the error body and
// WWW-Authenticate: Bearer.
func requireUnauthorized(t *testing.T, req string, rec *httptest.ResponseRecorder, code models.Code) {
	t.Helper()
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("%s: status = %d, want 401 %s (body %s)", req, rec.Code, code, rec.Body.String())
		return
	}
	requireErrorBody(t, req, rec, code)
	if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(strings.ToLower(got), "bearer") {
		t.Errorf("%s: WWW-Authenticate = %q, want Bearer", req, got)
	}
}

// requireValidation checks a 422 whose fields name exactly wantFields.
func requireValidation(t *testing.T, req string, rec *httptest.ResponseRecorder, wantFields ...string) {
	t.Helper()
	if rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("%s: status = %d, want 422 with fields %v (body %s)", req, rec.Code, wantFields, rec.Body.String())
		return
	}
	_, fields := requireErrorBody(t, req, rec, models.CodeValidationFailed)
	slices.Sort(wantFields)
	if got := sortedKeys(fields); !slices.Equal(got, wantFields) {
		t.Errorf("%s: fields = %v, want exactly %v", req, fields, wantFields)
	}
	for k, msg := range fields {
		if strings.TrimSpace(msg) == "" {
			t.Errorf("%s: fields.%s has an empty message", req, k)
		}
	}
}

// requireError checks status and code of an error response.
func requireError(t *testing.T, req string, rec *httptest.ResponseRecorder, wantStatus int, code models.Code) {
	t.Helper()
	if rec.Code != wantStatus {
		t.Errorf("%s: status = %d, want %d %s (body %s)", req, rec.Code, wantStatus, code, rec.Body.String())
		return
	}
	requireErrorBody(t, req, rec, code)
}

// registerVia registers email/password and returns the AuthResponse.
func registerVia(t *testing.T, r http.Handler, email, password string) authBody {
	t.Helper()
	c := registerCall(email, password)
	return requireAuthResponse(t, c.String(), c.do(r), http.StatusCreated)
}

// loginVia logs in and returns the AuthResponse.
func loginVia(t *testing.T, r http.Handler, email, password string) authBody {
	t.Helper()
	c := loginCall(email, password)
	return requireAuthResponse(t, c.String(), c.do(r), http.StatusOK)
}

// requireMe checks that token is accepted by GET /api/auth/me and returns
// the User.
func requireMe(t *testing.T, r http.Handler, token string) userBody {
	t.Helper()
	c := meCall(token)
	rec := c.do(r)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: status = %d, want 200 (body %s)", c, rec.Code, rec.Body.String())
	}
	return requireUser(t, c.String(), rec.Body.Bytes())
}

// requireRefused checks that token is refused by GET /api/auth/me.
func requireRefused(t *testing.T, r http.Handler, token, why string) {
	t.Helper()
	c := meCall(token)
	requireUnauthorized(t, c.String()+" ("+why+")", c.do(r), models.CodeUnauthorized)
}

// jwtParts decodes a token's header and claims without verifying it.
func jwtParts(t *testing.T, token string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q has %d parts, want 3", token, len(parts))
	}
	decode := func(seg string) map[string]any {
		raw, err := base64.RawURLEncoding.DecodeString(seg)
		if err != nil {
			t.Fatalf("token %q: segment %q is not base64url: %v", token, seg, err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("token %q: segment %s is not a JSON object: %v", token, raw, err)
		}
		return m
	}
	return decode(parts[0]), decode(parts[1])
}

// flipAt replaces the character at i with another base64url character.
func flipAt(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

// The boards API (rooms, members, columns, cards). Every request of its
// tests goes through boardEnv.send, which fails the test on any 5xx.

// boardEnv is one test's database and router (see newAuthEnv) with helpers
// for the boards API.
type boardEnv struct{ *authEnv }

func newBoardEnv(t *testing.T) *boardEnv {
	t.Helper()
	return &boardEnv{newAuthEnv(t, Deps{})}
}

// boardUser is an account with a valid token.
type boardUser struct {
	ID          uuid.UUID
	Email       string
	DisplayName string
	Token       string
}

// user creates an account straight through the Store (these tests never
// log in, so no bcrypt) and a session with an access token.
func (e *boardEnv) user(t *testing.T, name string) boardUser {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	email := uniqueEmail(name)
	u, err := e.store.CreateUser(context.Background(), models.NewUser{
		Email: email, PasswordHash: []byte("not-a-bcrypt-hash"), DisplayName: name, Now: now,
	})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	token, _ := sessionToken(t, e.store, e.tokens, u)
	return boardUser{ID: u.ID, Email: email, DisplayName: name, Token: token}
}

// sessionToken starts a session for u straight through the Store (no
// bcrypt: these tests are not about signing in) and returns an access
// token of it and its ID.
func sessionToken(t testing.TB, store *models.Store, tokens *auth.Tokens, u models.User) (string, uuid.UUID) {
	t.Helper()
	at := time.Now().UTC().Truncate(time.Microsecond)
	started, err := store.SignIn(context.Background(), u.ID, []byte(u.PasswordHash), nil,
		models.SessionStart{UserAgent: "test", IP: "127.0.0.1", Now: at, TTL: time.Hour})
	if err != nil {
		t.Fatalf("start a session for %s: %v", u.Email, err)
	}
	token, _, err := tokens.Issue(u.ID, started.Session.ID, at)
	if err != nil {
		t.Fatalf("issue a token for %s: %v", u.Email, err)
	}
	return token, started.Session.ID
}

// jsonObj is a request body.
type jsonObj = map[string]any

// apiCall builds a request as u (no token for a zero boardUser). body is
// sent as is when it is a string, else marshalled; nil sends no body.
func apiCall(method, path string, u boardUser, body any) call {
	c := call{method: method, path: path, token: u.Token}
	switch b := body.(type) {
	case nil:
	case string:
		c.body = b
	default:
		c.body = mustJSON(b)
	}
	return c
}

// send runs c through the router. No request of these tests, valid or not,
// may ever answer 5xx.
func (e *boardEnv) send(t *testing.T, c call) *httptest.ResponseRecorder {
	t.Helper()
	rec := c.do(e.router)
	if rec.Code >= 500 {
		t.Errorf("%s: status = %d, want anything but 5xx (body %s)", c, rec.Code, rec.Body.String())
	}
	return rec
}

// requireStatus checks a success status, stopping the test otherwise: what
// follows decodes the body.
func requireStatus(t *testing.T, c call, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("%s: status = %d, want %d (body %s)", c, rec.Code, want, rec.Body.String())
	}
	if want == http.StatusNoContent {
		if rec.Body.Len() != 0 {
			t.Errorf("%s: 204 with body %q, want none", c, rec.Body.String())
		}
	} else if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type = %q, want application/json", c, ct)
	}
}

// outcome is what a request must answer: a status and, for errors, the code
// and (for validation_failed) exactly the fields named.
type outcome struct {
	status int
	code   models.Code
	fields []string
}

func ok(status int) outcome { return outcome{status: status} }

func refused(status int, code models.Code) outcome { return outcome{status: status, code: code} }

func invalid(fields ...string) outcome {
	return outcome{status: http.StatusUnprocessableEntity, code: models.CodeValidationFailed, fields: fields}
}

var (
	notFound404  = refused(http.StatusNotFound, models.CodeNotFound)
	forbidden403 = refused(http.StatusForbidden, models.CodeForbidden)
	badRequest   = refused(http.StatusBadRequest, models.CodeBadRequest)
)

func (o outcome) success() bool { return o.status >= 200 && o.status < 300 }

func (o outcome) String() string {
	switch {
	case o.success():
		return fmt.Sprint(o.status)
	case len(o.fields) > 0:
		return fmt.Sprintf("%d %s %v", o.status, o.code, o.fields)
	default:
		return fmt.Sprintf("%d %s", o.status, o.code)
	}
}

// check asserts rec against o, with the exact error body for errors.
func (o outcome) check(t *testing.T, c call, rec *httptest.ResponseRecorder) {
	t.Helper()
	switch {
	case o.success():
		requireStatus(t, c, rec, o.status)
	case o.code == models.CodeValidationFailed:
		requireValidation(t, c.String(), rec, slices.Clone(o.fields)...)
	case o.code == models.CodeUnauthorized:
		requireUnauthorized(t, c.String(), rec, o.code)
	default:
		requireError(t, c.String(), rec, o.status, o.code)
	}
}

// expect sends c and checks the outcome.
func (e *boardEnv) expect(t *testing.T, c call, o outcome) *httptest.ResponseRecorder {
	t.Helper()
	rec := e.send(t, c)
	o.check(t, c, rec)
	return rec
}

// JSON shape checks. Each decodes exactly the contract's keys.

func requireUUID(t *testing.T, req, what string, raw json.RawMessage) uuid.UUID {
	t.Helper()
	s := requireString(t, req, what, raw)
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		t.Errorf("%s: %s = %q, want a UUID", req, what, s)
	}
	return id
}

func requireInt(t *testing.T, req, what string, raw json.RawMessage) int64 {
	t.Helper()
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		t.Fatalf("%s: %s = %s, want an integer", req, what, raw)
	}
	return n
}

// requireArray decodes a JSON array; null is refused (empty lists are []).
func requireArray(t *testing.T, req, what string, raw json.RawMessage) []json.RawMessage {
	t.Helper()
	var a []json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil || a == nil {
		t.Fatalf("%s: %s = %s, want a JSON array (never null)", req, what, raw)
	}
	return a
}

// roomBody is a decoded Room.
type roomBody struct {
	ID        uuid.UUID
	Name      string
	CreatedBy uuid.UUID
	CreatedAt time.Time
	Version   int64
	Role      string
}

func roomKeys(extra ...string) []string {
	return append([]string{"id", "name", "created_by", "created_at", "version", "role"}, extra...)
}

func roomFrom(t *testing.T, req string, m map[string]json.RawMessage) roomBody {
	t.Helper()
	r := roomBody{
		ID:        requireUUID(t, req, "room.id", m["id"]),
		Name:      requireString(t, req, "room.name", m["name"]),
		CreatedBy: requireUUID(t, req, "room.created_by", m["created_by"]),
		CreatedAt: requireUTCTime(t, req, "room.created_at", m["created_at"]),
		Version:   requireInt(t, req, "room.version", m["version"]),
		Role:      requireString(t, req, "room.role", m["role"]),
	}
	if !models.ValidRole(r.Role) {
		t.Errorf("%s: room.role = %q, want owner, member or viewer", req, r.Role)
	}
	if r.Version < 1 {
		t.Errorf("%s: room.version = %d, want at least 1", req, r.Version)
	}
	return r
}

func requireRoom(t *testing.T, req string, raw []byte) roomBody {
	t.Helper()
	return roomFrom(t, req, requireKeys(t, req, "Room", raw, roomKeys()...))
}

// memberBody is a decoded Member.
type memberBody struct {
	User     userBody
	Role     string
	JoinedAt time.Time
}

func requireMember(t *testing.T, req string, raw []byte) memberBody {
	t.Helper()
	m := requireKeys(t, req, "Member", raw, "user", "role", "joined_at")
	mb := memberBody{
		User:     requireUser(t, req, m["user"]),
		Role:     requireString(t, req, "member.role", m["role"]),
		JoinedAt: requireUTCTime(t, req, "member.joined_at", m["joined_at"]),
	}
	if !models.ValidRole(mb.Role) {
		t.Errorf("%s: member.role = %q, want owner, member or viewer", req, mb.Role)
	}
	return mb
}

// columnBody is a decoded Column (with its cards inside a Board).
type columnBody struct {
	ID         uuid.UUID
	RoomID     uuid.UUID
	Name       string
	Position   int
	ArchivedAt *time.Time
	Cards      []cardBody
}

func columnFrom(t *testing.T, req string, m map[string]json.RawMessage) columnBody {
	t.Helper()
	var archivedAt *time.Time
	if string(m["archived_at"]) != "null" {
		at := requireUTCTime(t, req, "column.archived_at", m["archived_at"])
		archivedAt = &at
	}
	return columnBody{
		ID:         requireUUID(t, req, "column.id", m["id"]),
		RoomID:     requireUUID(t, req, "column.room_id", m["room_id"]),
		Name:       requireString(t, req, "column.name", m["name"]),
		Position:   int(requireInt(t, req, "column.position", m["position"])),
		ArchivedAt: archivedAt,
	}
}

func requireColumn(t *testing.T, req string, raw []byte) columnBody {
	t.Helper()
	return columnFrom(t, req, requireKeys(t, req, "Column", raw, "id", "room_id", "name", "position", "archived_at"))
}

// cardBody is a decoded Card.
type cardBody struct {
	ID           uuid.UUID
	ColumnID     uuid.UUID
	Title        string
	Description  string
	Position     int
	CreatedBy    uuid.UUID
	CreatedAt    time.Time
	UpdatedAt    time.Time
	DueAt        *time.Time
	DueComplete  bool
	LabelIDs     []uuid.UUID
	AssigneeIDs  []uuid.UUID
	CommentCount int
	ArchivedAt   *time.Time
}

func requireCard(t *testing.T, req string, raw []byte) cardBody {
	t.Helper()
	m := requireKeys(t, req, "Card", raw,
		"id", "column_id", "title", "description", "position", "created_by", "created_at", "updated_at",
		"due_at", "due_complete", "label_ids", "assignee_ids", "comment_count", "archived_at")
	var details struct {
		DueAt        *time.Time  `json:"due_at"`
		DueComplete  *bool       `json:"due_complete"`
		LabelIDs     []uuid.UUID `json:"label_ids"`
		AssigneeIDs  []uuid.UUID `json:"assignee_ids"`
		CommentCount *int        `json:"comment_count"`
		ArchivedAt   *time.Time  `json:"archived_at"`
	}
	if err := json.Unmarshal(raw, &details); err != nil || details.DueComplete == nil || details.CommentCount == nil ||
		details.LabelIDs == nil || details.AssigneeIDs == nil {
		t.Fatalf("%s: card details of %s: %v (label_ids and assignee_ids must be arrays, due_complete and comment_count present)", req, raw, err)
	}
	c := cardBody{
		DueAt: details.DueAt, DueComplete: *details.DueComplete, LabelIDs: details.LabelIDs,
		AssigneeIDs: details.AssigneeIDs, CommentCount: *details.CommentCount, ArchivedAt: details.ArchivedAt,
		ID:          requireUUID(t, req, "card.id", m["id"]),
		ColumnID:    requireUUID(t, req, "card.column_id", m["column_id"]),
		Title:       requireString(t, req, "card.title", m["title"]),
		Description: requireString(t, req, "card.description", m["description"]),
		Position:    int(requireInt(t, req, "card.position", m["position"])),
		CreatedBy:   requireUUID(t, req, "card.created_by", m["created_by"]),
		CreatedAt:   requireUTCTime(t, req, "card.created_at", m["created_at"]),
		UpdatedAt:   requireUTCTime(t, req, "card.updated_at", m["updated_at"]),
	}
	if c.UpdatedAt.Before(c.CreatedAt) {
		t.Errorf("%s: card.updated_at %v is before created_at %v", req, c.UpdatedAt, c.CreatedAt)
	}
	return c
}

// boardBody is a decoded Board, with its raw body and ETag.
type boardBody struct {
	roomBody
	Members []memberBody
	Columns []columnBody
	Raw     string
	ETag    string
}

// requireBoard checks a Board's exact shape and its invariants: columns and
// cards ordered by position and numbered 0..n-1, each inside its parent;
// members in join order.
func requireBoard(t *testing.T, req string, rec *httptest.ResponseRecorder) boardBody {
	t.Helper()
	m := requireKeys(t, req, "Board", rec.Body.Bytes(), roomKeys("members", "labels", "columns")...)
	b := boardBody{roomBody: roomFrom(t, req, m), Raw: rec.Body.String(), ETag: rec.Header().Get("ETag")}
	for _, raw := range requireArray(t, req, "board.members", m["members"]) {
		b.Members = append(b.Members, requireMember(t, req, raw))
	}
	for _, raw := range requireArray(t, req, "board.columns", m["columns"]) {
		cm := requireKeys(t, req, "board column", raw, "id", "room_id", "name", "position", "archived_at", "cards")
		col := columnFrom(t, req, cm)
		for _, rawCard := range requireArray(t, req, "column.cards", cm["cards"]) {
			col.Cards = append(col.Cards, requireCard(t, req, rawCard))
		}
		b.Columns = append(b.Columns, col)
	}
	for i, col := range b.Columns {
		if col.ArchivedAt != nil {
			t.Errorf("%s: column #%d %q is archived, yet on the board", req, i, col.Name)
		}
		if col.Position != i || col.RoomID != b.ID {
			t.Errorf("%s: column #%d %q has position %d room %s, want position %d room %s", req, i, col.Name, col.Position, col.RoomID, i, b.ID)
		}
		for j, card := range col.Cards {
			if card.ArchivedAt != nil {
				t.Errorf("%s: card %q is archived, yet on the board", req, card.Title)
			}
			if card.Position != j || card.ColumnID != col.ID {
				t.Errorf("%s: card #%d %q of column %q has position %d column %s, want position %d column %s",
					req, j, card.Title, col.Name, card.Position, card.ColumnID, j, col.ID)
			}
		}
	}
	for i := 1; i < len(b.Members); i++ {
		if b.Members[i].JoinedAt.Before(b.Members[i-1].JoinedAt) {
			t.Errorf("%s: members not in join order: %s joined %v, after %s who joined %v", req,
				b.Members[i].User.Email, b.Members[i].JoinedAt, b.Members[i-1].User.Email, b.Members[i-1].JoinedAt)
		}
	}
	return b
}

func (b boardBody) columnNames() []string {
	out := []string{}
	for _, c := range b.Columns {
		out = append(out, c.Name)
	}
	return out
}

// cardTitles lists the titles of column id's cards in order.
func (b boardBody) cardTitles(t *testing.T, id uuid.UUID) []string {
	t.Helper()
	for _, c := range b.Columns {
		if c.ID == id {
			out := []string{}
			for _, card := range c.Cards {
				out = append(out, card.Title)
			}
			return out
		}
	}
	t.Fatalf("column %s is not on board %s: %s", id, b.ID, b.Raw)
	return nil
}

func (b boardBody) memberEmails() []string {
	out := []string{}
	for _, m := range b.Members {
		out = append(out, m.User.Email)
	}
	return out
}

// roomPage is a decoded page of GET /api/rooms.
type roomPage struct {
	Items []roomBody
	Next  *string
}

func requireRoomPage(t *testing.T, c call, rec *httptest.ResponseRecorder) roomPage {
	t.Helper()
	requireStatus(t, c, rec, http.StatusOK)
	req := c.String()
	m := requireKeys(t, req, "room page", rec.Body.Bytes(), "items", "next_cursor")
	var p roomPage
	for _, raw := range requireArray(t, req, "items", m["items"]) {
		p.Items = append(p.Items, requireRoom(t, req, raw))
	}
	if string(m["next_cursor"]) != "null" {
		s := requireString(t, req, "next_cursor", m["next_cursor"])
		if s == "" {
			t.Errorf("%s: next_cursor is \"\", want a cursor or null", req)
		}
		p.Next = &s
	}
	return p
}

func roomIDs(rooms []roomBody) []string {
	out := []string{}
	for _, r := range rooms {
		out = append(out, r.Name+"/"+r.ID.String()[:8])
	}
	return out
}

// Requests and setups.

func roomPath(id uuid.UUID) string   { return "/api/rooms/" + id.String() }
func columnPath(id uuid.UUID) string { return "/api/columns/" + id.String() }
func cardPath(id uuid.UUID) string   { return "/api/cards/" + id.String() }

func memberPath(roomID, userID uuid.UUID) string {
	return roomPath(roomID) + "/members/" + userID.String()
}

func (e *boardEnv) board(t *testing.T, u boardUser, roomID uuid.UUID) boardBody {
	t.Helper()
	c := apiCall(http.MethodGet, roomPath(roomID), u, nil)
	rec := e.send(t, c)
	requireStatus(t, c, rec, http.StatusOK)
	b := requireBoard(t, c.String(), rec)
	if b.ETag == "" {
		t.Errorf("%s: no ETag header", c)
	}
	return b
}

// requireVersion checks the room's version as u sees it.
func (e *boardEnv) requireVersion(t *testing.T, u boardUser, roomID uuid.UUID, want int64, after string) {
	t.Helper()
	if got := e.board(t, u, roomID).Version; got != want {
		t.Errorf("after %s: room version = %d, want %d", after, got, want)
	}
}

// requireUnchanged checks that u's board is byte-for-byte before.
func (e *boardEnv) requireUnchanged(t *testing.T, u boardUser, before boardBody, after string) {
	t.Helper()
	now := e.board(t, u, before.ID)
	if now.Raw != before.Raw {
		t.Errorf("after %s: board changed\n got %s\nwant %s", after, now.Raw, before.Raw)
	}
	if now.ETag != before.ETag {
		t.Errorf("after %s: ETag = %s, want %s", after, now.ETag, before.ETag)
	}
}

func (e *boardEnv) createRoom(t *testing.T, u boardUser, name string) roomBody {
	t.Helper()
	c := apiCall(http.MethodPost, "/api/rooms", u, jsonObj{"name": name})
	rec := e.send(t, c)
	requireStatus(t, c, rec, http.StatusCreated)
	return requireRoom(t, c.String(), rec.Body.Bytes())
}

func (e *boardEnv) addMember(t *testing.T, owner boardUser, roomID uuid.UUID, member boardUser) memberBody {
	t.Helper()
	return e.addMemberAs(t, owner, roomID, member, models.RoleMember)
}

func (e *boardEnv) addMemberAs(t *testing.T, owner boardUser, roomID uuid.UUID, member boardUser, role string) memberBody {
	t.Helper()
	c := apiCall(http.MethodPost, roomPath(roomID)+"/members", owner, jsonObj{"email": member.Email, "role": role})
	rec := e.send(t, c)
	requireStatus(t, c, rec, http.StatusCreated)
	return requireMember(t, c.String(), rec.Body.Bytes())
}

func (e *boardEnv) createColumn(t *testing.T, u boardUser, roomID uuid.UUID, name string) columnBody {
	t.Helper()
	c := apiCall(http.MethodPost, roomPath(roomID)+"/columns", u, jsonObj{"name": name})
	rec := e.send(t, c)
	requireStatus(t, c, rec, http.StatusCreated)
	return requireColumn(t, c.String(), rec.Body.Bytes())
}

func (e *boardEnv) createCard(t *testing.T, u boardUser, columnID uuid.UUID, title string) cardBody {
	t.Helper()
	c := apiCall(http.MethodPost, columnPath(columnID)+"/cards", u, jsonObj{"title": title})
	rec := e.send(t, c)
	requireStatus(t, c, rec, http.StatusCreated)
	return requireCard(t, c.String(), rec.Body.Bytes())
}

// seedColumns creates a room with columns named names, in order.
func (e *boardEnv) seedColumns(t *testing.T, u boardUser, names ...string) (roomBody, map[string]columnBody) {
	t.Helper()
	room := e.createRoom(t, u, "room "+strings.Join(names, ","))
	cols := map[string]columnBody{}
	for _, n := range names {
		cols[n] = e.createColumn(t, u, room.ID, n)
	}
	return room, cols
}

// seedCards creates cards titled titles at the end of a column, in order.
func (e *boardEnv) seedCards(t *testing.T, u boardUser, columnID uuid.UUID, titles ...string) map[string]cardBody {
	t.Helper()
	cards := map[string]cardBody{}
	for _, title := range titles {
		cards[title] = e.createCard(t, u, columnID, title)
	}
	return cards
}

func requireNear(t *testing.T, req, what string, got, lo, hi time.Time) {
	t.Helper()
	if got.Before(lo.Add(-time.Second)) || got.After(hi.Add(time.Second)) {
		t.Errorf("%s: %s = %v, want between %v and %v", req, what, got, lo, hi)
	}
}

func requireEqual[T comparable](t *testing.T, req, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s: %s = %v, want %v", req, what, got, want)
	}
}

func requireOrder(t *testing.T, req, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: %s = %q, want %q", req, what, got, want)
	}
}

const nul = "\x00"

// uuidStrings is ids as strings, for comparing with decoded JSON.
func uuidStrings(ids []uuid.UUID) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.String())
	}
	return out
}
