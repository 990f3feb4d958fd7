// Package realtime fans room events out to subscribers (the WebSocket
// connections of this instance) as they commit on any instance.
//
// Instances share nothing but PostgreSQL. Each change's transaction
// inserts its event and NOTIFYs models.EventChannel with a models.Notice
// (models.change). Each instance holds one LISTEN connection; a notification
// only says "room R has news": the hub then reads the room's events after
// the last version each subscriber has, in order, from room_events. So a
// subscriber gets every event exactly once and in order, and a lost
// notification (a reconnect, a dropped connection) costs nothing: after
// reconnecting the hub reads every subscribed room again.
package realtime

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/models"
)

// SubscriberBuffer is how many events may wait for a subscriber; one that
// falls further behind is closed with ErrTooSlow rather than slowing anyone
// else.
const SubscriberBuffer = 256

// Reasons a subscription ends.
var (
	ErrTooSlow     = fmt.Errorf("subscriber too slow")
	ErrResync      = fmt.Errorf("events needed are no longer kept; refetch the board")
	ErrRoomDeleted = fmt.Errorf("the room was deleted")
	ErrShutdown    = fmt.Errorf("the server is shutting down")
	// ErrSessionEnded: the subscriber's session ended (logout, logout-all,
	// a password change, reuse of a refresh token) on some instance.
	ErrSessionEnded = fmt.Errorf("the session has ended")
)

// Subscription is one subscriber's stream of a room's events.
type Subscription struct {
	// Events delivers the room's events in version order, each once. It is
	// closed when the subscription ends; Err then says why.
	Events <-chan models.RoomEvent

	events  chan models.RoomEvent
	room    uuid.UUID
	session uuid.UUID
	hub     *Hub
	last    int64 // the last version sent; guarded by hub.mu
	mu      sync.Mutex
	err     error
	closed  bool
}

// Err is why the subscription ended (nil while it runs or after Close).
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the subscription.
func (s *Subscription) Close() { s.hub.remove(s, nil) }

// Hub is one instance's fan-out.
type Hub struct {
	store     *models.Store
	listenURL string
	log       *slog.Logger

	mu       sync.Mutex
	rooms    map[uuid.UUID]map[*Subscription]struct{}
	sessions map[uuid.UUID]map[*Subscription]struct{}
	dirty    map[uuid.UUID]bool // rooms with news, for the delivery loop
	wake     chan struct{}      // signals that dirty is not empty
	presence *Presence          // set by NewPresence before Run; nil: none
}

// NewHub returns a hub reading events through store and listening on a
// connection of its own to listenURL.
func NewHub(store *models.Store, listenURL string, log *slog.Logger) *Hub {
	return &Hub{store: store, listenURL: listenURL, log: log,
		rooms: map[uuid.UUID]map[*Subscription]struct{}{}, sessions: map[uuid.UUID]map[*Subscription]struct{}{},
		dirty: map[uuid.UUID]bool{}, wake: make(chan struct{}, 1)}
}

// Subscribe starts a subscription to room's events after version since,
// for a socket of session (it ends with ErrSessionEnded when that session
// ends, on any instance). Events already committed after since are
// delivered first.
func (h *Hub) Subscribe(room, session uuid.UUID, since int64) *Subscription {
	ch := make(chan models.RoomEvent, SubscriberBuffer)
	s := &Subscription{Events: ch, events: ch, room: room, session: session, hub: h, last: max(since, 1)}
	h.mu.Lock()
	add(h.rooms, room, s)
	add(h.sessions, session, s)
	h.mu.Unlock()
	h.poke(room)
	return s
}

func add(index map[uuid.UUID]map[*Subscription]struct{}, key uuid.UUID, s *Subscription) {
	if index[key] == nil {
		index[key] = map[*Subscription]struct{}{}
	}
	index[key][s] = struct{}{}
}

func drop(index map[uuid.UUID]map[*Subscription]struct{}, key uuid.UUID, s *Subscription) {
	if subs := index[key]; subs != nil {
		delete(subs, s)
		if len(subs) == 0 {
			delete(index, key)
		}
	}
}

func (h *Hub) remove(s *Subscription, why error) {
	h.mu.Lock()
	drop(h.rooms, s.room, s)
	drop(h.sessions, s.session, s)
	h.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed, s.err = true, why
		close(s.events)
	}
}

// poke marks room as having news and wakes the delivery loop.
func (h *Hub) poke(room uuid.UUID) {
	h.mu.Lock()
	h.dirty[room] = true
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default: // already signalled
	}
}

