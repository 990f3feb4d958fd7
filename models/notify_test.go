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
