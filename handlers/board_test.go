package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// These tests check what holds across every endpoint of the boards API
// (rooms, members, columns, cards): the room's version, who may do what,
// path IDs, unauthenticated requests, bad bodies and unlisted methods.

// TestRoomVersion: every successful mutating request adds exactly 1 to the
// room's version, a no-op move included; every refused one leaves it, and
// reads never touch it.
func TestRoomVersion(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, member, extra, outsider := e.user(t, "owner"), e.user(t, "member"), e.user(t, "extra"), e.user(t, "outsider")
	room := e.createRoom(t, owner, "versioned")
	_, otherCols := e.seedColumns(t, owner, "other room")
	if room.Version != 1 {
		t.Fatalf("created room has version %d, want 1", room.Version)
	}
	var colA, colB columnBody
	var card1, card2 cardBody
	members := roomPath(room.ID) + "/members"
	col := func(c *columnBody) func(*httptest.ResponseRecorder) {
		return func(rec *httptest.ResponseRecorder) { *c = requireColumn(t, "column", rec.Body.Bytes()) }
	}
	card := func(c *cardBody) func(*httptest.ResponseRecorder) {
		return func(rec *httptest.ResponseRecorder) { *c = requireCard(t, "card", rec.Body.Bytes()) }
	}
	steps := []struct {
		name string
		c    func() call
		want outcome
		then func(*httptest.ResponseRecorder)
	}{
		{"rename", func() call { return apiCall(http.MethodPatch, roomPath(room.ID), owner, jsonObj{"name": "renamed"}) }, ok(http.StatusOK), nil},
		{"rename to the same name", func() call { return apiCall(http.MethodPatch, roomPath(room.ID), owner, jsonObj{"name": "renamed"}) }, ok(http.StatusOK), nil},
		{"rename, broken name", func() call { return apiCall(http.MethodPatch, roomPath(room.ID), owner, jsonObj{"name": ""}) }, invalid("name"), nil},
		{"rename, wrong type", func() call { return apiCall(http.MethodPatch, roomPath(room.ID), owner, `{"name": false}`) }, badRequest, nil},
		{"add member", func() call { return apiCall(http.MethodPost, members, owner, jsonObj{"email": member.Email}) }, ok(http.StatusCreated), nil},
		{"rename by a member", func() call { return apiCall(http.MethodPatch, roomPath(room.ID), member, jsonObj{"name": "mine"}) }, forbidden403, nil},
		{"rename by a non-member", func() call { return apiCall(http.MethodPatch, roomPath(room.ID), outsider, jsonObj{"name": "mine"}) }, notFound404, nil},
		{"add the member again", func() call { return apiCall(http.MethodPost, members, owner, jsonObj{"email": member.Email}) }, refused(http.StatusConflict, models.CodeAlreadyMember), nil},
		{"add an unknown email", func() call { return apiCall(http.MethodPost, members, owner, jsonObj{"email": uniqueEmail("nobody")}) }, notFound404, nil},
		{"add an invalid email", func() call { return apiCall(http.MethodPost, members, owner, jsonObj{"email": "nope"}) }, invalid("email"), nil},
		{"a member adds", func() call { return apiCall(http.MethodPost, members, member, jsonObj{"email": extra.Email}) }, forbidden403, nil},
		{"add extra", func() call { return apiCall(http.MethodPost, members, owner, jsonObj{"email": extra.Email}) }, ok(http.StatusCreated), nil},
		{"list members", func() call { return apiCall(http.MethodGet, members, member, nil) }, ok(http.StatusOK), nil},
		{"create column A", func() call {
			return apiCall(http.MethodPost, roomPath(room.ID)+"/columns", member, jsonObj{"name": "A"})
		}, ok(http.StatusCreated), col(&colA)},
		{"create column B at 0", func() call {
			return apiCall(http.MethodPost, roomPath(room.ID)+"/columns", owner, jsonObj{"name": "B", "position": 0})
		}, ok(http.StatusCreated), col(&colB)},
		{"create column, negative", func() call {
			return apiCall(http.MethodPost, roomPath(room.ID)+"/columns", owner, jsonObj{"name": "C", "position": -1})
		}, invalid("position"), nil},
		{"create column by a non-member", func() call {
			return apiCall(http.MethodPost, roomPath(room.ID)+"/columns", outsider, jsonObj{"name": "C"})
		}, notFound404, nil},
		{"rename column", func() call { return apiCall(http.MethodPatch, columnPath(colA.ID), owner, jsonObj{"name": "A2"}) }, ok(http.StatusOK), nil},
		{"move column", func() call { return apiCall(http.MethodPatch, columnPath(colA.ID), owner, jsonObj{"position": 0}) }, ok(http.StatusOK), nil},
		{"move column where it is", func() call { return apiCall(http.MethodPatch, columnPath(colA.ID), owner, jsonObj{"position": 0}) }, ok(http.StatusOK), nil},
		{"patch column, broken name", func() call { return apiCall(http.MethodPatch, columnPath(colA.ID), owner, jsonObj{"name": nul}) }, invalid("name"), nil},
		{"patch column by a non-member", func() call { return apiCall(http.MethodPatch, columnPath(colA.ID), outsider, jsonObj{"name": "x"}) }, notFound404, nil},
		{"create card 1", func() call {
			return apiCall(http.MethodPost, columnPath(colA.ID)+"/cards", member, jsonObj{"title": "one"})
		}, ok(http.StatusCreated), card(&card1)},
		{"create card 2", func() call {
			return apiCall(http.MethodPost, columnPath(colA.ID)+"/cards", owner, jsonObj{"title": "two"})
		}, ok(http.StatusCreated), card(&card2)},
		{"create card, title too long", func() call {
			return apiCall(http.MethodPost, columnPath(colA.ID)+"/cards", owner, jsonObj{"title": strings.Repeat("t", 201)})
		}, invalid("title"), nil},
		{"get card", func() call { return apiCall(http.MethodGet, cardPath(card1.ID), member, nil) }, ok(http.StatusOK), nil},
		{"patch card", func() call { return apiCall(http.MethodPatch, cardPath(card1.ID), member, jsonObj{"title": "uno"}) }, ok(http.StatusOK), nil},
		{"patch card, empty", func() call { return apiCall(http.MethodPatch, cardPath(card1.ID), member, jsonObj{}) }, ok(http.StatusOK), nil},
		{"patch card, broken", func() call { return apiCall(http.MethodPatch, cardPath(card1.ID), member, jsonObj{"title": ""}) }, invalid("title"), nil},
		{"move card where it is", func() call {
			return apiCall(http.MethodPost, cardPath(card1.ID)+"/move", member, jsonObj{"column_id": colA.ID, "position": 0})
		}, ok(http.StatusOK), nil},
		{"move card down", func() call {
			return apiCall(http.MethodPost, cardPath(card1.ID)+"/move", member, jsonObj{"column_id": colA.ID, "position": 1})
		}, ok(http.StatusOK), nil},
		{"move card across", func() call {
			return apiCall(http.MethodPost, cardPath(card1.ID)+"/move", member, jsonObj{"column_id": colB.ID, "position": 0})
		}, ok(http.StatusOK), nil},
		{"move card to another room", func() call {
			return apiCall(http.MethodPost, cardPath(card1.ID)+"/move", owner, jsonObj{"column_id": otherCols["other room"].ID, "position": 0})
		}, invalid("column_id"), nil},
		{"move card to an unknown column", func() call {
			return apiCall(http.MethodPost, cardPath(card1.ID)+"/move", owner, jsonObj{"column_id": uuid.New(), "position": 0})
		}, notFound404, nil},
		{"move card, negative", func() call {
			return apiCall(http.MethodPost, cardPath(card1.ID)+"/move", owner, jsonObj{"column_id": colB.ID, "position": -1})
		}, invalid("position"), nil},
		{"delete card 2", func() call { return apiCall(http.MethodDelete, cardPath(card2.ID), member, nil) }, ok(http.StatusNoContent), nil},
		{"delete card 2 again", func() call { return apiCall(http.MethodDelete, cardPath(card2.ID), member, nil) }, notFound404, nil},
		{"delete card by a non-member", func() call { return apiCall(http.MethodDelete, cardPath(card1.ID), outsider, nil) }, notFound404, nil},
		{"a member removes extra", func() call { return apiCall(http.MethodDelete, memberPath(room.ID, extra.ID), member, nil) }, forbidden403, nil},
		{"the owner leaves", func() call { return apiCall(http.MethodDelete, memberPath(room.ID, owner.ID), owner, nil) }, refused(http.StatusConflict, models.CodeOwnerCannotLeave), nil},
		{"remove a non-member", func() call { return apiCall(http.MethodDelete, memberPath(room.ID, outsider.ID), owner, nil) }, notFound404, nil},
		{"remove extra", func() call { return apiCall(http.MethodDelete, memberPath(room.ID, extra.ID), owner, nil) }, ok(http.StatusNoContent), nil},
		{"the member leaves", func() call { return apiCall(http.MethodDelete, memberPath(room.ID, member.ID), member, nil) }, ok(http.StatusNoContent), nil},
		{"delete column B with its card", func() call { return apiCall(http.MethodDelete, columnPath(colB.ID), owner, nil) }, ok(http.StatusNoContent), nil},
		{"delete column B again", func() call { return apiCall(http.MethodDelete, columnPath(colB.ID), owner, nil) }, notFound404, nil},
		{"delete the room by a former member", func() call { return apiCall(http.MethodDelete, roomPath(room.ID), member, nil) }, notFound404, nil},
		{"read the board", func() call { return apiCall(http.MethodGet, roomPath(room.ID), owner, nil) }, ok(http.StatusOK), nil},
	}
	version := room.Version
	successes := 0
	for _, s := range steps {
		c := s.c()
		rec := e.expect(t, c, s.want)
		if s.then != nil && rec.Code == s.want.status {
			s.then(rec)
		}
		if s.want.success() && c.method != http.MethodGet {
			version++
			successes++
		}
		e.requireVersion(t, owner, room.ID, version, fmt.Sprintf("step %q: %s → %s", s.name, c, s.want))
	}
	requireEqual(t, "after all steps", "version", version, int64(1+successes))
}

