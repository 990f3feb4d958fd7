// Package handlers is SyncBoard's HTTP layer: routes.go is the map of the
// whole API; each handler binds a request DTO, validates it, calls the Store
// with the request's context, and writes a response DTO or the contract's
// error body.
package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/trace"

	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/metrics"
	"github.com/syncboard/syncboard/middleware"
	"github.com/syncboard/syncboard/models"
	"github.com/syncboard/syncboard/realtime"
	"github.com/syncboard/syncboard/web"
)

// Deps are what the router needs.
type Deps struct {
	Store  *models.Store
	Log    *slog.Logger
	Tokens *auth.Tokens
	Hasher *auth.Hasher
	// RefreshTTL is the lifetime of refresh tokens, renewed on each use
	// (default 30 days).
	RefreshTTL time.Duration
	// SecureCookies marks the auth cookies Secure (everywhere but
	// development, which may run over plain HTTP on localhost).
	SecureCookies bool
	// AuthRateLimit attempts and failures allowed by each of the auth
	// budgets in each AuthRateWindow (docs/DESIGN.md, "Login limits"),
	// counted in the database, across every instance.
	AuthRateLimit  int
	AuthRateWindow time.Duration
	// Draining turns /readyz to 503 while the server shuts down.
	Draining *atomic.Bool
	// TrustedProxies may set X-Forwarded-For; nil trusts no proxy.
	TrustedProxies []string
	// CORSAllowedOrigins may call the API from a browser.
	CORSAllowedOrigins []string
	// RequestTimeout bounds each request's work (0: no bound).
	RequestTimeout time.Duration
	// Hub fans room events out to WebSockets; nil answers them 503.
	Hub *realtime.Hub
	// Presence tells room sockets who has the room open; nil sends none.
	Presence *realtime.Presence
	// BoardCacheBytes bounds the cache of encoded boards (0: the default,
	// DefaultBoardCacheBytes; negative: no cache).
	BoardCacheBytes int64
	// PublicURL is the web client's address, which invitation links point
	// to; empty: each link is built from the request that makes it.
	PublicURL string
	// WSMaxPerUser WebSockets (room sockets and the user stream together)
	// one user may hold open on this instance (default 20).
	WSMaxPerUser int
	// TracerProvider, when tracing is on, makes a server span of every
	// request (middleware.Trace); nil: no span, no cost.
	TracerProvider trace.TracerProvider
	// HTTPMetrics, when set, measures every request (nil: none).
	HTTPMetrics *metrics.HTTP
	// MetricsHandler, when set, answers GET /metrics on this router: in
	// development without METRICS_ADDR (config.MetricsOnAPI).
	MetricsHandler http.Handler
}

