package realtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/database"
	"github.com/syncboard/syncboard/internal/faultproxy"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// instance is one server's database pool and Store on a shared database.
func instance(t *testing.T, dbURL string) *models.Store {
	t.Helper()
	db, err := database.Open(context.Background(), dbURL, database.Options{MaxOpenConns: 10, MaxIdleConns: 5, ConnMaxLifetime: time.Minute, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { database.Close(db) })
	return models.NewStore(db)
}

func startHub(t *testing.T, store *models.Store, listenURL string) *Hub {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := NewHub(store, listenURL, quiet)
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return h
}

type board struct {
	owner uuid.UUID
	room  uuid.UUID
	cols  []uuid.UUID
	cards []uuid.UUID
}

func newBoard(t *testing.T, s *models.Store) board {
	t.Helper()
	ctx := context.Background()
	u, err := s.CreateUser(ctx, models.NewUser{Email: uuid.NewString() + "@rt.test", PasswordHash: []byte("x"), DisplayName: "rt", Now: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := s.CreateRoom(ctx, u.ID, "realtime")
	b := board{owner: u.ID, room: r.ID}
	for i := range 2 {
		c, err := s.CreateColumn(ctx, u.ID, r.ID, fmt.Sprint("c", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		b.cols = append(b.cols, c.ID)
		for range 5 {
			card, err := s.CreateCard(ctx, u.ID, c.ID, models.NewCard{Title: "card"})
			if err != nil {
				t.Fatal(err)
			}
			b.cards = append(b.cards, card.ID)
		}
	}
	return b // version 13: 2 columns and 10 cards after creation
}

// receive reads n events and checks they are versions from+1 .. from+n.
func receive(t *testing.T, sub *Subscription, from int64, n int) {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for i := range n {
		select {
		case e, ok := <-sub.Events:
			if !ok {
				t.Fatalf("subscription ended after %d of %d events: %v", i, n, sub.Err())
			}
			if want := from + int64(i) + 1; e.Version != want {
				t.Fatalf("event %d has version %d, want %d (in order, exactly once)", i, e.Version, want)
			}
		case <-timeout:
			t.Fatalf("received %d of %d events within 60s", i, n)
		}
	}
	select {
	case e, ok := <-sub.Events:
		if ok {
			t.Fatalf("an extra event arrived: version %d", e.Version)
		}
	case <-time.After(200 * time.Millisecond):
	}
}

// TestEventsCrossInstances: changes made through instance B reach a
// subscriber on instance A, in order and exactly once, including a burst of
// concurrent moves.
func TestEventsCrossInstances(t *testing.T) {
	t.Parallel()
	dbURL := testdb.New(t)
	storeA, storeB := instance(t, dbURL), instance(t, dbURL)
	hubA := startHub(t, storeA, dbURL)
	b := newBoard(t, storeB)
	sub := hubA.Subscribe(b.room, uuid.New(), 13)
	defer sub.Close()

	var wg sync.WaitGroup
	var mu sync.Mutex
	moves := 0
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				_, err := storeB.MoveCard(context.Background(), b.owner, b.cards[(w+i)%len(b.cards)], b.cols[(w+i)%2], i%4)
				if err != nil {
					t.Errorf("move: %v", err)
					return
				}
				mu.Lock()
				moves++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	receive(t, sub, 13, moves)
}

// TestSubscribeWithSinceReplays: a client that comes back with since gets
// what it missed, and nothing twice.
func TestSubscribeWithSinceReplays(t *testing.T) {
	t.Parallel()
	dbURL := testdb.New(t)
	store := instance(t, dbURL)
	hub := startHub(t, store, dbURL)
	b := newBoard(t, store) // versions 2..13 already committed
	sub := hub.Subscribe(b.room, uuid.New(), 5)
	defer sub.Close()
	receive(t, sub, 5, 8) // 6..13
	if _, err := store.MoveCard(context.Background(), b.owner, b.cards[0], b.cols[1], 0); err != nil {
		t.Fatal(err)
	}
	receive(t, sub, 13, 1)
}

// TestListenerCutLosesNothing: events committed while the listening
// connection is cut arrive after it reconnects, in order.
func TestListenerCutLosesNothing(t *testing.T) {
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
	b := newBoard(t, store)
	sub := hub.Subscribe(b.room, uuid.New(), 13)
	defer sub.Close()
	if _, err := store.MoveCard(context.Background(), b.owner, b.cards[0], b.cols[1], 0); err != nil {
		t.Fatal(err)
	}
	receive(t, sub, 13, 1)

	proxy.Cut()
	for i := range 10 {
		if _, err := store.MoveCard(context.Background(), b.owner, b.cards[i], b.cols[i%2], 0); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	proxy.Restore()
	receive(t, sub, 14, 10)
}

// TestSlowSubscriberHoldsUpNobody: a subscriber that stops reading holds
// up neither the hub nor the others, is not closed for it, and when it
// reads again it gets every event it missed, in order, far past the ring.
func TestSlowSubscriberHoldsUpNobody(t *testing.T) {
	t.Parallel()
	dbURL := testdb.New(t)
	store := instance(t, dbURL)
	hub := startHub(t, store, dbURL)
	b := newBoard(t, store)
	slow := hub.Subscribe(b.room, uuid.New(), 13)
	defer slow.Close()
	fast := hub.Subscribe(b.room, uuid.New(), 13)
	defer fast.Close()
	n := RingSize*2 + 20
	got := make(chan int)
	go func() {
		c := 0
		for range fast.Events {
			if c++; c == n {
				break
			}
		}
		got <- c
	}()
	for i := range n {
		if _, err := store.MoveCard(context.Background(), b.owner, b.cards[i%len(b.cards)], b.cols[i%2], 0); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case c := <-got:
		if c != n {
			t.Errorf("the reading subscriber got %d of %d events", c, n)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the reading subscriber was held up")
	}
	receive(t, slow, 13, n)
}

// TestLongResume: a subscriber that starts thousands of events behind gets
// every one, in order, then live ones.
func TestLongResume(t *testing.T) {
	t.Parallel()
	dbURL := testdb.New(t)
	store := instance(t, dbURL)
	hub := startHub(t, store, dbURL)
	b := newBoard(t, store)
	const extra = 5000
	db, err := database.Open(context.Background(), dbURL, database.Options{MaxOpenConns: 1, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer database.Close(db)
	if err := db.Exec(`INSERT INTO room_events (id, room_id, version, type, actor_id, at, data)
SELECT gen_random_uuid(), ?, v, 'room.updated', ?, now(), jsonb_build_object('name', 'n' || v)
FROM generate_series(14, 13 + ?) AS v`, b.room, b.owner, extra).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("UPDATE rooms SET version = ? WHERE id = ?", 13+extra, b.room).Error; err != nil {
		t.Fatal(err)
	}
	sub := hub.Subscribe(b.room, uuid.New(), 1)
	defer sub.Close()
	receive(t, sub, 1, 12+extra)
	if _, err := store.MoveCard(context.Background(), b.owner, b.cards[0], b.cols[1], 0); err != nil {
		t.Fatal(err)
	}
	receive(t, sub, 13+extra, 1)
}

// TestShutdownEndsSubscriptions: when the hub stops, every subscription
// ends with ErrShutdown (sockets then close with "going away").
func TestShutdownEndsSubscriptions(t *testing.T) {
	t.Parallel()
	dbURL := testdb.New(t)
	store := instance(t, dbURL)
	ctx, cancel := context.WithCancel(context.Background())
	h := NewHub(store, dbURL, quiet)
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }()
	sub := h.Subscribe(uuid.New(), uuid.New(), 1)
	cancel()
	<-done
	select {
	case _, ok := <-sub.Events:
		if ok || !errors.Is(sub.Err(), ErrShutdown) {
			t.Errorf("after shutdown: ok=%v err=%v; want closed with ErrShutdown", ok, sub.Err())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the subscription outlived the hub")
	}
}

// TestSessionEndClosesSubscriptions: a session ended through instance B
// (logout-all) ends, at once, the subscriptions of that session on
// instance A, and only those.
func TestSessionEndClosesSubscriptions(t *testing.T) {
	t.Parallel()
	dbURL := testdb.New(t)
	storeA, storeB := instance(t, dbURL), instance(t, dbURL)
	hubA := startHub(t, storeA, dbURL)
	b := newBoard(t, storeB)
	ctx := context.Background()
	start := func() models.Started {
		t.Helper()
		u, err := storeB.UserByID(ctx, b.owner)
		if err != nil {
			t.Fatal(err)
		}
		s, err := storeB.SignIn(ctx, b.owner, []byte(u.PasswordHash), nil,
			models.SessionStart{Now: time.Now().UTC().Truncate(time.Microsecond), TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ended, kept := start(), start()
	gone := hubA.Subscribe(b.room, ended.Session.ID, 13)
	defer gone.Close()
	stays := hubA.Subscribe(b.room, uuid.New(), 13)
	defer stays.Close()
	time.Sleep(200 * time.Millisecond) // the hub is listening
	if err := storeB.EndSession(ctx, b.owner, ended.Session.ID); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	select {
	case _, ok := <-gone.Events:
		if ok {
			t.Fatal("an event arrived instead of the end")
		}
		if !errors.Is(gone.Err(), ErrSessionEnded) {
			t.Fatalf("ended with %v, want ErrSessionEnded", gone.Err())
		}
		t.Logf("subscription ended %s after the session's end committed", time.Since(began))
	case <-time.After(time.Second):
		t.Fatal("the subscription of an ended session was still open after 1 s")
	}
	if err := storeB.EndSession(ctx, b.owner, kept.Session.ID); err != nil {
		t.Fatal(err)
	}
	select {
	case _, ok := <-stays.Events:
		t.Fatalf("another session's subscription changed (ok=%v, err=%v)", ok, stays.Err())
	case <-time.After(300 * time.Millisecond):
	}
}