// TestNonMemberGetsNotFound: a user who is not a member tries every room,
// column and card endpoint on another user's IDs: 404 everywhere, and the
// board is byte-for-byte unchanged.
func TestNonMemberGetsNotFound(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	a, member, b := e.user(t, "alice"), e.user(t, "member"), e.user(t, "bob")
	room, cols := e.seedColumns(t, a, "todo", "done")
	e.addMember(t, a, room.ID, member)
	cards := e.seedCards(t, a, cols["todo"].ID, "k1", "k2")
	card := cards["k1"]
	bRoom, bCols := e.seedColumns(t, b, "bob's")
	bCard := e.createCard(t, b, bCols["bob's"].ID, "bob's card")

	aBefore := e.board(t, a, room.ID)
	bBefore := e.board(t, b, bRoom.ID)
	withHeader := func(c call, k, v string) call { c.header = http.Header{k: {v}}; return c }
	for _, c := range []call{
		apiCall(http.MethodGet, roomPath(room.ID), b, nil),
		withHeader(apiCall(http.MethodGet, roomPath(room.ID), b, nil), "If-None-Match", aBefore.ETag),
		withHeader(apiCall(http.MethodGet, roomPath(room.ID), b, nil), "If-None-Match", "*"),
		apiCall(http.MethodPatch, roomPath(room.ID), b, jsonObj{"name": "taken over"}),
		apiCall(http.MethodDelete, roomPath(room.ID), b, nil),
		apiCall(http.MethodGet, roomPath(room.ID)+"/members", b, nil),
		apiCall(http.MethodPost, roomPath(room.ID)+"/members", b, jsonObj{"email": b.Email}),
		apiCall(http.MethodPost, roomPath(room.ID)+"/members", b, jsonObj{"email": a.Email}),
		apiCall(http.MethodPost, roomPath(room.ID)+"/members", b, jsonObj{"email": uniqueEmail("nobody")}),
		apiCall(http.MethodDelete, memberPath(room.ID, member.ID), b, nil),
		apiCall(http.MethodDelete, memberPath(room.ID, a.ID), b, nil),
		apiCall(http.MethodDelete, memberPath(room.ID, b.ID), b, nil),
		apiCall(http.MethodPost, roomPath(room.ID)+"/columns", b, jsonObj{"name": "mine"}),
		apiCall(http.MethodPost, roomPath(room.ID)+"/columns", b, jsonObj{"name": "mine", "position": 0}),
		apiCall(http.MethodPatch, columnPath(cols["todo"].ID), b, jsonObj{"name": "mine"}),
		apiCall(http.MethodPatch, columnPath(cols["todo"].ID), b, jsonObj{"position": 1}),
		apiCall(http.MethodPatch, columnPath(cols["todo"].ID), b, jsonObj{}),
		apiCall(http.MethodDelete, columnPath(cols["done"].ID), b, nil),
		apiCall(http.MethodPost, columnPath(cols["todo"].ID)+"/cards", b, jsonObj{"title": "mine"}),
		apiCall(http.MethodGet, cardPath(card.ID), b, nil),
		apiCall(http.MethodPatch, cardPath(card.ID), b, jsonObj{"title": "mine"}),
		apiCall(http.MethodPatch, cardPath(card.ID), b, jsonObj{}),
		apiCall(http.MethodPost, cardPath(card.ID)+"/move", b, jsonObj{"column_id": cols["done"].ID, "position": 0}),
		apiCall(http.MethodPost, cardPath(card.ID)+"/move", b, jsonObj{"column_id": cols["todo"].ID, "position": 0}),
		apiCall(http.MethodPost, cardPath(card.ID)+"/move", b, jsonObj{"column_id": bCols["bob's"].ID, "position": 0}),
		apiCall(http.MethodPost, cardPath(bCard.ID)+"/move", b, jsonObj{"column_id": cols["todo"].ID, "position": 0}),
		apiCall(http.MethodDelete, cardPath(card.ID), b, nil),
		apiCall(http.MethodDelete, cardPath(cards["k2"].ID), b, nil),
	} {
		e.expect(t, c, notFound404)
	}
	e.requireUnchanged(t, a, aBefore, "a non-member's requests")
	e.requireUnchanged(t, b, bBefore, "a non-member's requests (its own room)")
	c := apiCall(http.MethodGet, "/api/rooms", b, nil)
	for _, r := range requireRoomPage(t, c, e.send(t, c)).Items {
		if r.ID == room.ID {
			t.Errorf("%s: lists a room the caller is not a member of", c)
		}
	}
}

