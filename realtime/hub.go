// Package realtime fans room events out to subscribers (the WebSocket
// connections of this instance) as they commit on any instance.
//
// Instances share nothing but PostgreSQL. Each change's transaction
// inserts its event and NOTIFYs models.EventChannel with a models.Notice
// (models.change). Each instance holds one LISTEN connection; a notification
// only says "room R has news": the hub reads the room's new events once, into
// a ring of the room's latest RingSize events, and wakes the room's
// subscribers. Each subscriber pulls, at its own pace, the events after the
// last one it took: from the ring while it is close enough, else in pages
// from room_events, in its own goroutine. So a subscriber gets every event
// exactly once and in order, however far behind it starts, a slow or far
// behind one never holds up the hub or anyone else, and a lost notification
// (a reconnect, a dropped connection) costs nothing: after reconnecting the
// hub reads every subscribed room again.
package realtime

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/models"
)

// RingSize is how many of a room's latest events the hub keeps for live
// delivery; a subscriber further behind reads pages from the database.
const RingSize = 256

// catchUpPage is how many events a subscriber behind the ring reads at a
// time.
const catchUpPage = 500

// Reasons a subscription ends.
var (
	ErrResync      = fmt.Errorf("events needed are no longer kept; refetch the board")
	ErrRoomDeleted = fmt.Errorf("the room was deleted")
	ErrShutdown    = fmt.Errorf("the server is shutting down")
	// ErrSessionEnded: the subscriber's session ended (logout, logout-all,
	// a password change, reuse of a refresh token) on some instance.
	ErrSessionEnded = fmt.Errorf("the session has ended")
)

// Subscription is one subscriber's stream of a room's events.
type Subscription struct {
	// Events delivers the room's events in version order, each once, as
	// fast as the subscriber takes them and no faster: nothing queues up
	// for a subscriber that does not read. It is closed when the
	// subscription ends; Err then says why.
	Events <-chan models.RoomEvent

	events  chan models.RoomEvent
	room    uuid.UUID
	session uuid.UUID
	hub     *Hub
	start   time.Time     // when it subscribed: older events are replays
	wake    chan struct{} // the room has news (capacity 1)
	done    chan struct{} // closed when the subscription ends
	ctx     context.Context
	cancel  context.CancelFunc

	// Owned by the pump goroutine.
	last int64              // the last version handed out
	buf  []models.RoomEvent // events read but not yet handed out

	mu    sync.Mutex
	err   error
	final *models.RoomEvent // sent before the end (room.deleted)
	ended bool
}

// Err is why the subscription ended (nil while it runs or after Close).
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the subscription.
func (s *Subscription) Close() { s.hub.remove(s, nil, nil) }

// CloseTooSlow ends the subscription of a socket whose client stopped
// reading, and counts it: the socket closes it with 4008. (The hub cannot
// see it: a room subscription hands out one event at a time and never
// queues; only the socket's write times out.)
func (s *Subscription) CloseTooSlow() {
	s.hub.metrics.SlowClosed(StreamRoom)
	s.hub.remove(s, ErrTooSlow, nil)
}

// roomState is what the hub keeps of a room with subscribers.
type roomState struct {
	subs map[*Subscription]struct{}
	// ring holds the room's latest events, consecutive versions, oldest
	// first, at most RingSize; empty until the first read.
	ring []models.RoomEvent
}

// Hub is one instance's fan-out.
type Hub struct {
	store     *models.Store
	listenURL string
	log       *slog.Logger

	mu       sync.Mutex
	rooms    map[uuid.UUID]*roomState
	sessions map[uuid.UUID]map[*Subscription]struct{}
	dirty    map[uuid.UUID]bool // rooms with news, for the delivery loop
	wake     chan struct{}      // signals that dirty is not empty
	subCount int                // room subscriptions, for Stats

	metrics Metrics // never nil (metrics.go)

	users    userIndex // the user streams (users.go)
	presence *Presence // set by NewPresence before Run; nil: none
}

