package realtime

import "time"

// Streams, as Metrics and Stats name them: a room socket's subscription
// (Subscribe) or a user's own stream (SubscribeUser).
const (
	StreamRoom = "room"
	StreamUser = "user"
)

// Metrics receives what the hub measures as it happens; package metrics
// implements it with Prometheus, and a hub without one (SetMetrics never
// called) measures nothing. What can be read at any time (how many sockets
// and rooms) is not pushed here: Stats reads it when asked.
type Metrics interface {
	// SocketOpened: a socket of stream subscribed.
	SocketOpened(stream string)
	// EventDelivered: a room event was handed to its socket's writer,
	// delay after its commit. live is false for an event committed before
	// the socket subscribed (a replay after ?since=) or made up by the hub
	// (room.deleted): its delay says nothing about fan-out.
	EventDelivered(delay time.Duration, live bool)
	// SlowClosed: a socket of stream was closed because its client
	// stopped reading (close code 4008).
	SlowClosed(stream string)
}

type nopMetrics struct{}

func (nopMetrics) SocketOpened(string)                {}
func (nopMetrics) EventDelivered(time.Duration, bool) {}
func (nopMetrics) SlowClosed(string)                  {}

// SetMetrics makes the hub report to m. Call it before Run and before the
// first subscription.
func (h *Hub) SetMetrics(m Metrics) {
	if m == nil {
		m = nopMetrics{}
	}
	h.metrics = m
}

// Stats is what the hub holds at one moment.
type Stats struct {
	RoomSockets int // room subscriptions
	UserSockets int // user streams
	Rooms       int // rooms with at least one subscription
}

// Stats reads the hub's counts: O(1), under the hub's locks.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	st := Stats{RoomSockets: h.subCount, Rooms: len(h.rooms)}
	h.mu.Unlock()
	h.users.mu.Lock()
	st.UserSockets = h.users.count
	h.users.mu.Unlock()
	return st
}