// TestMemberCannotDoOwnerActions: a plain member tries each owner-only
// action: 403, nothing changed. Column and card changes stay open to it.
func TestMemberCannotDoOwnerActions(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, m1, m2, spare := e.user(t, "owner"), e.user(t, "first"), e.user(t, "second"), e.user(t, "spare")
	room, cols := e.seedColumns(t, owner, "todo")
	e.addMember(t, owner, room.ID, m1)
	e.addMember(t, owner, room.ID, m2)
	e.seedCards(t, owner, cols["todo"].ID, "c")
	before := e.board(t, owner, room.ID)
	m1Before := e.board(t, m1, room.ID)
	for _, c := range []call{
		apiCall(http.MethodPatch, roomPath(room.ID), m1, jsonObj{"name": "mine now"}),
		apiCall(http.MethodDelete, roomPath(room.ID), m1, nil),
		apiCall(http.MethodPost, roomPath(room.ID)+"/members", m1, jsonObj{"email": spare.Email}),
		apiCall(http.MethodPost, roomPath(room.ID)+"/members", m1, jsonObj{"email": m2.Email}),
		apiCall(http.MethodPost, roomPath(room.ID)+"/members", m1, jsonObj{"email": uniqueEmail("nobody")}),
		apiCall(http.MethodDelete, memberPath(room.ID, m2.ID), m1, nil),
		apiCall(http.MethodDelete, memberPath(room.ID, owner.ID), m1, nil),
	} {
		e.expect(t, c, forbidden403)
	}
	e.requireUnchanged(t, owner, before, "a member's owner-only requests")
	e.requireUnchanged(t, m1, m1Before, "a member's owner-only requests (its view)")

	// Anything but the owner-only actions is open to every member.
	col := e.createColumn(t, m1, room.ID, "mine")
	card := e.createCard(t, m1, col.ID, "mine")
	e.expect(t, apiCall(http.MethodPatch, columnPath(cols["todo"].ID), m1, jsonObj{"position": 1}), ok(http.StatusOK))
	e.expect(t, apiCall(http.MethodPost, cardPath(card.ID)+"/move", m2, jsonObj{"column_id": cols["todo"].ID, "position": 0}), ok(http.StatusOK))
	e.expect(t, apiCall(http.MethodDelete, columnPath(col.ID), m2, nil), ok(http.StatusNoContent))
	e.requireVersion(t, owner, room.ID, before.Version+5, "five member changes")
}

