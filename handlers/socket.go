package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/models"
	"github.com/syncboard/syncboard/realtime"
)

// WebSocket close codes (4000-4999 is the application's range).
const (
	CloseRevoked = 4001 // the token was revoked, the account deleted, or the membership removed
	CloseTooSlow = 4008 // the client took nothing for socketWrite: it has stopped reading
	CloseResync  = 4010 // events needed were pruned: refetch the board, reconnect with its version
)

// Socket timing.
var (
	socketPing  = 20 * time.Second
	socketCheck = 5 * time.Second
	socketWrite = 10 * time.Second
)

// socketDeps are what the WebSocket handlers need.
type socketDeps struct {
	boardDeps
	authn    *auth.Authenticator
	hub      *realtime.Hub
	presence *realtime.Presence // nil: no presence messages
	origins  []string
	checker  *accessChecker
	limit    *socketLimit // shared by both kinds of socket
}

// createTicket issues a single-use ticket for the room's WebSocket, for
// browsers, which cannot set headers on a WebSocket: access tokens never go
// in URLs, tickets (30 s, one use, one room) do.
func createTicket(d socketDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		roomID, ok := pathID(c, d.log, "room_id")
		if !ok {
			return
		}
		id, _ := auth.IdentityFrom(c.Request.Context())
		ticket, exp, err := d.store.CreateTicket(c.Request.Context(), id.User.ID, id.SessionID, roomID)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusCreated, api.Ticket{Ticket: ticket, ExpiresAt: exp.UTC()})
	}
}

// roomSocket upgrades to a WebSocket that replays the room's events after
// ?since= (default: the current version) and then streams them as they
// commit on any instance. It authenticates with Authorization: Bearer or a
// ?ticket= from createTicket.
func roomSocket(d socketDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		roomID, ok := pathID(c, d.log, "room_id")
		if !ok {
			return
		}
		ctx := c.Request.Context()
		p := problems{}
		since := querySince(c, p)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		userID, sessionID, err := d.socketUser(ctx, c, roomID)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		head, err := d.store.BoardHead(ctx, userID, roomID)
		view := head.View
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		if d.hub == nil {
			writeError(c, d.log, models.Errorf(models.CodeUnavailable, "real-time updates are not running"))
			return
		}
		from := view.Version
		if since != nil {
			from = *since
		}
		if !d.limit.acquire(userID) {
			d.limit.refuse(c, d.log)
			return
		}
		// The handler lives as long as the socket: stream returns when
		// it closes.
		defer d.limit.release(userID)
		conn, err := websocket.Accept(c.Writer, c.Request, &websocket.AcceptOptions{OriginPatterns: originHosts(d.origins)})
		if err != nil {
			return // Accept has answered the client
		}
		c.Abort()
		if from < view.Version && d.pruned(ctx, userID, roomID, from) {
			// Without this, a quiet room would leave the client stale until
			// its next change reveals the gap.
			conn.Close(CloseResync, "resync_required: refetch the board")
			return
		}
		d.stream(context.WithoutCancel(ctx), conn, userID, sessionID, roomID, from)
	}
}

// pruned reports whether the events after version since are no longer all
// kept. It costs one query, only when a client resumes behind the room.
func (d socketDeps) pruned(ctx context.Context, userID, roomID uuid.UUID, since int64) bool {
	_, _, err := d.store.Events(ctx, userID, roomID, since, 1)
	return models.ErrorCode(err) == models.CodeResyncRequired
}

// socketUser authenticates the handshake: an Authorization header, else a
// ticket. It returns the user and the session the socket belongs to.
//
// Errors: CodeUnauthorized, CodeUnavailable.
func (d socketDeps) socketUser(ctx context.Context, c *gin.Context, roomID uuid.UUID) (userID, sessionID uuid.UUID, err error) {
	if h := c.GetHeader("Authorization"); h != "" {
		id, err := d.authn.Authenticate(ctx, h)
		return id.User.ID, id.SessionID, err
	}
	if t := c.Query("ticket"); t != "" {
		return d.store.UseTicket(ctx, t, roomID)
	}
	return uuid.Nil, uuid.Nil, models.Errorf(models.CodeUnauthorized, "a valid bearer token or ticket is required")
}