// NewHub returns a hub reading events through store and listening on a
// connection of its own to listenURL.
func NewHub(store *models.Store, listenURL string, log *slog.Logger) *Hub {
	return &Hub{store: store, listenURL: listenURL, log: log,
		rooms: map[uuid.UUID]*roomState{}, sessions: map[uuid.UUID]map[*Subscription]struct{}{},
		dirty: map[uuid.UUID]bool{}, wake: make(chan struct{}, 1), metrics: nopMetrics{}}
}

// Subscribe starts a subscription to room's events after version since,
// for a socket of session (it ends with ErrSessionEnded when that session
// ends, on any instance). Events already committed after since are
// delivered first, however many.
func (h *Hub) Subscribe(room, session uuid.UUID, since int64) *Subscription {
	ch := make(chan models.RoomEvent)
	ctx, cancel := context.WithCancel(context.Background())
	s := &Subscription{Events: ch, events: ch, room: room, session: session, hub: h, last: max(since, 1),
		start: time.Now(), wake: make(chan struct{}, 1), done: make(chan struct{}), ctx: ctx, cancel: cancel}
	h.mu.Lock()
	st := h.rooms[room]
	if st == nil {
		st = &roomState{subs: map[*Subscription]struct{}{}}
		h.rooms[room] = st
	}
	st.subs[s] = struct{}{}
	h.subCount++
	if h.sessions[session] == nil {
		h.sessions[session] = map[*Subscription]struct{}{}
	}
	h.sessions[session][s] = struct{}{}
	h.mu.Unlock()
	h.metrics.SocketOpened(StreamRoom)
	go s.pump()
	h.poke(room)
	return s
}

// Subscribers is how many subscriptions the room has on this instance.
func (h *Hub) Subscribers(room uuid.UUID) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st := h.rooms[room]; st != nil {
		return len(st.subs)
	}
	return 0
}

// remove ends s with why (nil: closed by its owner), after final if any.
func (h *Hub) remove(s *Subscription, why error, final *models.RoomEvent) {
	h.mu.Lock()
	if st := h.rooms[s.room]; st != nil {
		if _, ok := st.subs[s]; ok {
			delete(st.subs, s)
			h.subCount--
		}
		if len(st.subs) == 0 {
			delete(h.rooms, s.room)
		}
	}
	if subs := h.sessions[s.session]; subs != nil {
		delete(subs, s)
		if len(subs) == 0 {
			delete(h.sessions, s.session)
		}
	}
	h.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.ended, s.err, s.final = true, why, final
		close(s.done)
		s.cancel()
	}
}

// pump hands the subscriber its events one at a time, in order, and
// closes Events when the subscription ends.
func (s *Subscription) pump() {
	defer close(s.events)
	for {
		e, err := s.next()
		if err != nil {
			s.mu.Lock()
			if !s.ended {
				s.mu.Unlock()
				s.hub.remove(s, err, nil)
				s.mu.Lock()
			}
			final := s.final
			s.mu.Unlock()
			if final != nil {
				// The reader gets the last word if it is still reading.
				select {
				case s.events <- *final:
					s.hub.metrics.EventDelivered(0, false)
				case <-time.After(5 * time.Second):
				}
			}
			return
		}
		select {
		case s.events <- e:
			// At is set in the event's transaction just before it
			// commits, on the clock of the instance that wrote it.
			s.hub.metrics.EventDelivered(time.Since(e.At), !e.At.Before(s.start))
		case <-s.done:
		}
	}
}

// errEnded: the subscription ended; its err says why.
var errEnded = fmt.Errorf("subscription ended")

// next returns the event after s.last: from what it has read, else from the
// room's ring, else a page from the database when it is behind the ring;
// else it waits for news.
func (s *Subscription) next() (models.RoomEvent, error) {
	for {
		select {
		case <-s.done:
			return models.RoomEvent{}, errEnded
		default:
		}
		if len(s.buf) > 0 {
			e := s.buf[0]
			s.buf = s.buf[1:]
			if e.Version <= s.last {
				continue
			}
			if e.Version != s.last+1 {
				return models.RoomEvent{}, ErrResync // pruned meanwhile
			}
			s.last = e.Version
			return e, nil
		}
		events, behind := s.hub.fromRing(s.room, s.last)
		switch {
		case len(events) > 0:
			s.buf = events
			continue
		case behind:
			page, err := s.hub.store.EventsAfter(s.ctx, s.room, s.last, catchUpPage)
			if err != nil {
				if s.ctx.Err() == nil {
					s.hub.log.Warn("read events to catch up", "room", s.room, "error", err)
					select {
					case <-s.done:
					case <-time.After(time.Second):
					}
				}
				continue
			}
			if len(page) == 0 || page[0].Version != s.last+1 {
				return models.RoomEvent{}, ErrResync
			}
			s.buf = page
			continue
		}
		select {
		case <-s.wake:
		case <-s.done:
		}
	}
}