// TestBoardPathIDsNotUUID: a path ID that is not a UUID, or an unknown one,
// is 404 not_found with the error body on every endpoint.
func TestBoardPathIDsNotUUID(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u := e.user(t, "owner")
	room, cols := e.seedColumns(t, u, "todo")
	e.seedCards(t, u, cols["todo"].ID, "c")
	before := e.board(t, u, room.ID)
	validMove := jsonObj{"column_id": cols["todo"].ID, "position": 0}
	for _, id := range []string{"abc", "123", "not-a-uuid", room.ID.String() + "0", strings.Replace(room.ID.String(), "-", "", 1), uuid.NewString()} {
		for _, ep := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, "/api/rooms/" + id, nil},
			{http.MethodPatch, "/api/rooms/" + id, jsonObj{"name": "x"}},
			{http.MethodDelete, "/api/rooms/" + id, nil},
			{http.MethodGet, "/api/rooms/" + id + "/members", nil},
			{http.MethodPost, "/api/rooms/" + id + "/members", jsonObj{"email": u.Email}},
			{http.MethodDelete, "/api/rooms/" + id + "/members/" + u.ID.String(), nil},
			{http.MethodDelete, roomPath(room.ID) + "/members/" + id, nil},
			{http.MethodPost, "/api/rooms/" + id + "/columns", jsonObj{"name": "x"}},
			{http.MethodPatch, "/api/columns/" + id, jsonObj{"name": "x"}},
			{http.MethodDelete, "/api/columns/" + id, nil},
			{http.MethodPost, "/api/columns/" + id + "/cards", jsonObj{"title": "x"}},
			{http.MethodGet, "/api/cards/" + id, nil},
			{http.MethodPatch, "/api/cards/" + id, jsonObj{"title": "x"}},
			{http.MethodPost, "/api/cards/" + id + "/move", validMove},
			{http.MethodDelete, "/api/cards/" + id, nil},
		} {
			e.expect(t, apiCall(ep.method, ep.path, u, ep.body), notFound404)
		}
	}
	e.requireUnchanged(t, u, before, "requests on IDs that are not UUIDs")
}