// stream sends the subscription's events until the client goes, falls
// behind, or loses its access.
func (d socketDeps) stream(ctx context.Context, conn *websocket.Conn, userID, sessionID, roomID uuid.UUID, since int64) {
	ctx = conn.CloseRead(ctx) // ends when the client closes
	// Subscribed first, checked second: a session that ends after the
	// check is closed by the hub's session notice, one that ended before
	// it fails the check, so none slips between the two.
	sub := d.hub.Subscribe(roomID, sessionID, since)
	defer sub.Close()
	if ok, err := d.store.StillAllowed(ctx, userID, sessionID, roomID); err == nil && !ok {
		conn.Close(CloseRevoked, "access revoked")
		return
	}
	here := d.presence.Join(roomID, userID)
	defer here.Leave()
	ping := time.NewTicker(socketPing)
	defer ping.Stop()
	w, unwatch := d.checker.watch(userID, sessionID, roomID)
	defer unwatch()
	revoked := w.revoked
	var grace <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			conn.Close(websocket.StatusNormalClosure, "")
			return
		case e, ok := <-sub.Events:
			if !ok {
				switch {
				case errors.Is(sub.Err(), realtime.ErrResync):
					conn.Close(CloseResync, "resync_required: refetch the board")
				case errors.Is(sub.Err(), realtime.ErrRoomDeleted):
					conn.Close(websocket.StatusNormalClosure, "the room was deleted")
				case errors.Is(sub.Err(), realtime.ErrSessionEnded):
					conn.Close(CloseRevoked, "the session has ended")
				default:
					conn.Close(websocket.StatusGoingAway, "")
				}
				return
			}
			if err := d.send(ctx, conn, e); err != nil {
				if errors.Is(err, context.DeadlineExceeded) {
					// Nothing taken for socketWrite: a client that has
					// stopped reading. Events never queue up in memory
					// for it (the hub hands them out one at a time), so
					// this, not a buffer, is what ends it. The close frame
					// is a courtesy: its buffers are full.
					sub.CloseTooSlow()
					conn.Close(CloseTooSlow, "stopped reading: reconnect with since")
				}
				return
			}
			if removed(e, userID) {
				conn.Close(CloseRevoked, "removed from the room")
				return
			}
		case p := <-here.Updates:
			if err := d.write(ctx, conn, p); err != nil {
				return
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, socketWrite)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
		case <-revoked:
			// The notice or event that explains the loss (room.deleted,
			// member.removed, a session's end) is usually on its way: give
			// it a moment to arrive and close the socket its own way.
			revoked = nil
			grace = time.After(time.Second)
		case <-grace:
			conn.Close(CloseRevoked, "access revoked")
			return
		}
	}
}

func (d socketDeps) send(ctx context.Context, conn *websocket.Conn, e models.RoomEvent) error {
	return d.write(ctx, conn, e.API())
}

// write sends v as one JSON text message.
func (d socketDeps) write(ctx context.Context, conn *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, socketWrite)
	defer cancel()
	return conn.Write(wctx, websocket.MessageText, b)
}

// removed reports whether e removes userID from the room.
func removed(e models.RoomEvent, userID uuid.UUID) bool {
	if e.Type != api.EventMemberRemoved {
		return false
	}
	var data api.MemberRemovedData
	return json.Unmarshal(e.Data, &data) == nil && data.UserID == userID
}

// originHosts turns CORS origins into the host patterns the WebSocket
// library checks a browser's Origin against (same-origin is always fine).
func originHosts(origins []string) []string {
	var hosts []string
	for _, o := range origins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		}
	}
	return hosts
}
