package models_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

func TestNoticeRoundTrip(t *testing.T) {
	t.Parallel()
	room, actor := uuid.New(), uuid.New()
	for _, n := range []models.Notice{
		{Room: room, Version: 1},
		{Room: room, Version: 9_007_199_254_740_993},
		{Room: room, Version: 42, Deleted: true, Actor: actor},
	} {
		payload := n.Encode()
		got, err := models.ParseNotice(payload)
		if err != nil || got != n {
			t.Errorf("ParseNotice(%q) = %+v, %v; want %+v", payload, got, err, n)
		}
	}
	// The wire form is part of the contract between instances of different
	// builds during a rolling deploy: pin it.
	if got, want := (models.Notice{Room: room, Version: 7}).Encode(), room.String()+":7"; got != want {
		t.Errorf("Encode = %q, want %q", got, want)
	}
	if got, want := (models.Notice{Room: room, Version: 7, Deleted: true, Actor: actor}).Encode(),
		room.String()+":7:room.deleted:"+actor.String(); got != want {
		t.Errorf("Encode deleted = %q, want %q", got, want)
	}
}

func TestParseNoticeRefuses(t *testing.T) {
	t.Parallel()
	room, actor := uuid.NewString(), uuid.NewString()
	for _, payload := range []string{
		"",
		room,
		room + ":",
		room + ":x",
		room + ":0",
		room + ":-3",
		room + ":+3",
		room + ":3:",
		room + ":3:room.deleted",
		room + ":3:room.updated:" + actor,
		room + ":3:room.deleted:not-a-uuid",
		room + ":3:room.deleted:" + actor + ":extra",
		"not-a-uuid:3",
		"{" + room + "}:3",
		room + ":99999999999999999999",
		room + ":007",
		"urn:uuid:" + room + ":3",
		strings.ToUpper(room) + ":3",
	} {
		if n, err := models.ParseNotice(payload); !errors.Is(err, models.ErrBadNotice) {
			t.Errorf("ParseNotice(%q) = %+v, %v; want ErrBadNotice", payload, n, err)
		}
	}
}

func FuzzParseNotice(f *testing.F) {
	f.Add(uuid.NewString() + ":12")
	f.Add(uuid.NewString() + ":3:room.deleted:" + uuid.NewString())
	f.Fuzz(func(t *testing.T, payload string) {
		n, err := models.ParseNotice(payload)
		if err != nil {
			return
		}
		// Whatever parses is what Encode writes.
		if again := n.Encode(); again != payload {
			t.Fatalf("ParseNotice(%q) = %+v, which encodes as %q", payload, n, again)
		}
	})
}

func TestSessionsEndedChunksAndRoundTrips(t *testing.T) {
	t.Parallel()
	if got := (models.SessionsEnded{}).Encode(); len(got) != 0 {
		t.Errorf("no sessions encode as %q, want no payload", got)
	}
	ids := make([]uuid.UUID, 450)
	for i := range ids {
		ids[i] = uuid.New()
	}
	payloads := models.SessionsEnded{IDs: ids}.Encode()
	if len(payloads) != 3 {
		t.Fatalf("450 sessions in %d payloads, want 3", len(payloads))
	}
	var back []uuid.UUID
	for _, p := range payloads {
		if len(p) >= 8000 {
			t.Errorf("a payload of %d bytes; PostgreSQL refuses 8,000 and more", len(p))
		}
		n, err := models.ParseSessionsEnded(p)
		if err != nil {
			t.Fatalf("ParseSessionsEnded(%.60q...) = %v", p, err)
		}
		back = append(back, n.IDs...)
	}
	if len(back) != len(ids) {
		t.Fatalf("%d sessions came back, want %d", len(back), len(ids))
	}
	for i := range ids {
		if back[i] != ids[i] {
			t.Fatalf("session %d came back as %s, want %s", i, back[i], ids[i])
		}
	}
	for _, bad := range []string{"", ",", uuid.NewString() + ",", strings.ToUpper(uuid.NewString()), "x", uuid.NewString() + ":1"} {
		if _, err := models.ParseSessionsEnded(bad); !errors.Is(err, models.ErrBadNotice) {
			t.Errorf("ParseSessionsEnded(%q) = %v, want ErrBadNotice", bad, err)
		}
	}
}

func FuzzParseSessionsEnded(f *testing.F) {
	f.Add(uuid.NewString() + "," + uuid.NewString())
	f.Fuzz(func(t *testing.T, payload string) {
		n, err := models.ParseSessionsEnded(payload)
		if err != nil {
			return
		}
		if got := n.Encode(); len(got) != 1 || got[0] != payload {
			t.Fatalf("ParseSessionsEnded(%q) = %v, which encodes as %q", payload, n.IDs, got)
		}
	})
}

func TestUserNoticeChunksAndRoundTrips(t *testing.T) {
	t.Parallel()
	room := uuid.New()
	if got := (models.UserNotice{Kind: models.UserRoomRemoved, Room: room}).Encode(); len(got) != 0 {
		t.Errorf("no users encode as %q, want no payload", got)
	}
	users := make([]uuid.UUID, 450)
	for i := range users {
		users[i] = uuid.New()
	}
	for _, kind := range []string{models.UserRoomAdded, models.UserRoomUpdated, models.UserRoomRemoved} {
		payloads := models.UserNotice{Kind: kind, Room: room, Users: users}.Encode()
		if len(payloads) != 3 {
			t.Fatalf("450 users in %d payloads, want 3", len(payloads))
		}
		var back []uuid.UUID
		for _, p := range payloads {
			if len(p) >= 8000 {
				t.Errorf("a payload of %d bytes; PostgreSQL refuses 8,000 and more", len(p))
			}
			n, err := models.ParseUserNotice(p)
			if err != nil {
				t.Fatalf("ParseUserNotice(%.60q...) = %v", p, err)
			}
			if n.Kind != kind || n.Room != room {
				t.Fatalf("ParseUserNotice(%.60q...) = %s of %s, want %s of %s", p, n.Kind, n.Room, kind, room)
			}
			back = append(back, n.Users...)
		}
		if len(back) != len(users) {
			t.Fatalf("%d users came back, want %d", len(back), len(users))
		}
		for i := range users {
			if back[i] != users[i] {
				t.Fatalf("user %d came back as %s, want %s", i, back[i], users[i])
			}
		}
	}
	u := uuid.NewString()
	for _, bad := range []string{"", "room.added", "room.added:" + room.String(), "room.added:" + room.String() + ":",
		"room.deleted:" + room.String() + ":" + u, "room.added:" + strings.ToUpper(room.String()) + ":" + u,
		"room.added:" + room.String() + ":" + u + ",", "room.added:" + room.String() + ":" + u + ":" + u, room.String() + ":1"} {
		if _, err := models.ParseUserNotice(bad); !errors.Is(err, models.ErrBadNotice) {
			t.Errorf("ParseUserNotice(%q) = %v, want ErrBadNotice", bad, err)
		}
	}
}

func FuzzParseUserNotice(f *testing.F) {
	f.Add("room.added:" + uuid.NewString() + ":" + uuid.NewString() + "," + uuid.NewString())
	f.Fuzz(func(t *testing.T, payload string) {
		n, err := models.ParseUserNotice(payload)
		if err != nil {
			return
		}
		if got := n.Encode(); len(got) != 1 || got[0] != payload {
			t.Fatalf("ParseUserNotice(%q) = %+v, which encodes as %q", payload, n, got)
		}
	})
}
