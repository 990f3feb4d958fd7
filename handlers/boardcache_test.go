package handlers

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"

	"github.com/google/uuid"
)

// TestBoardCacheBudget: one entry per (room, role), replaced by a newer
// tag; the least recently used go first past the budget; a body over a
// quarter of it is not kept; a nil cache keeps nothing.
func TestBoardCacheBudget(t *testing.T) {
	t.Parallel()
	body := func(n int) []byte { return bytes.Repeat([]byte("x"), n) }
	c := newBoardCache(1000) // each body costs twice its length
	a, b, d := uuid.New(), uuid.New(), uuid.New()
	c.put(a, "owner", "t1", body(100))
	c.put(b, "owner", "t1", body(100))
	if c.get(a, "owner", "t1") == nil || c.get(b, "owner", "t1") == nil {
		t.Fatal("a board just kept is not found")
	}
	if c.get(a, "viewer", "t1") != nil || c.get(a, "owner", "t0") != nil {
		t.Fatal("found under another role or tag")
	}
	c.put(a, "owner", "t2", body(100))
	if c.get(a, "owner", "t1") != nil || c.get(a, "owner", "t2") == nil || c.size != 400 {
		t.Fatalf("a newer tag did not replace the older (size %d)", c.size)
	}
	// Three more fill the budget (5 × 200); a is used again, so the next
	// one takes the room of b, the least recently used.
	for range 3 {
		c.put(uuid.New(), "owner", "t1", body(100))
	}
	c.get(a, "owner", "t2")
	c.put(d, "owner", "t1", body(100))
	if c.get(b, "owner", "t1") != nil || c.get(a, "owner", "t2") == nil || c.get(d, "owner", "t1") == nil || c.size != 1000 {
		t.Fatalf("eviction did not take the least recently used board (size %d)", c.size)
	}
	if c.put(uuid.New(), "owner", "t1", body(126)) != nil {
		t.Fatal("kept a body over a quarter of the budget")
	}
	var none *boardCache
	if none.put(a, "owner", "t", body(1)) != nil || none.get(a, "owner", "t") != nil || newBoardCache(0) != nil {
		t.Fatal("a nil cache kept something")
	}
}

// TestBoardCacheNeverStale: with the cache and without it the board reads
// the same after every kind of change (cards, a label, a member, a role, a
// member's display name), for each reader's role, and a kept board sent
// compressed decodes to the same bytes.
func TestBoardCacheNeverStale(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	uncached := newRouter(t, Deps{Store: e.store, Tokens: e.tokens, Hasher: e.hasher, BoardCacheBytes: -1})
	owner, viewer := e.user(t, "owner"), e.user(t, "viewer")
	room := e.createRoom(t, owner, "cached")
	col := e.createColumn(t, owner, room.ID, "todo")
	e.addMemberAs(t, owner, room.ID, viewer, "viewer")
	for i := range 30 {
		e.createCard(t, owner, col.ID, "a card with a title long enough "+string(rune('a'+i%26)))
	}
	card := e.createCard(t, owner, col.ID, "the one that moves")
	same := func(step string) {
		t.Helper()
		for _, u := range []boardUser{owner, viewer} {
			c := apiCall(http.MethodGet, roomPath(room.ID), u, nil)
			for range 2 { // the second read of each is from the cache
				got := e.send(t, c)
				want := c.do(uncached)
				if got.Code != 200 || want.Code != 200 || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) ||
					got.Header().Get("ETag") != want.Header().Get("ETag") {
					t.Fatalf("after %s: %s with the cache = %d %s (ETag %s), without = %d %s (ETag %s)", step, c,
						got.Code, clip(got.Body.String()), got.Header().Get("ETag"), want.Code, clip(want.Body.String()), want.Header().Get("ETag"))
				}
			}
			gz := c
			gz.header = http.Header{"Accept-Encoding": {"gzip"}}
			rec := e.send(t, gz)
			if rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("ETag") != "W/"+c.do(uncached).Header().Get("ETag") {
				t.Fatalf("after %s: compressed read has Content-Encoding %q and ETag %q", step, rec.Header().Get("Content-Encoding"), rec.Header().Get("ETag"))
			}
			zr, err := gzip.NewReader(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			plain, _ := io.ReadAll(zr)
			if want := c.do(uncached).Body.Bytes(); !bytes.Equal(plain, want) {
				t.Fatalf("after %s: the compressed board decodes to %s, want %s", step, clip(string(plain)), clip(string(want)))
			}
		}
	}
	same("creating the board")
	e.expect(t, apiCall(http.MethodPost, cardPath(card.ID)+"/move", owner, jsonObj{"column_id": col.ID, "position": 0}), ok(http.StatusOK))
	same("a move")
	e.createLabel(t, owner, room.ID, "urgent", "red")
	same("a new label")
	e.expect(t, patchMeCall(viewer.Token, jsonObj{"display_name": "Renamed Viewer"}), ok(http.StatusOK))
	same("a member's new display name")
	e.expect(t, apiCall(http.MethodPatch, roomPath(room.ID)+"/members/"+viewer.ID.String(), owner, jsonObj{"role": "member"}), ok(http.StatusOK))
	same("a role change")
}