// boardEndpoints lists every endpoint of the two sections with a valid body
// on real IDs.
func boardEndpoints(roomID, userID, columnID, cardID uuid.UUID) []call {
	return []call{
		{method: http.MethodPost, path: "/api/rooms", body: `{"name": "x"}`},
		{method: http.MethodGet, path: "/api/rooms"},
		{method: http.MethodGet, path: roomPath(roomID)},
		{method: http.MethodPatch, path: roomPath(roomID), body: `{"name": "x"}`},
		{method: http.MethodDelete, path: roomPath(roomID)},
		{method: http.MethodGet, path: roomPath(roomID) + "/members"},
		{method: http.MethodPost, path: roomPath(roomID) + "/members", body: `{"email": "someone@example.com"}`},
		{method: http.MethodDelete, path: memberPath(roomID, userID)},
		{method: http.MethodPost, path: roomPath(roomID) + "/columns", body: `{"name": "x"}`},
		{method: http.MethodPatch, path: columnPath(columnID), body: `{"name": "x"}`},
		{method: http.MethodDelete, path: columnPath(columnID)},
		{method: http.MethodPost, path: columnPath(columnID) + "/cards", body: `{"title": "x"}`},
		{method: http.MethodGet, path: cardPath(cardID)},
		{method: http.MethodPatch, path: cardPath(cardID), body: `{"title": "x"}`},
		{method: http.MethodPost, path: cardPath(cardID) + "/move", body: fmt.Sprintf(`{"column_id": %q, "position": 0}`, columnID)},
		{method: http.MethodDelete, path: cardPath(cardID)},
	}
}

// TestBoardUnauthenticated: every endpoint refuses a missing or bad token
// with 401 and changes nothing.
func TestBoardUnauthenticated(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u, member := e.user(t, "owner"), e.user(t, "member")
	room, cols := e.seedColumns(t, u, "todo")
	e.addMember(t, u, room.ID, member)
	card := e.createCard(t, u, cols["todo"].ID, "c")
	before := e.board(t, u, room.ID)
	for _, c := range boardEndpoints(room.ID, member.ID, cols["todo"].ID, card.ID) {
		for _, auth := range []string{"", "Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz", "Bearer " + flipAt(u.Token, len(u.Token)-3)} {
			cc := c
			if auth != "" {
				cc.header = http.Header{"Authorization": {auth}}
			}
			e.expect(t, cc, refused(http.StatusUnauthorized, models.CodeUnauthorized))
		}
	}
	e.requireUnchanged(t, u, before, "unauthenticated requests")
}

