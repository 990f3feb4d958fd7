package realtime

// User streams: each user's own socket (GET /api/ws) hears of every room
// the user gains, has changed, or loses, from any instance.
//
// A Store change that adds, changes or removes a room for some users sends
// a models.UserNotice on models.UserChannel in its transaction (so it
// arrives on commit only), naming the users. The hub's LISTEN connection
// hands it to userNotice, which queues a UserEvent on each of those users'
// streams open on this instance. The notice names the room, not its state:
// the socket reads the user's view of the room when it sends the message.
//
// Unlike room events, user notices are not stored, so a notice lost while
// the LISTEN connection was down cannot be read again: every stream open
// when the hub (re)starts listening is ended with ErrResync, and its client
// reloads its list of rooms and reconnects.

import (
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// UserStreamBuffer is how many changes may wait for a user stream; one
// that falls further behind is closed with ErrTooSlow.
const UserStreamBuffer = 256

// ErrUserResync ends user streams that may have missed a notice (the hub's
// LISTEN connection was re-established): the client must reload its rooms.
var ErrUserResync = fmt.Errorf("user notices may have been missed; reload the rooms")

// ErrTooSlow ends a user stream that let UserStreamBuffer changes wait,
// or a room subscription whose socket stopped taking events
// (Subscription.CloseTooSlow). (Room subscriptions pull their events from
// room_events and never fall behind this way; user notices are not stored,
// so they must be held.)
var ErrTooSlow = fmt.Errorf("user stream too slow")

// UserEvent is one change to a user's list of rooms: Kind is
// models.UserRoomAdded, UserRoomUpdated or UserRoomRemoved.
type UserEvent struct {
	Kind string
	Room uuid.UUID
}

// UserStream is one user stream's queue of changes.
type UserStream struct {
	// Events delivers the user's changes in commit order. It is closed
	// when the stream ends; Err then says why.
	Events <-chan UserEvent

	events  chan UserEvent
	user    uuid.UUID
	session uuid.UUID
	hub     *Hub
	mu      sync.Mutex
	err     error
	closed  bool
}

// Err is why the stream ended (nil while it runs or after Close).
func (s *UserStream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the stream.
func (s *UserStream) Close() { s.hub.users.remove(s, nil) }

// end closes the stream's queue once, recording why.
func (s *UserStream) end(why error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed, s.err = true, why
		close(s.events)
	}
}

// userIndex is the hub's open user streams, by user and by session. It has
// a lock of its own: user notices never wait for room deliveries, nor the
// reverse.
type userIndex struct {
	mu        sync.Mutex
	byUser    map[uuid.UUID]map[*UserStream]struct{}
	bySession map[uuid.UUID]map[*UserStream]struct{}
	count     int // streams indexed, for Stats
}

func (x *userIndex) add(s *UserStream) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.byUser == nil {
		x.byUser, x.bySession = map[uuid.UUID]map[*UserStream]struct{}{}, map[uuid.UUID]map[*UserStream]struct{}{}
	}
	index(x.byUser, s.user, s)
	index(x.bySession, s.session, s)
	x.count++
}

func (x *userIndex) remove(s *UserStream, why error) {
	x.mu.Lock()
	if _, ok := x.byUser[s.user][s]; ok {
		x.count--
	}
	unindex(x.byUser, s.user, s)
	unindex(x.bySession, s.session, s)
	x.mu.Unlock()
	s.end(why)
}

// ofUsers returns the streams of the users ids.
func (x *userIndex) ofUsers(ids []uuid.UUID) []*UserStream {
	x.mu.Lock()
	defer x.mu.Unlock()
	return collect(x.byUser, ids)
}

// ofSessions returns the streams of the sessions ids.
func (x *userIndex) ofSessions(ids []uuid.UUID) []*UserStream {
	x.mu.Lock()
	defer x.mu.Unlock()
	return collect(x.bySession, ids)
}

// all returns every stream.
func (x *userIndex) all() []*UserStream {
	x.mu.Lock()
	defer x.mu.Unlock()
	var out []*UserStream
	for _, set := range x.byUser {
		for s := range set {
			out = append(out, s)
		}
	}
	return out
}

func collect(m map[uuid.UUID]map[*UserStream]struct{}, keys []uuid.UUID) []*UserStream {
	var out []*UserStream
	for _, k := range keys {
		for s := range m[k] {
			out = append(out, s)
		}
	}
	return out
}

func index(m map[uuid.UUID]map[*UserStream]struct{}, key uuid.UUID, s *UserStream) {
	if m[key] == nil {
		m[key] = map[*UserStream]struct{}{}
	}
	m[key][s] = struct{}{}
}

func unindex(m map[uuid.UUID]map[*UserStream]struct{}, key uuid.UUID, s *UserStream) {
	if set := m[key]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(m, key)
		}
	}
}

// SubscribeUser starts a stream of user's changes for a socket of session
// (it ends with ErrSessionEnded when that session ends, on any instance).
// Only changes committed from now on are delivered: a client lists its
// rooms after subscribing.
func (h *Hub) SubscribeUser(user, session uuid.UUID) *UserStream {
	ch := make(chan UserEvent, UserStreamBuffer)
	s := &UserStream{Events: ch, events: ch, user: user, session: session, hub: h}
	h.users.add(s)
	h.metrics.SocketOpened(StreamUser)
	return s
}

// userNotice queues a notice's change on each named user's streams.
func (h *Hub) userNotice(payload string) {
	n, err := models.ParseUserNotice(payload)
	if err != nil {
		h.log.Warn("ignored a notification that is not a user notice", "payload", payload)
		return
	}
	e := UserEvent{Kind: n.Kind, Room: n.Room}
	for _, s := range h.users.ofUsers(n.Users) {
		s.mu.Lock()
		full := false
		if !s.closed {
			select {
			case s.events <- e:
			default:
				full = true
			}
		}
		s.mu.Unlock()
		if full {
			h.metrics.SlowClosed(StreamUser)
			h.users.remove(s, ErrTooSlow)
		}
	}
}

// userSessionsEnded ends the user streams of the sessions a session notice
// names, as sessionsEnded does for room subscriptions.
func (h *Hub) userSessionsEnded(ids []uuid.UUID) {
	for _, s := range h.users.ofSessions(ids) {
		h.users.remove(s, ErrSessionEnded)
	}
}

// endUserStreams ends every user stream with why: ErrUserResync when the
// hub starts listening again (notices of the gap are lost), ErrShutdown
// when it stops.
func (h *Hub) endUserStreams(why error) {
	for _, s := range h.users.all() {
		h.users.remove(s, why)
	}
}
