package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/models"
	"github.com/syncboard/syncboard/realtime"
)

// The user stream: GET /api/ws tells a user, on any of their devices, of
// every room they gain, have changed (renamed, their role) or lose, as it
// commits on any instance, so a list of rooms stays current without
// polling and without a socket per room.

// createUserTicket issues a single-use ticket for the user stream, for
// browsers (see createTicket).
func createUserTicket(d socketDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, _ := auth.IdentityFrom(c.Request.Context())
		ticket, exp, err := d.store.CreateUserTicket(c.Request.Context(), id.User.ID, id.SessionID)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusCreated, api.Ticket{Ticket: ticket, ExpiresAt: exp.UTC()})
	}
}

// userSocket upgrades to the user stream. It authenticates with
// Authorization: Bearer or a ?ticket= from createUserTicket.
func userSocket(d socketDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		userID, sessionID, err := d.streamUser(ctx, c)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		if d.hub == nil {
			writeError(c, d.log, models.Errorf(models.CodeUnavailable, "real-time updates are not running"))
			return
		}
		if !d.limit.acquire(userID) {
			d.limit.refuse(c, d.log)
			return
		}
		defer d.limit.release(userID) // the handler lives as long as the socket
		conn, err := websocket.Accept(c.Writer, c.Request, &websocket.AcceptOptions{OriginPatterns: originHosts(d.origins)})
		if err != nil {
			return // Accept has answered the client
		}
		c.Abort()
		d.userStream(context.WithoutCancel(ctx), conn, userID, sessionID)
	}
}

// streamUser authenticates the user stream's handshake: an Authorization
// header, else a user-stream ticket (a room's ticket does not open it).
//
// Errors: CodeUnauthorized, CodeUnavailable.
func (d socketDeps) streamUser(ctx context.Context, c *gin.Context) (userID, sessionID uuid.UUID, err error) {
	if h := c.GetHeader("Authorization"); h != "" {
		id, err := d.authn.Authenticate(ctx, h)
		return id.User.ID, id.SessionID, err
	}
	if t := c.Query("ticket"); t != "" {
		return d.store.UseUserTicket(ctx, t)
	}
	return uuid.Nil, uuid.Nil, models.Errorf(models.CodeUnauthorized, "a valid bearer token or ticket is required")
}

// userStream sends the user's changes until the client goes, falls
// behind, or the session ends.
func (d socketDeps) userStream(ctx context.Context, conn *websocket.Conn, userID, sessionID uuid.UUID) {
	ctx = conn.CloseRead(ctx) // ends when the client closes
	// Subscribed first, checked second, as for a room (see stream).
	sub := d.hub.SubscribeUser(userID, sessionID)
	defer sub.Close()
	if ok, err := d.store.SessionLives(ctx, userID, sessionID); err == nil && !ok {
		conn.Close(CloseRevoked, "the session has ended")
		return
	}
	ping := time.NewTicker(socketPing)
	defer ping.Stop()
	check := time.NewTicker(socketCheck)
	defer check.Stop()
	for {
		select {
		case <-ctx.Done():
			conn.Close(websocket.StatusNormalClosure, "")
			return
		case e, ok := <-sub.Events:
			if !ok {
				switch err := sub.Err(); {
				case errors.Is(err, realtime.ErrTooSlow):
					conn.Close(CloseTooSlow, "too slow: reload the rooms and reconnect")
				case errors.Is(err, realtime.ErrUserResync):
					conn.Close(CloseResync, "resync_required: reload the rooms and reconnect")
				case errors.Is(err, realtime.ErrSessionEnded):
					conn.Close(CloseRevoked, "the session has ended")
				default:
					conn.Close(websocket.StatusGoingAway, "")
				}
				return
			}
			msg, send, err := d.userMessage(ctx, userID, e)
			if err != nil {
				// The change happened and this socket cannot tell it:
				// the client must reload, as after any gap.
				conn.Close(CloseResync, "resync_required: reload the rooms and reconnect")
				return
			}
			if send {
				if err := d.writeJSON(ctx, conn, msg); err != nil {
					return
				}
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, socketWrite)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
		case <-check.C:
			// A safety net under the hub's session notice.
			if ok, err := d.store.SessionLives(ctx, userID, sessionID); err == nil && !ok {
				conn.Close(CloseRevoked, "the session has ended")
				return
			}
		}
	}
}

// userMessage turns a change into the message the user receives. An added
// or updated room is read now, as the user sees it (role, version); send
// is false when the user is no longer a member by then: the removal's own
// message follows.
func (d socketDeps) userMessage(ctx context.Context, userID uuid.UUID, e realtime.UserEvent) (msg api.UserStreamMessage, send bool, err error) {
	if e.Kind == models.UserRoomRemoved {
		room := e.Room
		return api.UserStreamMessage{Type: e.Kind, RoomID: &room}, true, nil
	}
	v, err := d.store.UserRoom(ctx, userID, e.Room)
	switch {
	case models.ErrorCode(err) == models.CodeNotFound:
		return api.UserStreamMessage{}, false, nil
	case err != nil:
		return api.UserStreamMessage{}, false, err
	}
	room := v.API()
	return api.UserStreamMessage{Type: e.Kind, Room: &room}, true, nil
}

func (d socketDeps) writeJSON(ctx context.Context, conn *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, socketWrite)
	defer cancel()
	return conn.Write(wctx, websocket.MessageText, b)
}
