package realtime

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/internal/faultproxy"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

func newUser(t *testing.T, s *models.Store) uuid.UUID {
	t.Helper()
	u, err := s.CreateUser(context.Background(), models.NewUser{Email: uuid.NewString() + "@rt.test", PasswordHash: []byte("x"), DisplayName: "rt", Now: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// nextUserEvent waits for the stream's next change.
func nextUserEvent(t *testing.T, s *UserStream) UserEvent {
	t.Helper()
	select {
	case e, ok := <-s.Events:
		if !ok {
			t.Fatalf("the stream ended: %v", s.Err())
		}
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no change within 10 s")
	}
	return UserEvent{}
}

// requireUserEnd waits for the stream to end with want.
func requireUserEnd(t *testing.T, s *UserStream, want error) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-s.Events:
			if !ok {
				if !errors.Is(s.Err(), want) {
					t.Fatalf("the stream ended with %v, want %v", s.Err(), want)
				}
				return
			}
		case <-deadline:
			t.Fatalf("the stream did not end (want %v)", want)
		}
	}
}

// TestUserStreamsAcrossInstances: changes committed through instance B
// reach the named users' streams on instance A, in commit order, and no
// one else's; a user's two streams both get them.
func TestUserStreamsAcrossInstances(t *testing.T) {
	t.Parallel()
	dbURL := testdb.New(t)
	storeA, storeB := instance(t, dbURL), instance(t, dbURL)
	hubA := startHub(t, storeA, dbURL)
	owner, other := newUser(t, storeB), newUser(t, storeB)
	time.Sleep(200 * time.Millisecond) // the hub is listening
	one, two := hubA.SubscribeUser(owner, uuid.New()), hubA.SubscribeUser(owner, uuid.New())
	defer one.Close()
	defer two.Close()
	bystander := hubA.SubscribeUser(other, uuid.New())
	defer bystander.Close()

	ctx := context.Background()
	r, err := storeB.CreateRoom(ctx, owner, "mine")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storeB.RenameRoom(ctx, owner, r.ID, "renamed"); err != nil {
		t.Fatal(err)
	}
	if err := storeB.DeleteRoomAs(ctx, owner, r.ID); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*UserStream{one, two} {
		for _, want := range []string{models.UserRoomAdded, models.UserRoomUpdated, models.UserRoomRemoved} {
			if e := nextUserEvent(t, s); e.Kind != want || e.Room != r.ID {
				t.Fatalf("got %+v, want %s of %s", e, want, r.ID)
			}
		}
	}
	select {
	case e, ok := <-bystander.Events:
		t.Fatalf("another user's stream got %+v (open %v)", e, ok)
	case <-time.After(300 * time.Millisecond):
	}
}

// TestUserStreamsEndWhenTheListenerReconnects: user notices are not
// stored, so a stream open across a cut of the listener may have missed
// some; it ends with ErrUserResync when the hub listens again.
func TestUserStreamsEndWhenTheListenerReconnects(t *testing.T) {
	t.Parallel()
	dbURL := testdb.New(t)
	u, _ := url.Parse(dbURL)
	proxy, err := faultproxy.Start(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	u.Host = proxy.Addr()
	store := instance(t, dbURL)
	hub := startHub(t, store, u.String()) // only the listener goes through the proxy
	user := newUser(t, store)
	time.Sleep(200 * time.Millisecond) // the hub is listening
	s := hub.SubscribeUser(user, uuid.New())
	defer s.Close()
	proxy.Cut()
	if _, err := store.CreateRoom(context.Background(), user, "while cut"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	proxy.Restore()
	requireUserEnd(t, s, ErrUserResync)
}

// TestSlowUserStreamIsClosed: a stream whose reader stops is closed with
// ErrTooSlow once UserStreamBuffer changes wait.
func TestSlowUserStreamIsClosed(t *testing.T) {
	t.Parallel()
	dbURL := testdb.New(t)
	store := instance(t, dbURL)
	hub := startHub(t, store, dbURL)
	user := newUser(t, store)
	time.Sleep(200 * time.Millisecond) // the hub is listening
	s := hub.SubscribeUser(user, uuid.New())
	for range UserStreamBuffer + 1 {
		if _, err := store.CreateRoom(context.Background(), user, "one more"); err != nil {
			t.Fatal(err)
		}
	}
	// Not read: reading would make room.
	deadline := time.Now().Add(10 * time.Second)
	for s.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !errors.Is(s.Err(), ErrTooSlow) {
		t.Fatalf("the unread stream ended with %v, want ErrTooSlow", s.Err())
	}
}

// TestShutdownEndsUserStreams: when the hub stops, its user streams end
// with ErrShutdown.
func TestShutdownEndsUserStreams(t *testing.T) {
	t.Parallel()
	dbURL := testdb.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	h := NewHub(instance(t, dbURL), dbURL, quiet)
	s := h.SubscribeUser(uuid.New(), uuid.New())
	// Stopped before it listens: a first LISTEN would end the stream
	// with ErrUserResync instead.
	cancel()
	h.Run(ctx)
	requireUserEnd(t, s, ErrShutdown)
}