// NewRouter returns the HTTP handler of the whole API.
func NewRouter(d Deps) (*gin.Engine, error) {
	if d.Draining == nil {
		d.Draining = new(atomic.Bool)
	}
	if d.AuthRateLimit <= 0 {
		d.AuthRateLimit = 10
	}
	if d.AuthRateWindow <= 0 {
		d.AuthRateWindow = time.Minute
	}
	if d.WSMaxPerUser <= 0 {
		d.WSMaxPerUser = 20
	}
	if d.BoardCacheBytes == 0 {
		d.BoardCacheBytes = DefaultBoardCacheBytes
	}
	if d.RefreshTTL <= 0 {
		d.RefreshTTL = 30 * 24 * time.Hour
	}
	r := gin.New()
	// Gin trusts every proxy by default, which lets any client pick its own
	// IP through X-Forwarded-For; trust only the configured ones.
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	r.HandleMethodNotAllowed = true
	// Gin's trailing-slash redirect answers before any middleware runs (no
	// request ID, no access log, an HTML body); a plain 404 is clearer.
	r.RedirectTrailingSlash = false
	// fail is the one error writer, handed to the middleware that answers.
	fail := func(c *gin.Context, err error) { writeError(c, d.Log, err) }
	if d.HTTPMetrics != nil {
		// Before everything, to time the whole chain (it writes nothing).
		r.Use(d.HTTPMetrics.Middleware())
	}
	r.Use(
		// First, so that every response carries its headers, errors and
		// recovered panics included.
		middleware.Headers("/api/auth"),
		middleware.RequestID(),
	)
	if d.TracerProvider != nil {
		// Before the access log, which names the span.
		r.Use(middleware.Trace(d.TracerProvider))
	}
	r.Use(
		middleware.AccessLog(d.Log),
		middleware.Recover(d.Log, func(c *gin.Context) {
			fail(c, models.Errorf(models.CodeInternal, "internal server error"))
		}),
	)
	r.NoRoute(func(c *gin.Context) {
		fail(c, models.Errorf(models.CodeNotFound, "no such route: %s", c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		fail(c, models.Errorf(models.CodeMethodNotAllowed, "method %s is not allowed here", c.Request.Method))
	})

	r.Use(middleware.CORS(d.CORSAllowedOrigins), middleware.Timeout(d.RequestTimeout), middleware.Gzip())

	r.GET("/healthz", healthz())
	r.GET("/readyz", readyz(d.Store, d.Draining, d.Log))
	spec, err := specJSON()
	if err != nil {
		return nil, err
	}
	r.GET("/openapi.json", openapiJSON(spec))
	r.GET("/docs", docs())
	redoc, err := web.Redoc()
	if err != nil {
		return nil, err
	}
	r.GET("/docs/redoc.standalone.js", redocBundle(redoc))
	files, err := web.Load()
	if err != nil {
		return nil, err
	}
	r.GET("/", webFile(files, d.Log))
	r.GET("/assets/:name", webFile(files, d.Log))
	if d.MetricsHandler != nil {
		r.GET("/metrics", gin.WrapH(d.MetricsHandler))
	}

	var devices *auth.Devices
	var limitKey []byte
	if d.Tokens != nil {
		devices = d.Tokens.Devices()
		limitKey = d.Tokens.DeriveKey("syncboard rate-limit buckets v1")
	}
	ad := authDeps{
		store: d.Store, tokens: d.Tokens, hasher: d.Hasher, devices: devices, log: d.Log,
		refreshTTL: d.RefreshTTL, secureCookies: d.SecureCookies, origins: d.CORSAllowedOrigins,
		limits: newAuthLimits(d.Store, models.Rate{Limit: d.AuthRateLimit, Window: d.AuthRateWindow}, limitKey),
	}
	// Only the API reads bodies. The media type is checked before the size:
	// a huge upload of the wrong type is 415, answered without reading it.
	apiGroup := r.Group("/api",
		middleware.RequireJSON(func(c *gin.Context) {
			fail(c, models.Errorf(models.CodeUnsupportedMediaType, "a request body must be JSON, sent with Content-Type: application/json"))
		}),
		middleware.BodyLimit(func(c *gin.Context) {
			fail(c, models.Errorf(models.CodePayloadTooLarge, "the body is larger than %d bytes", middleware.MaxBodyBytes))
		}),
	)
	authGroup := apiGroup.Group("/auth")
	authGroup.POST("/register", register(ad))
	authGroup.POST("/login", login(ad))
	authGroup.POST("/refresh", refresh(ad))

	// Everything below needs a valid access token of a live session.
	authn := auth.NewAuthenticator(d.Store, d.Tokens)
	signedIn := apiGroup.Group("", middleware.Authenticate(authn, fail))
	signedIn.GET("/auth/me", getMe())
	signedIn.PATCH("/auth/me", updateMe(ad))
	signedIn.POST("/auth/logout", logout(ad))
	signedIn.POST("/auth/logout-all", logoutAll(ad))
	signedIn.GET("/auth/sessions", listSessions(ad))
	signedIn.DELETE("/auth/sessions/:session_id", endSession(ad))

	bd := boardDeps{store: d.Store, log: d.Log, boards: newBoardCache(d.BoardCacheBytes)}
	signedIn.POST("/rooms", createRoom(bd))
	signedIn.GET("/rooms", listRooms(bd))
	signedIn.GET("/rooms/:room_id", getBoard(bd))
	signedIn.PATCH("/rooms/:room_id", renameRoom(bd))
	signedIn.DELETE("/rooms/:room_id", deleteRoom(bd))
	signedIn.GET("/rooms/:room_id/members", listMembers(bd))
	signedIn.POST("/rooms/:room_id/members", addMember(bd))
	signedIn.PATCH("/rooms/:room_id/members/:user_id", updateMember(bd))
	signedIn.DELETE("/rooms/:room_id/members/:user_id", removeMember(bd))
	signedIn.GET("/rooms/:room_id/events", listEvents(bd))
	sd := socketDeps{boardDeps: bd, authn: authn, hub: d.Hub, presence: d.Presence, origins: d.CORSAllowedOrigins,
		checker: newAccessChecker(d.Store, d.Log), limit: newSocketLimit(d.WSMaxPerUser)}
	signedIn.POST("/rooms/:room_id/ws-ticket", createTicket(sd))
	// The socket authenticates itself (header or ticket), outside signedIn.
	apiGroup.GET("/rooms/:room_id/ws", roomSocket(sd))
	signedIn.POST("/ws-ticket", createUserTicket(sd))
	apiGroup.GET("/ws", userSocket(sd))
	signedIn.POST("/rooms/:room_id/columns", createColumn(bd))
	signedIn.PATCH("/columns/:column_id", updateColumn(bd))
	signedIn.DELETE("/columns/:column_id", deleteColumn(bd))
	signedIn.POST("/columns/:column_id/cards", createCard(bd))
	signedIn.GET("/cards/:card_id", getCard(bd))
	signedIn.PATCH("/cards/:card_id", updateCard(bd))
	signedIn.POST("/cards/:card_id/move", moveCard(bd))
	signedIn.DELETE("/cards/:card_id", deleteCard(bd))
	signedIn.POST("/rooms/:room_id/labels", createLabel(bd))
	signedIn.PATCH("/labels/:label_id", updateLabel(bd))
	signedIn.DELETE("/labels/:label_id", deleteLabel(bd))
	signedIn.PUT("/cards/:card_id/labels/:label_id", setCardLabel(bd, true))
	signedIn.DELETE("/cards/:card_id/labels/:label_id", setCardLabel(bd, false))
	signedIn.PUT("/cards/:card_id/assignees/:user_id", setCardAssignee(bd, true))
	signedIn.DELETE("/cards/:card_id/assignees/:user_id", setCardAssignee(bd, false))
	signedIn.POST("/cards/:card_id/archive", cardAction(bd, bd.store.ArchiveCard))
	signedIn.POST("/cards/:card_id/restore", cardAction(bd, bd.store.RestoreCard))
	signedIn.POST("/columns/:column_id/archive", columnAction(bd, bd.store.ArchiveColumn))
	signedIn.POST("/columns/:column_id/restore", columnAction(bd, bd.store.RestoreColumn))
	signedIn.GET("/rooms/:room_id/archive", listArchive(bd))
	signedIn.GET("/cards/:card_id/comments", listComments(bd))
	signedIn.POST("/cards/:card_id/comments", createComment(bd))
	signedIn.PATCH("/comments/:comment_id", updateComment(bd))
	signedIn.DELETE("/comments/:comment_id", deleteComment(bd))
	signedIn.GET("/search", search(bd))
	id := inviteDeps{boardDeps: bd, publicURL: d.PublicURL, proxies: parseProxies(d.TrustedProxies)}
	signedIn.POST("/rooms/:room_id/invites", createInvite(id))
	signedIn.GET("/rooms/:room_id/invites", listInvites(id))
	signedIn.DELETE("/invites/:invite_id", revokeInvite(id))
	// The link's page shows what it invites to before anyone signs in:
	// the token is the credential, outside signedIn.
	apiGroup.GET("/invites/by-token/:token", previewInvite(id))
	signedIn.POST("/invites/by-token/:token/accept", acceptInvite(id))
	if d.HTTPMetrics != nil {
		d.HTTPMetrics.Resolve(r.Routes())
	}
	return r, nil
}
