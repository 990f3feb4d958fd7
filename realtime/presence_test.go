package realtime

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

func TestRosterCountsSocketsPerUser(t *testing.T) {
	t.Parallel()
	ann, bob := uuid.New(), uuid.New()
	r := roster{}
	if !r.add(ann) || r.add(ann) || !r.add(bob) {
		t.Fatal("add must report only a user's first socket")
	}
	if r.remove(ann) || !r.remove(ann) || r.remove(ann) {
		t.Fatal("remove must report only a user's last socket, and a user without sockets is no change")
	}
	if got := r.users(); !slices.Equal(got, []uuid.UUID{bob}) {
		t.Errorf("users = %v, want [bob]", got)
	}
	r.add(ann)
	a, b := r.users(), r.users()
	if !slices.Equal(a, b) || len(a) != 2 || a[0].String() > a[1].String() {
		t.Errorf("users = %v, want two, sorted, the same each time", a)
	}
	r.remove(ann)
	r.remove(bob)
	if !r.empty() {
		t.Errorf("roster = %v, want empty", r)
	}
}

func TestKeyTellsListsApart(t *testing.T) {
	t.Parallel()
	ann := api.PresenceUser{ID: uuid.New(), DisplayName: "Ann"}
	bob := api.PresenceUser{ID: uuid.New(), DisplayName: "Bob"}
	renamed := api.PresenceUser{ID: bob.ID, DisplayName: "Robert"}
	keys := map[string]bool{}
	for _, l := range [][]api.PresenceUser{nil, {ann}, {bob}, {ann, bob}, {bob, ann}, {ann, renamed}} {
		k := key(l)
		if k == "" || keys[k] {
			t.Errorf("key(%v) = %q: empty or not unique", l, k)
		}
		keys[k] = true
	}
	if key([]api.PresenceUser{ann}) != key([]api.PresenceUser{{ID: ann.ID, DisplayName: "Ann"}}) {
		t.Error("equal lists have different keys")
	}
}

func TestOfferKeepsOnlyTheLatest(t *testing.T) {
	t.Parallel()
	ch := make(chan api.Presence, 1)
	for i := range 3 {
		offer(ch, api.Presence{Type: api.MessagePresence, Users: make([]api.PresenceUser, i)})
	}
	if got := <-ch; len(got.Users) != 2 {
		t.Errorf("got the list of %d users, want the latest (2)", len(got.Users))
	}
	select {
	case m := <-ch:
		t.Errorf("an older list was kept too: %+v", m)
	default:
	}
}

func TestNilPresenceIsQuiet(t *testing.T) {
	t.Parallel()
	var p *Presence
	h := p.Join(uuid.New(), uuid.New())
	h.Leave()
	p.notice("x")
	p.relisten()
	select {
	case m := <-h.Updates:
		t.Errorf("a nil Presence sent %+v", m)
	default:
	}
}

// startPresence runs a hub and its presence on store with short timings,
// returning the presence and a function that shuts it down gracefully.
func startPresence(t *testing.T, store *models.Store, dbURL string) (*Presence, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := NewHub(store, dbURL, quiet)
	p := NewPresence(store, h, PresenceOptions{Heartbeat: 100 * time.Millisecond, Stale: time.Second, Debounce: 50 * time.Millisecond}, quiet)
	hubDone, presenceDone := make(chan struct{}), make(chan struct{})
	go func() { h.Run(ctx); close(hubDone) }()
	go func() { p.Run(ctx); close(presenceDone) }()
	stop := func() { cancel(); <-presenceDone; <-hubDone }
	t.Cleanup(stop)
	return p, func() { cancel(); <-presenceDone }
}

// await reads h until its list has exactly users (in any order).
func await(t *testing.T, h *Here, within time.Duration, users ...uuid.UUID) {
	t.Helper()
	deadline := time.After(within)
	var last []uuid.UUID
	for {
		select {
		case m := <-h.Updates:
			last = last[:0]
			for _, u := range m.Users {
				last = append(last, u.ID)
			}
			if len(last) == len(users) && !slices.ContainsFunc(users, func(u uuid.UUID) bool { return !slices.Contains(last, u) }) {
				return
			}
		case <-deadline:
			t.Fatalf("presence is %v, want %v within %s", last, users, within)
		}
	}
}

// TestPresenceRecovers: an instance swept while alive (paused, or cut off
// from the database) registers again at its next heartbeat and writes its
// rows again; one that shuts down says goodbye, and the others drop its
// users at once.
func TestPresenceRecovers(t *testing.T) {
	t.Parallel()
	dbURL := testdb.New(t)
	storeA, storeB := instance(t, dbURL), instance(t, dbURL)
	b := newBoard(t, storeA)
	ctx := context.Background()
	bob, err := storeA.CreateUser(ctx, models.NewUser{Email: uuid.NewString() + "@rt.test", PasswordHash: []byte("x"), DisplayName: "bob", Now: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storeA.AddMember(ctx, b.owner, b.room, bob.Email, models.RoleMember); err != nil {
		t.Fatal(err)
	}
	pa, stopA := startPresence(t, storeA, dbURL)
	pb, _ := startPresence(t, storeB, dbURL)
	owner := pa.Join(b.room, b.owner)
	defer owner.Leave()
	watch := pb.Join(b.room, bob.ID)
	defer watch.Leave()
	await(t, watch, 2*time.Second, b.owner, bob.ID)

	// Swept while alive: A's rows go, B hears of it, A comes back.
	if _, err := storeB.RemoveInstance(ctx, pa.Instance()); err != nil {
		t.Fatal(err)
	}
	await(t, watch, 2*time.Second, bob.ID)
	await(t, watch, 2*time.Second, b.owner, bob.ID)

	stopA()
	await(t, watch, time.Second, bob.ID)
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var rows int
	err = conn.QueryRow(ctx, "SELECT count(*) FROM instances WHERE id = $1", pa.Instance()).Scan(&rows)
	if err != nil || rows != 0 {
		t.Errorf("after its goodbye A is still registered (%d, %v)", rows, err)
	}
}