// Run listens and delivers until ctx ends, reconnecting after failures.
// When ctx ends (the server shuts down) every subscription ends with
// ErrShutdown, so sockets close with "going away" and their clients
// reconnect to another instance.
func (h *Hub) Run(ctx context.Context) {
	defer h.closeAll()
	go h.deliverLoop(ctx)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := h.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		h.log.Warn("event listener lost its connection; reconnecting", "error", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// listen holds one LISTEN connection until it fails. Right after LISTEN
// takes effect it wakes every subscribed room, catching up on whatever
// committed while the connection was down.
func (h *Hub) listen(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	conn, err := pgx.Connect(cctx, h.listenURL)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, channel := range []string{models.EventChannel, models.SessionChannel, models.PresenceChannel} {
		if _, err := conn.Exec(ctx, "LISTEN "+channel); err != nil {
			return err
		}
	}
	h.mu.Lock()
	rooms := make([]uuid.UUID, 0, len(h.rooms))
	for r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	for _, r := range rooms {
		h.poke(r)
	}
	h.presence.relisten()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Channel == models.SessionChannel {
			h.sessionsEnded(n.Payload)
			continue
		}
		if n.Channel == models.PresenceChannel {
			h.presence.notice(n.Payload)
			continue
		}
		notice, err := models.ParseNotice(n.Payload)
		switch {
		case err != nil:
			h.log.Warn("ignored a notification that is not a room notice", "payload", n.Payload)
		case notice.Deleted:
			h.roomDeleted(notice)
		default:
			h.poke(notice.Room)
		}
	}
}

// deliverLoop reads, for each room with news, the events after each
// subscriber's last version and sends them.
func (h *Hub) deliverLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
		}
		h.mu.Lock()
		rooms := h.dirty
		h.dirty = map[uuid.UUID]bool{}
		h.mu.Unlock()
		for room := range rooms {
			h.deliver(ctx, room)
		}
	}
}

func (h *Hub) deliver(ctx context.Context, room uuid.UUID) {
	h.mu.Lock()
	subs := make([]*Subscription, 0, len(h.rooms[room]))
	from := int64(-1)
	for s := range h.rooms[room] {
		subs = append(subs, s)
		if from < 0 || s.last < from {
			from = s.last
		}
	}
	h.mu.Unlock()
	if len(subs) == 0 {
		return
	}
	for {
		events, err := h.store.EventsAfter(ctx, room, from, 500)
		if err != nil {
			if ctx.Err() == nil {
				h.log.Warn("read events for delivery", "room", room, "error", err)
				time.AfterFunc(time.Second, func() { h.poke(room) })
			}
			return
		}
		for _, s := range subs {
			h.send(s, events)
		}
		if len(events) < 500 {
			return
		}
		from = events[len(events)-1].Version
	}
}

// send gives s the events it has not had, in order; a gap (pruned events)
// or a full buffer ends the subscription.
func (h *Hub) send(s *Subscription, events []models.RoomEvent) {
	h.mu.Lock()
	last := s.last
	h.mu.Unlock()
	for _, e := range events {
		if e.Version <= last {
			continue
		}
		if e.Version != last+1 {
			h.remove(s, ErrResync)
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return
		}
		select {
		case s.events <- e:
			s.mu.Unlock()
		default:
			s.mu.Unlock()
			h.remove(s, ErrTooSlow)
			return
		}
		last = e.Version
		h.mu.Lock()
		s.last = last
		h.mu.Unlock()
	}
}

// roomDeleted sends each subscriber of a deleted room a room.deleted event
// (built from the notification: the room's stored events are gone) and ends
// the subscriptions with ErrRoomDeleted.
func (h *Hub) roomDeleted(n models.Notice) {
	room, actor := n.Room, n.Actor
	ev := models.RoomEvent{RoomID: room, Version: n.Version, Type: api.EventRoomDeleted, ActorID: &actor,
		At: time.Now().UTC(), Data: []byte("{}")}
	h.mu.Lock()
	subs := make([]*Subscription, 0, len(h.rooms[room]))
	for s := range h.rooms[room] {
		subs = append(subs, s)
	}
	h.mu.Unlock()
	for _, s := range subs {
		s.mu.Lock()
		if !s.closed {
			select {
			case s.events <- ev:
			default:
			}
		}
		s.mu.Unlock()
		h.remove(s, ErrRoomDeleted)
	}
}

// sessionsEnded ends the subscriptions of the sessions a notice names.
func (h *Hub) sessionsEnded(payload string) {
	ended, err := models.ParseSessionsEnded(payload)
	if err != nil {
		h.log.Warn("ignored a notification that is not a session notice", "payload", payload)
		return
	}
	var subs []*Subscription
	h.mu.Lock()
	for _, id := range ended.IDs {
		for s := range h.sessions[id] {
			subs = append(subs, s)
		}
	}
	h.mu.Unlock()
	for _, s := range subs {
		h.remove(s, ErrSessionEnded)
	}
}

func (h *Hub) closeAll() {
	h.mu.Lock()
	var subs []*Subscription
	for _, rs := range h.rooms {
		for s := range rs {
			subs = append(subs, s)
		}
	}
	h.mu.Unlock()
	for _, s := range subs {
		h.remove(s, ErrShutdown)
	}
}
