package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

// TestStillAllowedMany: the batched re-check of open sockets answers each
// claim as StillAllowed would, in order, across its chunks of a thousand.
func TestStillAllowedMany(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	user := func(name string) (models.User, uuid.UUID) {
		u, err := store.CreateUser(ctx, models.NewUser{Email: uuid.NewString() + "@check.test", PasswordHash: []byte("x"), DisplayName: name, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		s, err := store.SignIn(ctx, u.ID, []byte("x"), nil, models.SessionStart{Now: now, TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return u, s.Session.ID
	}
	ann, annSession := user("ann")
	bob, bobSession := user("bob")
	room, err := store.CreateRoom(ctx, ann.ID, "checked")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddMember(ctx, ann.ID, room.ID, bob.Email, ""); err != nil {
		t.Fatal(err)
	}
	second, err := store.SignIn(ctx, ann.ID, []byte("x"), nil, models.SessionStart{Now: now, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	endedSession := second.Session.ID
	if err := store.EndSession(ctx, ann.ID, endedSession); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		a    models.Access
		want bool
	}{
		{"the owner", models.Access{User: ann.ID, Session: annSession, Room: room.ID}, true},
		{"a member", models.Access{User: bob.ID, Session: bobSession, Room: room.ID}, true},
		{"someone else's session", models.Access{User: bob.ID, Session: annSession, Room: room.ID}, false},
		{"an unknown session", models.Access{User: ann.ID, Session: uuid.New(), Room: room.ID}, false},
		{"another room", models.Access{User: ann.ID, Session: annSession, Room: uuid.New()}, false},
		{"an ended session", models.Access{User: ann.ID, Session: endedSession, Room: room.ID}, false},
	}
	var list []models.Access
	var want []bool
	for len(list) < 2500 { // three chunks
		for _, c := range cases {
			list = append(list, c.a)
			want = append(want, c.want)
		}
	}
	got, err := store.StillAllowedMany(ctx, list)
	if err != nil {
		t.Fatal(err)
	}
	for i := range list {
		if got[i] != want[i] {
			t.Fatalf("claim %d (%s) = %v, want %v", i, cases[i%len(cases)].name, got[i], want[i])
		}
	}
	// Bob leaves: his claim fails from then on.
	if err := store.RemoveMember(ctx, bob.ID, room.ID, bob.ID); err != nil {
		t.Fatal(err)
	}
	got, err = store.StillAllowedMany(ctx, list[:2])
	if err != nil || !got[0] || got[1] {
		t.Errorf("after bob left: %v, %v; want [true false]", got, err)
	}
}