// fromRing copies the room's ring events after version last. behind means
// the ring starts after last+1: the subscriber must read from the database.
func (h *Hub) fromRing(room uuid.UUID, last int64) (events []models.RoomEvent, behind bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.rooms[room]
	if st == nil || len(st.ring) == 0 {
		return nil, false
	}
	first, newest := st.ring[0].Version, st.ring[len(st.ring)-1].Version
	switch {
	case last >= newest:
		return nil, false
	case last+1 < first:
		return nil, true
	}
	return slices.Clone(st.ring[last+1-first:]), false
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
	for _, channel := range []string{models.EventChannel, models.SessionChannel, models.UserChannel, models.PresenceChannel} {
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
	h.endUserStreams(ErrUserResync) // their notices are not stored: users.go
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
		if n.Channel == models.UserChannel {
			h.userNotice(n.Payload)
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

// deliverLoop reads, for each room with news, its new events into the
// room's ring and wakes its subscribers.
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

// deliver reads the room's events after its ring (the latest RingSize when
// the ring is empty): one query per notification, whatever the number of
// subscribers, then wakes them all.
func (h *Hub) deliver(ctx context.Context, room uuid.UUID) {
	h.mu.Lock()
	st := h.rooms[room]
	if st == nil {
		h.mu.Unlock()
		return
	}
	var newest int64 = -1
	if n := len(st.ring); n > 0 {
		newest = st.ring[n-1].Version
	}
	h.mu.Unlock()
	var events []models.RoomEvent
	var err error
	if newest < 0 {
		events, err = h.store.LatestEvents(ctx, room, RingSize)
	} else {
		events, err = h.store.EventsAfter(ctx, room, newest, RingSize)
	}
	if err != nil {
		if ctx.Err() == nil {
			h.log.Warn("read events for delivery", "room", room, "error", err)
			time.AfterFunc(time.Second, func() { h.poke(room) })
		}
		return
	}
	h.mu.Lock()
	st = h.rooms[room]
	if st == nil {
		h.mu.Unlock()
		return
	}
	if len(events) > 0 {
		if n := len(st.ring); n > 0 && events[0].Version != st.ring[n-1].Version+1 {
			st.ring = nil // not consecutive (pruned, or the ring was reset): start over
		}
		st.ring = append(st.ring, events...)
		if over := len(st.ring) - RingSize; over > 0 {
			st.ring = slices.Clone(st.ring[over:])
		}
	}
	subs := make([]*Subscription, 0, len(st.subs))
	for s := range st.subs {
		subs = append(subs, s)
	}
	h.mu.Unlock()
	for _, s := range subs {
		select {
		case s.wake <- struct{}{}:
		default: // already woken
		}
	}
	if len(events) == RingSize && newest >= 0 {
		h.poke(room) // a burst: read on
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
	var subs []*Subscription
	if st := h.rooms[room]; st != nil {
		for s := range st.subs {
			subs = append(subs, s)
		}
	}
	h.mu.Unlock()
	for _, s := range subs {
		h.remove(s, ErrRoomDeleted, &ev)
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
		h.remove(s, ErrSessionEnded, nil)
	}
	h.userSessionsEnded(ended.IDs)
}

func (h *Hub) closeAll() {
	h.endUserStreams(ErrShutdown)
	h.mu.Lock()
	var subs []*Subscription
	for _, st := range h.rooms {
		for s := range st.subs {
			subs = append(subs, s)
		}
	}
	h.mu.Unlock()
	for _, s := range subs {
		h.remove(s, ErrShutdown, nil)
	}
}
