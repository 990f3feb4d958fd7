package realtime

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

// recorder is a Metrics that keeps what the hub reports.
type recorder struct {
	mu        sync.Mutex
	opened    map[string]int
	slow      map[string]int
	delivered int
	delays    []time.Duration // of live events
}

func newRecorder() *recorder { return &recorder{opened: map[string]int{}, slow: map[string]int{}} }

func (r *recorder) SocketOpened(stream string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opened[stream]++
}

func (r *recorder) EventDelivered(delay time.Duration, live bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delivered++
	if live {
		r.delays = append(r.delays, delay)
	}
}

func (r *recorder) SlowClosed(stream string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.slow[stream]++
}

func (r *recorder) snapshot() (delivered int, delays []time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.delivered, append([]time.Duration(nil), r.delays...)
}

// TestHubMetrics: the hub reports sockets opened, every event handed out
// (replays too) and the delay of live ones only, and Stats follows sockets
// and rooms as they open and close.
func TestHubMetrics(t *testing.T) {
	t.Parallel()
	store, hub, rec := recordedHub(t)

	if st := hub.Stats(); st != (Stats{}) {
		t.Fatalf("Stats of an idle hub = %+v, want zeros", st)
	}
	b := newBoard(t, store) // versions 2..13 committed before anyone subscribes
	replay := hub.Subscribe(b.room, uuid.New(), 5)
	live := hub.Subscribe(b.room, uuid.New(), 13)
	user := hub.SubscribeUser(b.owner, uuid.New())
	if st, want := hub.Stats(), (Stats{RoomSockets: 2, UserSockets: 1, Rooms: 1}); st != want {
		t.Errorf("Stats with two room sockets and a user stream = %+v, want %+v", st, want)
	}
	receive(t, replay, 5, 8) // 6..13: replays, not timed
	if n, delays := rec.snapshot(); n != 8 || len(delays) != 0 {
		t.Errorf("after a replay of 8: delivered %d, timed %d; want 8, 0", n, len(delays))
	}
	if _, err := store.MoveCard(context.Background(), b.owner, b.cards[0], b.cols[1], 0); err != nil {
		t.Fatal(err)
	}
	receive(t, replay, 13, 1)
	receive(t, live, 13, 1)
	n, delays := rec.snapshot()
	if n != 10 || len(delays) != 2 {
		t.Fatalf("after one live event to two sockets: delivered %d, timed %d; want 10, 2", n, len(delays))
	}
	for _, d := range delays {
		if d < 0 || d > 30*time.Second {
			t.Errorf("commit-to-socket delay %s, want between 0 and the test's duration", d)
		}
	}

	replay.Close()
	replay.Close() // twice: counted once
	if st, want := hub.Stats(), (Stats{RoomSockets: 1, UserSockets: 1, Rooms: 1}); st != want {
		t.Errorf("Stats after one room socket closed = %+v, want %+v", st, want)
	}
	live.CloseTooSlow()
	if !errors.Is(live.Err(), ErrTooSlow) {
		t.Errorf("CloseTooSlow ended the subscription with %v, want ErrTooSlow", live.Err())
	}
	user.Close()
	if st := hub.Stats(); st != (Stats{}) {
		t.Errorf("Stats after every socket closed = %+v, want zeros", st)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.opened[StreamRoom] != 2 || rec.opened[StreamUser] != 1 {
		t.Errorf("sockets opened = %v, want room 2, user 1", rec.opened)
	}
	if rec.slow[StreamRoom] != 1 || rec.slow[StreamUser] != 0 {
		t.Errorf("slow closes = %v, want room 1", rec.slow)
	}
}

// TestSlowUserStreamIsCounted: a user stream closed for letting its
// buffer fill is reported as a slow close.
func TestSlowUserStreamIsCounted(t *testing.T) {
	t.Parallel()
	store, hub, rec := recordedHub(t)
	user := newUser(t, store)
	time.Sleep(200 * time.Millisecond) // the hub is listening
	s := hub.SubscribeUser(user, uuid.New())
	for range UserStreamBuffer + 1 {
		if _, err := store.CreateRoom(context.Background(), user, "one more"); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !errors.Is(s.Err(), ErrTooSlow) {
		t.Fatalf("the unread stream ended with %v, want ErrTooSlow", s.Err())
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.slow[StreamUser] != 1 {
		t.Errorf("slow closes = %v, want user 1", rec.slow)
	}
	if st := hub.Stats(); st.UserSockets != 0 {
		t.Errorf("Stats after the slow stream closed = %+v, want no user socket", st)
	}
}

// recordedHub runs a hub on a fresh database with a recorder for its
// metrics, until the test ends.
func recordedHub(t *testing.T) (*models.Store, *Hub, *recorder) {
	t.Helper()
	dbURL := testdb.New(t)
	store := instance(t, dbURL)
	rec := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	hub := NewHub(store, dbURL, quiet)
	hub.SetMetrics(rec)
	done := make(chan struct{})
	go func() { hub.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return store, hub, rec
}