// TestBoardBadBodies: bodies that are not one JSON object are 400, bodies
// over 1 MiB 413, odd numbers 4xx; nothing changes.
func TestBoardBadBodies(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u := e.user(t, "owner")
	room, cols := e.seedColumns(t, u, "todo")
	card := e.createCard(t, u, cols["todo"].ID, "c")
	before := e.board(t, u, room.ID)
	var withBody []call
	for _, c := range boardEndpoints(room.ID, u.ID, cols["todo"].ID, card.ID) {
		if c.body != "" {
			c.token = u.Token
			withBody = append(withBody, c)
		}
	}
	huge := `{"name": "x", "title": "x", "email": "a@example.com", "description": "` + strings.Repeat("a", 1<<20) + `"}`
	for _, c := range withBody {
		for _, body := range []string{"", " ", "not json", "[]", `"text"`, "null", `{"name": "x"} {"name": "y"}`, `{"name": "x",}`, `{"name": "x"`} {
			cc := c
			cc.body = body
			e.expect(t, cc, badRequest)
		}
		cc := c
		cc.body = huge
		e.expect(t, cc, refused(http.StatusRequestEntityTooLarge, models.CodePayloadTooLarge))
	}
	// Numbers a client might send that are not positions: never a 5xx, and
	// a contract error (400 or 422) with the error body.
	for _, c := range []call{
		apiCall(http.MethodPost, roomPath(room.ID)+"/columns", u, `{"name": "x", "position": 99999999999999999999}`),
		apiCall(http.MethodPost, roomPath(room.ID)+"/columns", u, `{"name": "x", "position": -99999999999999999999}`),
		apiCall(http.MethodPatch, columnPath(cols["todo"].ID), u, `{"position": 1e400}`),
		apiCall(http.MethodPost, columnPath(cols["todo"].ID)+"/cards", u, `{"title": "x", "position": -9223372036854775808}`),
		apiCall(http.MethodPost, cardPath(card.ID)+"/move", u, fmt.Sprintf(`{"column_id": %q, "position": 18446744073709551616}`, cols["todo"].ID)),
	} {
		rec := e.send(t, c)
		switch rec.Code {
		case http.StatusBadRequest:
			requireErrorBody(t, c.String(), rec, models.CodeBadRequest)
		case http.StatusUnprocessableEntity:
			requireErrorBody(t, c.String(), rec, models.CodeValidationFailed)
		default:
			t.Errorf("%s: status = %d, want 400 or 422 (body %s)", c, rec.Code, rec.Body.String())
		}
	}
	e.requireUnchanged(t, u, before, "bad bodies")
}

// TestBoardMethodsNotListed: a method the contract does not list is 404 or
// 405 with the error body.
func TestBoardMethodsNotListed(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u := e.user(t, "owner")
	room, cols := e.seedColumns(t, u, "todo")
	card := e.createCard(t, u, cols["todo"].ID, "c")
	before := e.board(t, u, room.ID)
	for _, c := range []call{
		apiCall(http.MethodPut, roomPath(room.ID), u, `{"name": "x"}`),
		apiCall(http.MethodPost, roomPath(room.ID), u, `{"name": "x"}`),
		apiCall(http.MethodDelete, "/api/rooms", u, nil),
		apiCall(http.MethodPatch, roomPath(room.ID)+"/members", u, `{}`),
		apiCall(http.MethodGet, roomPath(room.ID)+"/columns", u, nil),
		apiCall(http.MethodGet, columnPath(cols["todo"].ID), u, nil),
		apiCall(http.MethodPut, columnPath(cols["todo"].ID), u, `{"name": "x"}`),
		apiCall(http.MethodGet, columnPath(cols["todo"].ID)+"/cards", u, nil),
		apiCall(http.MethodPut, cardPath(card.ID), u, `{"title": "x"}`),
		apiCall(http.MethodPost, cardPath(card.ID), u, `{"title": "x"}`),
		apiCall(http.MethodGet, cardPath(card.ID)+"/move", u, nil),
	} {
		rec := e.send(t, c)
		switch rec.Code {
		case http.StatusNotFound:
			requireErrorBody(t, c.String(), rec, models.CodeNotFound)
		case http.StatusMethodNotAllowed:
			requireErrorBody(t, c.String(), rec, models.CodeMethodNotAllowed)
		default:
			t.Errorf("%s: status = %d, want 404 or 405 (body %s)", c, rec.Code, rec.Body.String())
		}
	}
	e.requireUnchanged(t, u, before, "unlisted methods")
}
