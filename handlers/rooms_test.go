package handlers

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// These tests hold the Rooms and the Columns-and-cards sections of
// ../shared/api-contract.md through the real router on a private database.

// TestCreateRoom: 201 with the exact Room, the caller as owner at version 1,
// the name trimmed and counted in characters; every broken name is 422.
func TestCreateRoom(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u := e.user(t, "creator")
	other := e.user(t, "other")

	long := strings.Repeat("a", 200)
	multi := strings.Repeat("é", 198) + "日😀" // 200 characters, 402 bytes
	okCases := []struct {
		name string
		body any
		want string
	}{
		{"plain", jsonObj{"name": "Sprint"}, "Sprint"},
		{"trimmed", jsonObj{"name": " \t Sprint 1 \n"}, "Sprint 1"},
		{"200 characters", jsonObj{"name": long}, long},
		{"200 multi-byte characters", jsonObj{"name": multi}, multi},
		{"200 characters once trimmed", jsonObj{"name": "   " + long + "   "}, long},
		{"server-owned fields ignored", jsonObj{"name": "x", "id": uuid.NewString(), "version": 7,
			"role": "member", "created_by": other.ID, "created_at": "2001-01-01T00:00:00Z"}, "x"},
	}
	created := 0
	for _, tc := range okCases {
		t.Run(tc.name, func(t *testing.T) {
			c := apiCall(http.MethodPost, "/api/rooms", u, tc.body)
			before := time.Now()
			rec := e.send(t, c)
			requireStatus(t, c, rec, http.StatusCreated)
			created++
			r := requireRoom(t, c.String(), rec.Body.Bytes())
			requireEqual(t, c.String(), "name", r.Name, tc.want)
			requireEqual(t, c.String(), "version", r.Version, 1)
			requireEqual(t, c.String(), "role", r.Role, models.RoleOwner)
			requireEqual(t, c.String(), "created_by", r.CreatedBy, u.ID)
			requireNear(t, c.String(), "created_at", r.CreatedAt, before, time.Now())
			if r.ID == uuid.Nil {
				t.Errorf("%s: id is the nil UUID", c)
			}
			b := e.board(t, u, r.ID)
			if b.roomBody != r {
				t.Errorf("GET after %s: room = %+v, want the created %+v", c, b.roomBody, r)
			}
			if len(b.Members) != 1 || b.Members[0].User.ID != u.ID || b.Members[0].Role != models.RoleOwner {
				t.Errorf("GET after %s: members = %+v, want only the creator as owner", c, b.Members)
			}
			if len(b.Members) == 1 {
				requireNear(t, c.String(), "owner's joined_at", b.Members[0].JoinedAt, before, time.Now())
			}
			if len(b.Columns) != 0 {
				t.Errorf("GET after %s: columns = %+v, want none", c, b.Columns)
			}
		})
	}

	badCases := []struct {
		name string
		body any
		want outcome
	}{
		{"name missing", jsonObj{}, invalid("name")},
		{"name null", jsonObj{"name": nil}, invalid("name")},
		{"name empty", jsonObj{"name": ""}, invalid("name")},
		{"name only spaces", jsonObj{"name": " \t\n "}, invalid("name")},
		{"name 201 characters", jsonObj{"name": long + "b"}, invalid("name")},
		{"name 201 multi-byte characters", jsonObj{"name": multi + "é"}, invalid("name")},
		{"name with NUL", jsonObj{"name": "a" + nul + "b"}, invalid("name")},
		{"name only NUL", jsonObj{"name": nul}, invalid("name")},
		{"name a number", `{"name": 5}`, badRequest},
		{"body not JSON", `name=x`, badRequest},
		{"body an array", `[{"name": "x"}]`, badRequest},
		{"no body", nil, badRequest},
	}
	for _, tc := range badCases {
		t.Run(tc.name, func(t *testing.T) {
			e.expect(t, apiCall(http.MethodPost, "/api/rooms", u, tc.body), tc.want)
		})
	}
	t.Run("no token", func(t *testing.T) {
		e.expect(t, apiCall(http.MethodPost, "/api/rooms", boardUser{}, jsonObj{"name": "x"}),
			refused(http.StatusUnauthorized, models.CodeUnauthorized))
	})

	c := apiCall(http.MethodGet, "/api/rooms?limit=100", u, nil)
	page := requireRoomPage(t, c, e.send(t, c))
	if len(page.Items) != created {
		t.Errorf("%s: %d rooms, want the %d created (refused requests create nothing)", c, len(page.Items), created)
	}
}

// TestListRooms: newest first, limit 1..100 (default 50), keyset cursor
// pagination, only the caller's rooms with the caller's role.
func TestListRooms(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	a := e.user(t, "lister")
	var rooms []roomBody // oldest first
	for i := range 5 {
		rooms = append(rooms, e.createRoom(t, a, fmt.Sprint("r", i)))
	}
	newestFirst := slices.Clone(rooms)
	slices.Reverse(newestFirst)
	list := func(query string) call { return apiCall(http.MethodGet, "/api/rooms"+query, a, nil) }

	t.Run("default", func(t *testing.T) {
		c := list("")
		p := requireRoomPage(t, c, e.send(t, c))
		requireOrder(t, c.String(), "rooms", roomIDs(p.Items), roomIDs(newestFirst))
		if p.Next != nil {
			t.Errorf("%s: next_cursor = %q, want null on the last page", c, *p.Next)
		}
		for i, r := range p.Items {
			if r != newestFirst[i] {
				t.Errorf("%s: item %d = %+v, want %+v", c, i, r, newestFirst[i])
			}
		}
	})

	t.Run("limit=2 walks every room once", func(t *testing.T) {
		var seen []roomBody
		query := "?limit=2"
		for pages := 0; ; pages++ {
			if pages == 5 {
				t.Fatalf("more than 5 pages for 5 rooms at limit=2")
			}
			c := list(query)
			p := requireRoomPage(t, c, e.send(t, c))
			seen = append(seen, p.Items...)
			if p.Next == nil {
				if pages != 2 || len(p.Items) != 1 {
					t.Errorf("%s: last page is page %d with %d items, want page 2 with 1 item", c, pages, len(p.Items))
				}
				break
			}
			if len(p.Items) != 2 {
				t.Errorf("%s: %d items on a page with a next cursor, want 2", c, len(p.Items))
			}
			query = "?limit=2&cursor=" + url.QueryEscape(*p.Next)
		}
		requireOrder(t, "limit=2 pages", "rooms", roomIDs(seen), roomIDs(newestFirst))
	})

	for _, tc := range []struct {
		limit string
		want  int
		next  bool
	}{
		{"1", 1, true}, {"4", 4, true}, {"5", 5, false}, {"100", 5, false},
	} {
		t.Run("limit="+tc.limit, func(t *testing.T) {
			c := list("?limit=" + tc.limit)
			p := requireRoomPage(t, c, e.send(t, c))
			requireOrder(t, c.String(), "rooms", roomIDs(p.Items), roomIDs(newestFirst[:tc.want]))
			if (p.Next != nil) != tc.next {
				t.Errorf("%s: next_cursor = %v, want present=%v", c, p.Next, tc.next)
			}
		})
	}

	// A cursor whose text is well formed but whose parts are not.
	fake := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		query  string
		fields []string
	}{
		{"?limit=0", []string{"limit"}},
		{"?limit=101", []string{"limit"}},
		{"?limit=-1", []string{"limit"}},
		{"?limit=abc", []string{"limit"}},
		{"?limit=1.5", []string{"limit"}},
		{"?limit=99999999999999999999", []string{"limit"}},
		{"?cursor=garbage!", []string{"cursor"}},
		{"?cursor=" + fake("hello"), []string{"cursor"}},
		{"?cursor=" + fake("yesterday|"+uuid.NewString()), []string{"cursor"}},
		{"?cursor=" + fake(time.Now().UTC().Format(time.RFC3339Nano)+"|not-a-uuid"), []string{"cursor"}},
		{"?limit=0&cursor=garbage!", []string{"limit", "cursor"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			e.expect(t, list(tc.query), invalid(tc.fields...))
		})
	}

	t.Run("only the caller's rooms with the caller's role", func(t *testing.T) {
		b := e.user(t, "other-lister")
		c := apiCall(http.MethodGet, "/api/rooms", b, nil)
		p := requireRoomPage(t, c, e.send(t, c))
		if len(p.Items) != 0 || p.Next != nil {
			t.Errorf("%s: a user without rooms got %+v, want {items: [], next_cursor: null}", c, p)
		}
		if got, want := strings.ReplaceAll(c.do(e.router).Body.String(), " ", ""), `{"items":[],"next_cursor":null}`; got != want {
			t.Errorf("%s: body = %s, want %s", c, got, want)
		}
		e.addMember(t, a, rooms[2].ID, b)
		own := e.createRoom(t, b, "b's own")
		p = requireRoomPage(t, c, e.send(t, c))
		shared := rooms[2]
		if len(p.Items) != 2 {
			t.Fatalf("%s: rooms = %v, want b's own then r2", c, roomIDs(p.Items))
		}
		requireEqual(t, c.String(), "items[0].id", p.Items[0].ID, own.ID)
		requireEqual(t, c.String(), "items[0].role", p.Items[0].Role, models.RoleOwner)
		requireEqual(t, c.String(), "items[1].id", p.Items[1].ID, shared.ID)
		requireEqual(t, c.String(), "items[1].role", p.Items[1].Role, models.RoleMember)
		requireEqual(t, c.String(), "items[1].version", p.Items[1].Version, shared.Version+1)

		ca := list("")
		pa := requireRoomPage(t, ca, e.send(t, ca))
		for _, r := range pa.Items {
			if r.ID == own.ID {
				t.Errorf("%s: lists another user's room %s", ca, own.ID)
			}
			if r.Role != models.RoleOwner {
				t.Errorf("%s: room %s has role %q, want owner", ca, r.Name, r.Role)
			}
		}
	})

	t.Run("rooms created while paging do not shift the pages", func(t *testing.T) {
		p := e.user(t, "pager")
		var olds []string
		for i := range 4 {
			olds = append(olds, e.createRoom(t, p, fmt.Sprint("old", i)).Name)
		}
		slices.Reverse(olds)
		first := apiCall(http.MethodGet, "/api/rooms?limit=2", p, nil)
		p1 := requireRoomPage(t, first, e.send(t, first))
		if p1.Next == nil {
			t.Fatalf("%s: next_cursor null with 4 rooms at limit=2", first)
		}
		e.createRoom(t, p, "newer")
		second := apiCall(http.MethodGet, "/api/rooms?limit=2&cursor="+url.QueryEscape(*p1.Next), p, nil)
		p2 := requireRoomPage(t, second, e.send(t, second))
		var got []string
		for _, r := range append(p1.Items, p2.Items...) {
			got = append(got, r.Name)
		}
		requireOrder(t, second.String(), "names over both pages", got, olds)
		if p2.Next != nil {
			t.Errorf("%s: next_cursor = %q, want null on the last page", second, *p2.Next)
		}
	})

	t.Run("default limit is 50", func(t *testing.T) {
		c := e.user(t, "many")
		for i := range 52 {
			if _, err := e.store.CreateRoom(context.Background(), c.ID, fmt.Sprint("m", i)); err != nil {
				t.Fatal(err)
			}
		}
		first := apiCall(http.MethodGet, "/api/rooms", c, nil)
		p := requireRoomPage(t, first, e.send(t, first))
		if len(p.Items) != 50 || p.Next == nil {
			t.Fatalf("%s: %d items, next %v; want 50 and a cursor", first, len(p.Items), p.Next)
		}
		requireEqual(t, first.String(), "items[0].name", p.Items[0].Name, "m51")
		second := apiCall(http.MethodGet, "/api/rooms?cursor="+url.QueryEscape(*p.Next), c, nil)
		p2 := requireRoomPage(t, second, e.send(t, second))
		requireOrder(t, second.String(), "names", []string{p2.Items[0].Name, p2.Items[1].Name}, []string{"m1", "m0"})
		if len(p2.Items) != 2 || p2.Next != nil {
			t.Errorf("%s: %d items, next %v; want 2 and null", second, len(p2.Items), p2.Next)
		}
		all := apiCall(http.MethodGet, "/api/rooms?limit=100", c, nil)
		if p := requireRoomPage(t, all, e.send(t, all)); len(p.Items) != 52 || p.Next != nil {
			t.Errorf("%s: %d items, next %v; want 52 and null", all, len(p.Items), p.Next)
		}
	})

	t.Run("no token", func(t *testing.T) {
		e.expect(t, apiCall(http.MethodGet, "/api/rooms", boardUser{}, nil), refused(http.StatusUnauthorized, models.CodeUnauthorized))
	})
}

// TestGetBoard: the exact Board shape, columns and cards by position,
// members by join time, empty lists as [], the caller's role.
func TestGetBoard(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, m1, m2, outsider := e.user(t, "owner"), e.user(t, "first"), e.user(t, "second"), e.user(t, "outsider")

	t.Run("empty room", func(t *testing.T) {
		r := e.createRoom(t, owner, "empty")
		b := e.board(t, owner, r.ID)
		if !strings.Contains(b.Raw, `"columns":[]`) {
			t.Errorf("GET empty room: body %s, want \"columns\":[]", b.Raw)
		}
		requireOrder(t, "GET empty room", "members", b.memberEmails(), []string{owner.Email})
		if !strings.HasPrefix(b.ETag, `"`) || !strings.HasSuffix(b.ETag, `"`) || len(b.ETag) < 3 {
			t.Errorf("GET empty room: ETag = %q, want a quoted entity tag", b.ETag)
		}
	})

	room := e.createRoom(t, owner, "full")
	e.addMember(t, owner, room.ID, m1)
	e.addMember(t, owner, room.ID, m2)
	colB := e.createColumn(t, owner, room.ID, "B")
	at0 := func(name string) jsonObj { return jsonObj{"name": name, "position": 0} }
	e.expect(t, apiCall(http.MethodPost, roomPath(room.ID)+"/columns", owner, at0("A")), ok(http.StatusCreated))
	e.createColumn(t, m1, room.ID, "C")
	e.createCard(t, owner, colB.ID, "b1")
	e.expect(t, apiCall(http.MethodPost, columnPath(colB.ID)+"/cards", m2, jsonObj{"title": "b0", "position": 0}), ok(http.StatusCreated))
	e.createCard(t, owner, colB.ID, "b2")

	for _, tc := range []struct {
		who  boardUser
		role string
	}{{owner, models.RoleOwner}, {m1, models.RoleMember}, {m2, models.RoleMember}} {
		t.Run("as "+tc.who.DisplayName, func(t *testing.T) {
			b := e.board(t, tc.who, room.ID)
			req := "GET " + roomPath(room.ID) + " as " + tc.who.DisplayName
			requireEqual(t, req, "role", b.Role, tc.role)
			requireEqual(t, req, "name", b.Name, "full")
			requireEqual(t, req, "created_by", b.CreatedBy, owner.ID)
			requireEqual(t, req, "created_at", b.CreatedAt, room.CreatedAt)
			requireEqual(t, req, "version", b.Version, int64(1+2+3+3))
			requireOrder(t, req, "members", b.memberEmails(), []string{owner.Email, m1.Email, m2.Email})
			for i, want := range []struct {
				u    boardUser
				role string
			}{{owner, models.RoleOwner}, {m1, models.RoleMember}, {m2, models.RoleMember}} {
				if len(b.Members) <= i {
					break
				}
				got := b.Members[i]
				if got.User.ID != want.u.ID || got.User.DisplayName != want.u.DisplayName || got.Role != want.role {
					t.Errorf("%s: members[%d] = %+v, want user %s (%s) as %s", req, i, got, want.u.Email, want.u.DisplayName, want.role)
				}
			}
			requireOrder(t, req, "columns", b.columnNames(), []string{"A", "B", "C"})
			if len(b.Columns) == 3 {
				requireOrder(t, req, "A's cards", b.cardTitles(t, b.Columns[0].ID), []string{})
				requireOrder(t, req, "B's cards", b.cardTitles(t, colB.ID), []string{"b0", "b1", "b2"})
				requireOrder(t, req, "C's cards", b.cardTitles(t, b.Columns[2].ID), []string{})
			}
			if n := strings.Count(b.Raw, `"cards":[]`); n != 2 {
				t.Errorf("%s: %d columns with \"cards\":[], want 2 (empty lists are [], never null): %s", req, n, b.Raw)
			}
			if strings.Contains(b.Raw, "null") {
				t.Errorf("%s: body has a null: %s", req, b.Raw)
			}
		})
	}

	t.Run("not a member", func(t *testing.T) {
		e.expect(t, apiCall(http.MethodGet, roomPath(room.ID), outsider, nil), notFound404)
	})
	t.Run("unknown room", func(t *testing.T) {
		e.expect(t, apiCall(http.MethodGet, roomPath(uuid.New()), owner, nil), notFound404)
	})
}

// TestBoardETag: an ETag on every board, 304 with no body to a matching
// If-None-Match (weak, listed or *), and a new tag after any change the body
// shows, including a member's new display name.
func TestBoardETag(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, member, outsider := e.user(t, "owner"), e.user(t, "member"), e.user(t, "outsider")
	room := e.createRoom(t, owner, "tagged")
	col := e.createColumn(t, owner, room.ID, "todo")

	ifNoneMatch := func(u boardUser, v string) call {
		c := apiCall(http.MethodGet, roomPath(room.ID), u, nil)
		c.header = http.Header{"If-None-Match": {v}}
		return c
	}
	requireNotModified := func(t *testing.T, c call, tag string) {
		t.Helper()
		rec := e.send(t, c)
		if rec.Code != http.StatusNotModified {
			t.Errorf("%s: status = %d, want 304 (body %s)", c, rec.Code, rec.Body.String())
			return
		}
		if rec.Body.Len() != 0 {
			t.Errorf("%s: 304 with body %q, want none", c, rec.Body.String())
		}
		if got := rec.Header().Get("ETag"); got != tag {
			t.Errorf("%s: 304 with ETag %q, want %q", c, got, tag)
		}
	}
	requireFull := func(t *testing.T, c call, wantTag string) boardBody {
		t.Helper()
		rec := e.send(t, c)
		requireStatus(t, c, rec, http.StatusOK)
		b := requireBoard(t, c.String(), rec)
		requireEqual(t, c.String(), "ETag", b.ETag, wantTag)
		return b
	}

	tag := e.board(t, owner, room.ID).ETag
	requireEqual(t, "GET twice", "ETag", e.board(t, owner, room.ID).ETag, tag)
	t.Run("matching forms", func(t *testing.T) {
		for _, v := range []string{tag, "W/" + tag, "*", `"nope", ` + tag, `W/"nope",W/` + tag} {
			requireNotModified(t, ifNoneMatch(owner, v), tag)
		}
		requireFull(t, ifNoneMatch(owner, `"nope"`), tag)
		requireFull(t, ifNoneMatch(owner, strings.Trim(tag, `"`)+"x"), tag)
	})
	t.Run("a non-member never gets 304", func(t *testing.T) {
		for _, v := range []string{tag, "*"} {
			e.expect(t, ifNoneMatch(outsider, v), notFound404)
		}
	})

	changes := []struct {
		name string
		do   func(t *testing.T)
	}{
		{"card created", func(t *testing.T) { e.createCard(t, owner, col.ID, "new card") }},
		{"member added", func(t *testing.T) { e.addMember(t, owner, room.ID, member) }},
		{"member's display name changed", func(t *testing.T) {
			c := patchMeCall(member.Token, jsonObj{"display_name": "Renamed Member"})
			requireStatus(t, c, e.send(t, c), http.StatusOK)
		}},
		{"column renamed", func(t *testing.T) {
			e.expect(t, apiCall(http.MethodPatch, columnPath(col.ID), member, jsonObj{"name": "doing"}), ok(http.StatusOK))
		}},
	}
	for _, ch := range changes {
		t.Run(ch.name, func(t *testing.T) {
			old := tag
			ch.do(t)
			b := e.board(t, owner, room.ID)
			if b.ETag == old {
				t.Fatalf("after %s: ETag still %s", ch.name, old)
			}
			tag = b.ETag
			requireFull(t, ifNoneMatch(owner, old), tag)
			requireNotModified(t, ifNoneMatch(owner, tag), tag)
		})
	}
	b := e.board(t, owner, room.ID)
	if len(b.Members) != 2 || b.Members[1].User.DisplayName != "Renamed Member" {
		t.Errorf("board members = %+v, want the member's new display name", b.Members)
	}
	t.Run("removed member", func(t *testing.T) {
		e.expect(t, apiCall(http.MethodDelete, memberPath(room.ID, member.ID), owner, nil), ok(http.StatusNoContent))
		e.expect(t, ifNoneMatch(member, tag), notFound404)
		e.expect(t, ifNoneMatch(member, "*"), notFound404)
		requireFull(t, ifNoneMatch(owner, tag), e.board(t, owner, room.ID).ETag)
	})
}

// TestRenameRoom: the owner renames (200, version+1); a member gets 403,
// anyone else 404; broken names 422. Nothing refused changes the room.
func TestRenameRoom(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, member, outsider := e.user(t, "owner"), e.user(t, "member"), e.user(t, "outsider")
	room := e.createRoom(t, owner, "before")
	e.addMember(t, owner, room.ID, member)
	multi := strings.Repeat("ü", 200)

	for _, tc := range []struct {
		name     string
		who      boardUser
		path     string
		body     any
		want     outcome
		wantName string // on success
	}{
		{"owner renames, trimmed", owner, "", jsonObj{"name": "  after \t"}, ok(http.StatusOK), "after"},
		{"same name again", owner, "", jsonObj{"name": "after"}, ok(http.StatusOK), "after"},
		{"200 multi-byte characters", owner, "", jsonObj{"name": multi}, ok(http.StatusOK), multi},
		{"unknown fields ignored", owner, "", jsonObj{"name": "x", "version": 99, "role": "member", "id": uuid.NewString()}, ok(http.StatusOK), "x"},
		{"name missing", owner, "", jsonObj{}, invalid("name"), ""},
		{"name empty", owner, "", jsonObj{"name": ""}, invalid("name"), ""},
		{"name spaces", owner, "", jsonObj{"name": "   "}, invalid("name"), ""},
		{"name 201 characters", owner, "", jsonObj{"name": multi + "x"}, invalid("name"), ""},
		{"name with NUL", owner, "", jsonObj{"name": "a" + nul}, invalid("name"), ""},
		{"name a number", owner, "", `{"name": 1}`, badRequest, ""},
		{"member", member, "", jsonObj{"name": "mine"}, forbidden403, ""},
		{"not a member", outsider, "", jsonObj{"name": "mine"}, notFound404, ""},
		{"unknown room", owner, roomPath(uuid.New()), jsonObj{"name": "mine"}, notFound404, ""},
		{"room id not a UUID", owner, "/api/rooms/abc", jsonObj{"name": "mine"}, notFound404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.board(t, owner, room.ID)
			path := tc.path
			if path == "" {
				path = roomPath(room.ID)
			}
			c := apiCall(http.MethodPatch, path, tc.who, tc.body)
			rec := e.expect(t, c, tc.want)
			if !tc.want.success() {
				e.requireUnchanged(t, owner, before, c.String())
				return
			}
			r := requireRoom(t, c.String(), rec.Body.Bytes())
			want := before.roomBody
			want.Name, want.Version = tc.wantName, before.Version+1
			if r != want {
				t.Errorf("%s: room = %+v, want %+v", c, r, want)
			}
			after := e.board(t, owner, room.ID)
			if after.roomBody != want {
				t.Errorf("GET after %s: room = %+v, want %+v", c, after.roomBody, want)
			}
			mb := e.board(t, member, room.ID)
			requireEqual(t, "member's GET after "+c.String(), "name", mb.Name, tc.wantName)
			requireEqual(t, "member's GET after "+c.String(), "role", mb.Role, models.RoleMember)
		})
	}
}

// TestDeleteRoom: the owner deletes (204) and the room, its members,
// columns and cards are gone; a member gets 403 and nothing changes.
func TestDeleteRoom(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, member, outsider := e.user(t, "owner"), e.user(t, "member"), e.user(t, "outsider")
	room, cols := e.seedColumns(t, owner, "todo", "done")
	e.addMember(t, owner, room.ID, member)
	cards := e.seedCards(t, owner, cols["todo"].ID, "c1", "c2")
	e.seedCards(t, member, cols["done"].ID, "c3")
	keep, keepCols := e.seedColumns(t, owner, "other")
	e.seedCards(t, owner, keepCols["other"].ID, "stays")
	keepBefore := e.board(t, owner, keep.ID)

	before := e.board(t, owner, room.ID)
	for _, tc := range []struct {
		name string
		c    call
		want outcome
	}{
		{"member", apiCall(http.MethodDelete, roomPath(room.ID), member, nil), forbidden403},
		{"not a member", apiCall(http.MethodDelete, roomPath(room.ID), outsider, nil), notFound404},
		{"unknown room", apiCall(http.MethodDelete, roomPath(uuid.New()), owner, nil), notFound404},
		{"id not a UUID", apiCall(http.MethodDelete, "/api/rooms/not-a-uuid", owner, nil), notFound404},
		{"no token", apiCall(http.MethodDelete, roomPath(room.ID), boardUser{}, nil), refused(http.StatusUnauthorized, models.CodeUnauthorized)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.expect(t, tc.c, tc.want)
			e.requireUnchanged(t, owner, before, tc.c.String())
		})
	}

	del := apiCall(http.MethodDelete, roomPath(room.ID), owner, nil)
	e.expect(t, del, ok(http.StatusNoContent))
	for _, u := range []boardUser{owner, member} {
		for _, c := range []call{
			apiCall(http.MethodGet, roomPath(room.ID), u, nil),
			apiCall(http.MethodGet, roomPath(room.ID)+"/members", u, nil),
			apiCall(http.MethodPatch, columnPath(cols["todo"].ID), u, jsonObj{"name": "x"}),
			apiCall(http.MethodPost, columnPath(cols["done"].ID)+"/cards", u, jsonObj{"title": "x"}),
			apiCall(http.MethodGet, cardPath(cards["c1"].ID), u, nil),
			apiCall(http.MethodDelete, roomPath(room.ID), u, nil),
		} {
			e.expect(t, c, notFound404)
		}
		c := apiCall(http.MethodGet, "/api/rooms", u, nil)
		for _, r := range requireRoomPage(t, c, e.send(t, c)).Items {
			if r.ID == room.ID {
				t.Errorf("after %s: %s still lists the room", del, c)
			}
		}
	}
	ctx := context.Background()
	for _, q := range []struct {
		what  string
		model any
		where string
		arg   any
	}{
		{"rooms", &models.Room{}, "id = ?", room.ID},
		{"room_members", &models.RoomMember{}, "room_id = ?", room.ID},
		{"columns", &models.Column{}, "room_id = ?", room.ID},
		{"cards", &models.Card{}, "column_id IN ?", []uuid.UUID{cols["todo"].ID, cols["done"].ID}},
	} {
		var n int64
		if err := e.db.WithContext(ctx).Model(q.model).Where(q.where, q.arg).Count(&n).Error; err != nil {
			t.Fatalf("count %s: %v", q.what, err)
		}
		if n != 0 {
			t.Errorf("after %s: %d %s rows of the room remain, want 0", del, n, q.what)
		}
	}
	e.requireUnchanged(t, owner, keepBefore, del.String()+" (another room)")
}

// TestRoomMembers: listing in join order, adding by email, removing and
// leaving, with every refusal of the contract.
func TestRoomMembers(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, m1, m2 := e.user(t, "owner"), e.user(t, "first"), e.user(t, "second")
	outsider, spare := e.user(t, "outsider"), e.user(t, "spare")
	room := e.createRoom(t, owner, "team")
	members := roomPath(room.ID) + "/members"
	version := room.Version

	listMembers := func(t *testing.T, u boardUser) []memberBody {
		t.Helper()
		c := apiCall(http.MethodGet, members, u, nil)
		rec := e.send(t, c)
		requireStatus(t, c, rec, http.StatusOK)
		var out []memberBody
		for _, raw := range requireArray(t, c.String(), "members", rec.Body.Bytes()) {
			out = append(out, requireMember(t, c.String(), raw))
		}
		return out
	}
	emails := func(ms []memberBody) []string {
		out := []string{}
		for _, m := range ms {
			out = append(out, m.User.Email)
		}
		return out
	}

	t.Run("add by email, case-insensitive and trimmed", func(t *testing.T) {
		for _, u := range []boardUser{m1, m2} {
			c := apiCall(http.MethodPost, members, owner, jsonObj{"email": "  " + strings.ToUpper(u.Email) + "\t"})
			before := time.Now()
			rec := e.send(t, c)
			requireStatus(t, c, rec, http.StatusCreated)
			m := requireMember(t, c.String(), rec.Body.Bytes())
			if m.User.ID != u.ID || m.User.Email != u.Email || m.User.DisplayName != u.DisplayName || m.Role != models.RoleMember {
				t.Errorf("%s: member = %+v, want %s (%s) as member", c, m, u.Email, u.DisplayName)
			}
			requireNear(t, c.String(), "joined_at", m.JoinedAt, before, time.Now())
			version++
			e.requireVersion(t, owner, room.ID, version, c.String())
		}
	})

	t.Run("list in join order", func(t *testing.T) {
		for _, u := range []boardUser{owner, m1, m2} {
			ms := listMembers(t, u)
			requireOrder(t, "GET members as "+u.DisplayName, "members", emails(ms), []string{owner.Email, m1.Email, m2.Email})
			if len(ms) == 3 {
				requireEqual(t, "GET members", "owner's role", ms[0].Role, models.RoleOwner)
				requireEqual(t, "GET members", "first's role", ms[1].Role, models.RoleMember)
				for i := 1; i < 3; i++ {
					if ms[i].JoinedAt.Before(ms[i-1].JoinedAt) {
						t.Errorf("GET members: %v joined before %v", ms[i], ms[i-1])
					}
				}
				b := e.board(t, u, room.ID)
				for i := range min(len(ms), len(b.Members)) {
					if b.Members[i] != ms[i] {
						t.Errorf("board member %d = %+v, members list says %+v", i, b.Members[i], ms[i])
					}
				}
			}
		}
		e.expect(t, apiCall(http.MethodGet, members, outsider, nil), notFound404)
		e.expect(t, apiCall(http.MethodGet, roomPath(uuid.New())+"/members", owner, nil), notFound404)
	})

	t.Run("add refused", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			who  boardUser
			body any
			want outcome
		}{
			{"unknown email", owner, jsonObj{"email": uniqueEmail("nobody")}, notFound404},
			{"already a member", owner, jsonObj{"email": m1.Email}, refused(http.StatusConflict, models.CodeAlreadyMember)},
			{"already a member, other case", owner, jsonObj{"email": strings.ToUpper(m2.Email)}, refused(http.StatusConflict, models.CodeAlreadyMember)},
			{"the owner", owner, jsonObj{"email": owner.Email}, refused(http.StatusConflict, models.CodeAlreadyMember)},
			{"email missing", owner, jsonObj{}, invalid("email")},
			{"email empty", owner, jsonObj{"email": "  "}, invalid("email")},
			{"not an email", owner, jsonObj{"email": "not-an-email"}, invalid("email")},
			{"two addresses", owner, jsonObj{"email": spare.Email + ", " + m1.Email}, invalid("email")},
			{"email with NUL", owner, jsonObj{"email": spare.Email + nul}, invalid("email")},
			{"email a number", owner, `{"email": 7}`, badRequest},
			{"a plain member adds", m1, jsonObj{"email": spare.Email}, forbidden403},
			{"a plain member adds an unknown email", m1, jsonObj{"email": uniqueEmail("nobody")}, forbidden403},
			{"not a member", outsider, jsonObj{"email": spare.Email}, notFound404},
			{"not a member adds itself", outsider, jsonObj{"email": outsider.Email}, notFound404},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := e.board(t, owner, room.ID)
				c := apiCall(http.MethodPost, members, tc.who, tc.body)
				e.expect(t, c, tc.want)
				e.requireUnchanged(t, owner, before, c.String())
			})
		}
	})

	t.Run("remove", func(t *testing.T) {
		steps := []struct {
			name string
			who  boardUser
			path string
			want outcome
		}{
			{"a member removes another", m1, memberPath(room.ID, m2.ID), forbidden403},
			{"a member removes the owner", m1, memberPath(room.ID, owner.ID), forbidden403},
			{"the owner leaves", owner, memberPath(room.ID, owner.ID), refused(http.StatusConflict, models.CodeOwnerCannotLeave)},
			{"a user who is not a member", owner, memberPath(room.ID, outsider.ID), notFound404},
			{"an unknown user", owner, memberPath(room.ID, uuid.New()), notFound404},
			{"user id not a UUID", owner, members + "/abc", notFound404},
			{"a non-member caller removes a member", outsider, memberPath(room.ID, m1.ID), notFound404},
			{"a non-member caller leaves", outsider, memberPath(room.ID, outsider.ID), notFound404},
			{"unknown room", owner, memberPath(uuid.New(), m1.ID), notFound404},
			{"second leaves", m2, memberPath(room.ID, m2.ID), ok(http.StatusNoContent)},
			{"second leaves again", m2, memberPath(room.ID, m2.ID), notFound404},
			{"owner removes second, gone already", owner, memberPath(room.ID, m2.ID), notFound404},
			{"owner removes first", owner, memberPath(room.ID, m1.ID), ok(http.StatusNoContent)},
			{"first removes itself after removal", m1, memberPath(room.ID, m1.ID), notFound404},
		}
		for _, s := range steps {
			before := e.board(t, owner, room.ID)
			c := apiCall(http.MethodDelete, s.path, s.who, nil)
			e.expect(t, c, s.want)
			if !s.want.success() {
				e.requireUnchanged(t, owner, before, s.name+": "+c.String())
				continue
			}
			e.requireVersion(t, owner, room.ID, before.Version+1, s.name+": "+c.String())
		}
		requireOrder(t, "GET members after removals", "members", emails(listMembers(t, owner)), []string{owner.Email})
	})

	t.Run("a removed member gets 404", func(t *testing.T) {
		col := e.createColumn(t, owner, room.ID, "todo")
		card := e.createCard(t, owner, col.ID, "card")
		for _, u := range []boardUser{m1, m2} {
			for _, c := range []call{
				apiCall(http.MethodGet, roomPath(room.ID), u, nil),
				apiCall(http.MethodGet, members, u, nil),
				apiCall(http.MethodPost, roomPath(room.ID)+"/columns", u, jsonObj{"name": "x"}),
				apiCall(http.MethodGet, cardPath(card.ID), u, nil),
				apiCall(http.MethodPatch, cardPath(card.ID), u, jsonObj{"title": "x"}),
			} {
				e.expect(t, c, notFound404)
			}
			c := apiCall(http.MethodGet, "/api/rooms", u, nil)
			if p := requireRoomPage(t, c, e.send(t, c)); len(p.Items) != 0 {
				t.Errorf("%s: a removed member still lists %v", c, roomIDs(p.Items))
			}
		}
		// Re-adding works again.
		m := e.addMember(t, owner, room.ID, m2)
		requireEqual(t, "re-add", "role", m.Role, models.RoleMember)
		requireEqual(t, "re-added member's GET", "role", e.board(t, m2, room.ID).Role, models.RoleMember)
	})
}

// columnCase is one request on a room seeded with columns, and the column
// order it must leave.
type columnCase struct {
	name string
	body any
	want outcome
	// on success
	order   []string
	wantPos int
}

// TestCreateColumn: 201 with the exact Column; positions omitted, inside,
// past the end (clamped) and at 0; 422 for negative positions and broken
// names, 400 for wrong types.
func TestCreateColumn(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u := e.user(t, "owner")
	multi := strings.Repeat("ж", 200)
	cases := []columnCase{
		{name: "position omitted", body: jsonObj{"name": "x"}, want: ok(http.StatusCreated), order: []string{"a", "b", "c", "x"}, wantPos: 3},
		{name: "position null", body: jsonObj{"name": "x", "position": nil}, want: ok(http.StatusCreated), order: []string{"a", "b", "c", "x"}, wantPos: 3},
		{name: "position 0", body: jsonObj{"name": "x", "position": 0}, want: ok(http.StatusCreated), order: []string{"x", "a", "b", "c"}, wantPos: 0},
		{name: "position 1", body: jsonObj{"name": "x", "position": 1}, want: ok(http.StatusCreated), order: []string{"a", "x", "b", "c"}, wantPos: 1},
		{name: "position 3, the end", body: jsonObj{"name": "x", "position": 3}, want: ok(http.StatusCreated), order: []string{"a", "b", "c", "x"}, wantPos: 3},
		{name: "position 4, past the end", body: jsonObj{"name": "x", "position": 4}, want: ok(http.StatusCreated), order: []string{"a", "b", "c", "x"}, wantPos: 3},
		{name: "position 2^31", body: `{"name": "x", "position": 2147483648}`, want: ok(http.StatusCreated), order: []string{"a", "b", "c", "x"}, wantPos: 3},
		{name: "position 2^62", body: `{"name": "x", "position": 4611686018427387904}`, want: ok(http.StatusCreated), order: []string{"a", "b", "c", "x"}, wantPos: 3},
		{name: "name trimmed", body: jsonObj{"name": "  x \n"}, want: ok(http.StatusCreated), order: []string{"a", "b", "c", "x"}, wantPos: 3},
		{name: "name 200 multi-byte characters", body: jsonObj{"name": multi, "position": 0}, want: ok(http.StatusCreated), order: []string{multi, "a", "b", "c"}, wantPos: 0},
		{name: "unknown fields ignored", body: jsonObj{"name": "x", "room_id": uuid.NewString(), "id": uuid.NewString(), "cards": []any{}}, want: ok(http.StatusCreated), order: []string{"a", "b", "c", "x"}, wantPos: 3},
		{name: "position -1", body: jsonObj{"name": "x", "position": -1}, want: invalid("position")},
		{name: "name and position broken", body: jsonObj{"name": "", "position": -5}, want: invalid("name", "position")},
		{name: "name missing", body: jsonObj{"position": 0}, want: invalid("name")},
		{name: "name spaces", body: jsonObj{"name": "  "}, want: invalid("name")},
		{name: "name 201 characters", body: jsonObj{"name": multi + "ж"}, want: invalid("name")},
		{name: "name with NUL", body: jsonObj{"name": nul + "x"}, want: invalid("name")},
		{name: "position a string", body: jsonObj{"name": "x", "position": "1"}, want: badRequest},
		{name: "position 1.5", body: `{"name": "x", "position": 1.5}`, want: badRequest},
		{name: "position true", body: `{"name": "x", "position": true}`, want: badRequest},
		{name: "name a number", body: `{"name": 3}`, want: badRequest},
		{name: "body not JSON", body: `{"name": "x"`, want: badRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			room, _ := e.seedColumns(t, u, "a", "b", "c")
			before := e.board(t, u, room.ID)
			c := apiCall(http.MethodPost, roomPath(room.ID)+"/columns", u, tc.body)
			rec := e.expect(t, c, tc.want)
			if !tc.want.success() {
				e.requireUnchanged(t, u, before, c.String())
				return
			}
			col := requireColumn(t, c.String(), rec.Body.Bytes())
			requireEqual(t, c.String(), "room_id", col.RoomID, room.ID)
			requireEqual(t, c.String(), "position", col.Position, tc.wantPos)
			requireEqual(t, c.String(), "name", col.Name, tc.order[tc.wantPos])
			after := e.board(t, u, room.ID)
			requireOrder(t, c.String(), "columns", after.columnNames(), tc.order)
			requireEqual(t, c.String(), "version", after.Version, before.Version+1)
			if len(after.Columns) > tc.wantPos && after.Columns[tc.wantPos].ID != col.ID {
				t.Errorf("%s: column at %d is %s, want the created %s", c, tc.wantPos, after.Columns[tc.wantPos].ID, col.ID)
			}
		})
	}
	t.Run("past the end of an empty room", func(t *testing.T) {
		t.Parallel()
		room := e.createRoom(t, u, "empty")
		c := apiCall(http.MethodPost, roomPath(room.ID)+"/columns", u, jsonObj{"name": "only", "position": 7})
		rec := e.expect(t, c, ok(http.StatusCreated))
		requireEqual(t, c.String(), "position", requireColumn(t, c.String(), rec.Body.Bytes()).Position, 0)
	})
	t.Run("unknown room", func(t *testing.T) {
		t.Parallel()
		e.expect(t, apiCall(http.MethodPost, roomPath(uuid.New())+"/columns", u, jsonObj{"name": "x"}), notFound404)
	})
}

// TestUpdateColumn: renames and moves (to 0, to the end, past the end,
// where it is), positions staying 0..n-1.
func TestUpdateColumn(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u := e.user(t, "owner")
	type patchCase struct {
		name   string
		target string
		body   any
		want   outcome
		order  []string
		pos    int
	}
	for _, tc := range []patchCase{
		{"rename, trimmed", "b", jsonObj{"name": "  z  "}, ok(http.StatusOK), []string{"a", "z", "c", "d"}, 1},
		{"move b to 0", "b", jsonObj{"position": 0}, ok(http.StatusOK), []string{"b", "a", "c", "d"}, 0},
		{"move d to 0", "d", jsonObj{"position": 0}, ok(http.StatusOK), []string{"d", "a", "b", "c"}, 0},
		{"move a to 2", "a", jsonObj{"position": 2}, ok(http.StatusOK), []string{"b", "c", "a", "d"}, 2},
		{"move b to the end", "b", jsonObj{"position": 3}, ok(http.StatusOK), []string{"a", "c", "d", "b"}, 3},
		{"move b past the end", "b", jsonObj{"position": 10}, ok(http.StatusOK), []string{"a", "c", "d", "b"}, 3},
		{"move a to 2^62", "a", `{"position": 4611686018427387904}`, ok(http.StatusOK), []string{"b", "c", "d", "a"}, 3},
		{"move c up to 1", "c", jsonObj{"position": 1}, ok(http.StatusOK), []string{"a", "c", "b", "d"}, 1},
		{"move b where it is", "b", jsonObj{"position": 1}, ok(http.StatusOK), []string{"a", "b", "c", "d"}, 1},
		{"rename and move", "c", jsonObj{"name": "z", "position": 0}, ok(http.StatusOK), []string{"z", "a", "b", "d"}, 0},
		{"empty patch", "b", jsonObj{}, ok(http.StatusOK), []string{"a", "b", "c", "d"}, 1},
		{"unknown fields ignored", "b", jsonObj{"room_id": uuid.NewString(), "id": uuid.NewString(), "cards": nil}, ok(http.StatusOK), []string{"a", "b", "c", "d"}, 1},
		{"name empty", "b", jsonObj{"name": ""}, invalid("name"), nil, 0},
		{"name spaces", "b", jsonObj{"name": "   ", "position": 0}, invalid("name"), nil, 0},
		{"name 201 characters", "b", jsonObj{"name": strings.Repeat("n", 201)}, invalid("name"), nil, 0},
		{"name with NUL", "b", jsonObj{"name": "b" + nul}, invalid("name"), nil, 0},
		{"position -1", "b", jsonObj{"position": -1}, invalid("position"), nil, 0},
		{"name and position broken", "b", jsonObj{"name": "", "position": -1}, invalid("name", "position"), nil, 0},
		{"position a string", "b", jsonObj{"position": "0"}, badRequest, nil, 0},
		{"position 0.5", "b", `{"position": 0.5}`, badRequest, nil, 0},
		{"name a number", "b", `{"name": 1}`, badRequest, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			room, cols := e.seedColumns(t, u, "a", "b", "c", "d")
			before := e.board(t, u, room.ID)
			target := cols[tc.target]
			c := apiCall(http.MethodPatch, columnPath(target.ID), u, tc.body)
			rec := e.expect(t, c, tc.want)
			if !tc.want.success() {
				e.requireUnchanged(t, u, before, c.String())
				return
			}
			col := requireColumn(t, c.String(), rec.Body.Bytes())
			want := columnBody{ID: target.ID, RoomID: room.ID, Name: tc.order[tc.pos], Position: tc.pos}
			if col.ID != want.ID || col.RoomID != want.RoomID || col.Name != want.Name || col.Position != want.Position {
				t.Errorf("%s: column = %+v, want %+v", c, col, want)
			}
			after := e.board(t, u, room.ID)
			requireOrder(t, c.String(), "columns", after.columnNames(), tc.order)
			requireEqual(t, c.String(), "version", after.Version, before.Version+1)
		})
	}
	t.Run("unknown column", func(t *testing.T) {
		t.Parallel()
		e.expect(t, apiCall(http.MethodPatch, columnPath(uuid.New()), u, jsonObj{"name": "x"}), notFound404)
	})
	t.Run("a sequence keeps 0..n-1", func(t *testing.T) {
		t.Parallel()
		room, cols := e.seedColumns(t, u, "a", "b", "c", "d", "e")
		order := []string{"a", "b", "c", "d", "e"}
		for i, m := range []struct {
			name string
			to   int
		}{{"e", 0}, {"a", 4}, {"c", 2}, {"b", 99}, {"d", 1}, {"e", 3}} {
			c := apiCall(http.MethodPatch, columnPath(cols[m.name].ID), u, jsonObj{"position": m.to})
			e.expect(t, c, ok(http.StatusOK))
			order = slices.DeleteFunc(order, func(s string) bool { return s == m.name })
			order = slices.Insert(order, min(m.to, len(order)), m.name)
			b := e.board(t, u, room.ID) // requireBoard checks 0..n-1
			requireOrder(t, c.String(), "columns", b.columnNames(), order)
			requireEqual(t, c.String(), "version", b.Version, int64(1+5+i+1))
		}
	})
}

// TestDeleteColumn: 204, its cards gone, the others renumbered 0..n-1.
func TestDeleteColumn(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u := e.user(t, "owner")
	for _, tc := range []struct {
		target string
		order  []string
	}{
		{"a", []string{"b", "c"}},
		{"b", []string{"a", "c"}},
		{"c", []string{"a", "b"}},
	} {
		t.Run("delete "+tc.target, func(t *testing.T) {
			t.Parallel()
			room, cols := e.seedColumns(t, u, "a", "b", "c")
			cards := map[string]map[string]cardBody{}
			for _, n := range []string{"a", "b", "c"} {
				cards[n] = e.seedCards(t, u, cols[n].ID, n+"1", n+"2")
			}
			before := e.board(t, u, room.ID)
			target := cols[tc.target]
			c := apiCall(http.MethodDelete, columnPath(target.ID), u, nil)
			e.expect(t, c, ok(http.StatusNoContent))
			after := e.board(t, u, room.ID)
			requireOrder(t, c.String(), "columns", after.columnNames(), tc.order)
			requireEqual(t, c.String(), "version", after.Version, before.Version+1)
			for _, n := range tc.order {
				requireOrder(t, c.String(), n+"'s cards", after.cardTitles(t, cols[n].ID), []string{n + "1", n + "2"})
			}
			for _, card := range cards[tc.target] {
				e.expect(t, apiCall(http.MethodGet, cardPath(card.ID), u, nil), notFound404)
			}
			var n int64
			if err := e.db.WithContext(context.Background()).Model(&models.Card{}).Where("column_id = ?", target.ID).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("after %s: %d cards of the column remain", c, n)
			}
			gone := e.board(t, u, room.ID)
			for _, again := range []call{
				apiCall(http.MethodDelete, columnPath(target.ID), u, nil),
				apiCall(http.MethodPatch, columnPath(target.ID), u, jsonObj{"name": "back"}),
				apiCall(http.MethodPost, columnPath(target.ID)+"/cards", u, jsonObj{"title": "x"}),
			} {
				e.expect(t, again, notFound404)
			}
			e.requireUnchanged(t, u, gone, "requests on the deleted column")
		})
	}
}

// TestCreateCard: 201 with the exact Card, description defaulting to "",
// title 1..200 and description up to 10,000 characters, positions as for
// columns.
func TestCreateCard(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u := e.user(t, "author")
	desc10k := strings.Repeat("d", 10_000)
	desc10kMulti := strings.Repeat("ß", 9_999) + "😀"
	title200 := strings.Repeat("ť", 200)
	type cardCase struct {
		name     string
		body     any
		want     outcome
		order    []string
		pos      int
		wantDesc string
	}
	for _, tc := range []cardCase{
		{"title only", jsonObj{"title": "x"}, ok(http.StatusCreated), []string{"a", "b", "c", "x"}, 3, ""},
		{"title and description trimmed", jsonObj{"title": " x ", "description": "  some text \n"}, ok(http.StatusCreated), []string{"a", "b", "c", "x"}, 3, "some text"},
		{"description null", jsonObj{"title": "x", "description": nil}, ok(http.StatusCreated), []string{"a", "b", "c", "x"}, 3, ""},
		{"description empty", jsonObj{"title": "x", "description": ""}, ok(http.StatusCreated), []string{"a", "b", "c", "x"}, 3, ""},
		{"description spaces", jsonObj{"title": "x", "description": "   "}, ok(http.StatusCreated), []string{"a", "b", "c", "x"}, 3, ""},
		{"description 10,000 characters", jsonObj{"title": "x", "description": desc10k}, ok(http.StatusCreated), []string{"a", "b", "c", "x"}, 3, desc10k},
		{"description 10,000 multi-byte characters", jsonObj{"title": "x", "description": desc10kMulti}, ok(http.StatusCreated), []string{"a", "b", "c", "x"}, 3, desc10kMulti},
		{"description 10,000 once trimmed", jsonObj{"title": "x", "description": "  " + desc10k + "  "}, ok(http.StatusCreated), []string{"a", "b", "c", "x"}, 3, desc10k},
		{"title 200 multi-byte characters", jsonObj{"title": title200}, ok(http.StatusCreated), []string{"a", "b", "c", title200}, 3, ""},
		{"position 0", jsonObj{"title": "x", "position": 0}, ok(http.StatusCreated), []string{"x", "a", "b", "c"}, 0, ""},
		{"position 2", jsonObj{"title": "x", "position": 2}, ok(http.StatusCreated), []string{"a", "b", "x", "c"}, 2, ""},
		{"position 3, the end", jsonObj{"title": "x", "position": 3}, ok(http.StatusCreated), []string{"a", "b", "c", "x"}, 3, ""},
		{"position 99, past the end", jsonObj{"title": "x", "position": 99}, ok(http.StatusCreated), []string{"a", "b", "c", "x"}, 3, ""},
		{"position null", jsonObj{"title": "x", "position": nil}, ok(http.StatusCreated), []string{"a", "b", "c", "x"}, 3, ""},
		{"unknown fields ignored", jsonObj{"title": "x", "column_id": uuid.NewString(), "created_by": uuid.NewString(), "id": uuid.NewString()}, ok(http.StatusCreated), []string{"a", "b", "c", "x"}, 3, ""},
		{"title missing", jsonObj{"description": "d"}, invalid("title"), nil, 0, ""},
		{"title empty", jsonObj{"title": ""}, invalid("title"), nil, 0, ""},
		{"title spaces", jsonObj{"title": " \t "}, invalid("title"), nil, 0, ""},
		{"title 201 characters", jsonObj{"title": title200 + "x"}, invalid("title"), nil, 0, ""},
		{"title with NUL", jsonObj{"title": "x" + nul}, invalid("title"), nil, 0, ""},
		{"description 10,001 characters", jsonObj{"title": "x", "description": desc10k + "d"}, invalid("description"), nil, 0, ""},
		{"description 10,001 multi-byte characters", jsonObj{"title": "x", "description": desc10kMulti + "ß"}, invalid("description"), nil, 0, ""},
		{"description with NUL", jsonObj{"title": "x", "description": "a" + nul + "b"}, invalid("description"), nil, 0, ""},
		{"position -1", jsonObj{"title": "x", "position": -1}, invalid("position"), nil, 0, ""},
		{"everything broken", jsonObj{"title": "", "description": desc10k + "!", "position": -1}, invalid("title", "description", "position"), nil, 0, ""},
		{"position a string", jsonObj{"title": "x", "position": "0"}, badRequest, nil, 0, ""},
		{"position 1.5", `{"title": "x", "position": 1.5}`, badRequest, nil, 0, ""},
		{"description a number", `{"title": "x", "description": 12}`, badRequest, nil, 0, ""},
		{"title an array", `{"title": ["x"]}`, badRequest, nil, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			room, cols := e.seedColumns(t, u, "todo")
			col := cols["todo"]
			e.seedCards(t, u, col.ID, "a", "b", "c")
			before := e.board(t, u, room.ID)
			c := apiCall(http.MethodPost, columnPath(col.ID)+"/cards", u, tc.body)
			start := time.Now()
			rec := e.expect(t, c, tc.want)
			if !tc.want.success() {
				e.requireUnchanged(t, u, before, c.String())
				return
			}
			card := requireCard(t, c.String(), rec.Body.Bytes())
			requireEqual(t, c.String(), "column_id", card.ColumnID, col.ID)
			requireEqual(t, c.String(), "title", card.Title, tc.order[tc.pos])
			requireEqual(t, c.String(), "description", card.Description, tc.wantDesc)
			requireEqual(t, c.String(), "position", card.Position, tc.pos)
			requireEqual(t, c.String(), "created_by", card.CreatedBy, u.ID)
			requireEqual(t, c.String(), "updated_at", card.UpdatedAt, card.CreatedAt)
			requireNear(t, c.String(), "created_at", card.CreatedAt, start, time.Now())
			after := e.board(t, u, room.ID)
			requireOrder(t, c.String(), "cards", after.cardTitles(t, col.ID), tc.order)
			requireEqual(t, c.String(), "version", after.Version, before.Version+1)
			if len(after.Columns) == 1 && len(after.Columns[0].Cards) > tc.pos {
				if got := after.Columns[0].Cards[tc.pos]; got != card {
					t.Errorf("%s: board card %+v, want the created %+v", c, got, card)
				}
			}
		})
	}
	t.Run("past the end of an empty column", func(t *testing.T) {
		t.Parallel()
		_, cols := e.seedColumns(t, u, "empty")
		c := apiCall(http.MethodPost, columnPath(cols["empty"].ID)+"/cards", u, jsonObj{"title": "only", "position": 5})
		rec := e.expect(t, c, ok(http.StatusCreated))
		requireEqual(t, c.String(), "position", requireCard(t, c.String(), rec.Body.Bytes()).Position, 0)
	})
	t.Run("unknown column", func(t *testing.T) {
		t.Parallel()
		e.expect(t, apiCall(http.MethodPost, columnPath(uuid.New())+"/cards", u, jsonObj{"title": "x"}), notFound404)
	})
}

// TestGetCard: 200 with the card as created, for every member; 404 for
// unknown or deleted cards.
func TestGetCard(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, member := e.user(t, "owner"), e.user(t, "member")
	room, cols := e.seedColumns(t, owner, "todo")
	e.addMember(t, owner, room.ID, member)
	c := apiCall(http.MethodPost, columnPath(cols["todo"].ID)+"/cards", member, jsonObj{"title": "t", "description": "d"})
	created := requireCard(t, c.String(), e.expect(t, c, ok(http.StatusCreated)).Body.Bytes())
	before := e.board(t, owner, room.ID)
	for _, u := range []boardUser{owner, member} {
		get := apiCall(http.MethodGet, cardPath(created.ID), u, nil)
		if got := requireCard(t, get.String(), e.expect(t, get, ok(http.StatusOK)).Body.Bytes()); got != created {
			t.Errorf("%s: card = %+v, want %+v", get, got, created)
		}
	}
	e.requireUnchanged(t, owner, before, "GET card")
	e.expect(t, apiCall(http.MethodGet, cardPath(uuid.New()), owner, nil), notFound404)
	e.expect(t, apiCall(http.MethodDelete, cardPath(created.ID), owner, nil), ok(http.StatusNoContent))
	e.expect(t, apiCall(http.MethodGet, cardPath(created.ID), owner, nil), notFound404)
}

// TestUpdateCard: title and description change; position and column_id
// sent to PATCH are ignored; broken text is 422.
func TestUpdateCard(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u := e.user(t, "owner")
	type updateCase struct {
		name      string
		body      any
		want      outcome
		wantTitle string
		wantDesc  string
	}
	for _, tc := range []updateCase{
		{"title, trimmed", jsonObj{"title": "  New  "}, ok(http.StatusOK), "New", "old"},
		{"description", jsonObj{"description": " new text "}, ok(http.StatusOK), "b", "new text"},
		{"both", jsonObj{"title": "T", "description": "D"}, ok(http.StatusOK), "T", "D"},
		{"description cleared", jsonObj{"description": ""}, ok(http.StatusOK), "b", ""},
		{"description 10,000", jsonObj{"description": strings.Repeat("é", 10_000)}, ok(http.StatusOK), "b", strings.Repeat("é", 10_000)},
		{"title 200", jsonObj{"title": strings.Repeat("t", 200)}, ok(http.StatusOK), strings.Repeat("t", 200), "old"},
		{"empty patch", jsonObj{}, ok(http.StatusOK), "b", "old"},
		{"position ignored", jsonObj{"position": 0}, ok(http.StatusOK), "b", "old"},
		{"column_id and position ignored", "", ok(http.StatusOK), "moved?", "old"}, // body set below: needs the other column's ID
		{"server-owned fields ignored", jsonObj{"id": uuid.NewString(), "created_by": uuid.NewString(), "created_at": "2001-01-01T00:00:00Z"}, ok(http.StatusOK), "b", "old"},
		{"title empty", jsonObj{"title": ""}, invalid("title"), "", ""},
		{"title spaces", jsonObj{"title": "   ", "description": "fine"}, invalid("title"), "", ""},
		{"title 201", jsonObj{"title": strings.Repeat("t", 201)}, invalid("title"), "", ""},
		{"title with NUL", jsonObj{"title": nul}, invalid("title"), "", ""},
		{"description 10,001", jsonObj{"description": strings.Repeat("é", 10_001)}, invalid("description"), "", ""},
		{"description with NUL", jsonObj{"description": "x" + nul}, invalid("description"), "", ""},
		{"both broken", jsonObj{"title": "", "description": nul}, invalid("title", "description"), "", ""},
		{"title a number", `{"title": 1}`, badRequest, "", ""},
		{"position of any JSON type ignored", jsonObj{"position": "x", "title": "ok"}, ok(http.StatusOK), "ok", "old"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			room, cols := e.seedColumns(t, u, "todo", "done")
			cards := e.seedCards(t, u, cols["todo"].ID, "a")
			c0 := apiCall(http.MethodPost, columnPath(cols["todo"].ID)+"/cards", u, jsonObj{"title": "b", "description": "old"})
			target := requireCard(t, c0.String(), e.expect(t, c0, ok(http.StatusCreated)).Body.Bytes())
			cards["c"] = e.createCard(t, u, cols["todo"].ID, "c")
			body := tc.body
			if body == "" {
				body = jsonObj{"title": "moved?", "column_id": cols["done"].ID, "position": 0}
			}
			before := e.board(t, u, room.ID)
			c := apiCall(http.MethodPatch, cardPath(target.ID), u, body)
			rec := e.expect(t, c, tc.want)
			if !tc.want.success() {
				e.requireUnchanged(t, u, before, c.String())
				return
			}
			got := requireCard(t, c.String(), rec.Body.Bytes())
			want := target
			want.Title, want.Description = tc.wantTitle, tc.wantDesc
			want.UpdatedAt = got.UpdatedAt
			if got != want {
				t.Errorf("%s: card = %+v, want %+v", c, got, want)
			}
			if got.UpdatedAt.Before(target.UpdatedAt) {
				t.Errorf("%s: updated_at went back from %v to %v", c, target.UpdatedAt, got.UpdatedAt)
			}
			after := e.board(t, u, room.ID)
			requireOrder(t, c.String(), "todo", after.cardTitles(t, cols["todo"].ID), []string{"a", tc.wantTitle, "c"})
			requireOrder(t, c.String(), "done", after.cardTitles(t, cols["done"].ID), []string{})
			requireEqual(t, c.String(), "version", after.Version, before.Version+1)
			get := apiCall(http.MethodGet, cardPath(target.ID), u, nil)
			if g := requireCard(t, get.String(), e.expect(t, get, ok(http.StatusOK)).Body.Bytes()); g != got {
				t.Errorf("GET after %s: card = %+v, want %+v", c, g, got)
			}
		})
	}
	t.Run("unknown card", func(t *testing.T) {
		t.Parallel()
		e.expect(t, apiCall(http.MethodPatch, cardPath(uuid.New()), u, jsonObj{"title": "x"}), notFound404)
	})
}

// TestMoveCard: moves within a column and across columns keep 0..n-1 in
// both; a target in another room is 422 (404 where the caller cannot see
// it); broken bodies are 422 or 400.
func TestMoveCard(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u, stranger := e.user(t, "mover"), e.user(t, "stranger")
	// Another room of u (u is a member there too) and a room u cannot see.
	_, otherCols := e.seedColumns(t, u, "elsewhere")
	_, hiddenCols := e.seedColumns(t, stranger, "hidden")

	type moveCase struct {
		name   string
		card   string
		body   func(cols map[string]columnBody) any
		want   outcome
		x, y   []string // on success: X's and Y's titles afterwards
		z      []string
		toCol  string
		wantAt int
	}
	to := func(col string, pos any) func(map[string]columnBody) any {
		return func(cols map[string]columnBody) any { return jsonObj{"column_id": cols[col].ID, "position": pos} }
	}
	raw := func(body any) func(map[string]columnBody) any {
		return func(map[string]columnBody) any { return body }
	}
	x := []string{"x0", "x1", "x2", "x3"}
	y := []string{"y0", "y1"}
	for _, tc := range []moveCase{
		{name: "up within a column", card: "x2", body: to("X", 0), want: ok(http.StatusOK), x: []string{"x2", "x0", "x1", "x3"}, y: y, toCol: "X", wantAt: 0},
		{name: "up by one", card: "x3", body: to("X", 2), want: ok(http.StatusOK), x: []string{"x0", "x1", "x3", "x2"}, y: y, toCol: "X", wantAt: 2},
		{name: "down within a column", card: "x0", body: to("X", 2), want: ok(http.StatusOK), x: []string{"x1", "x2", "x0", "x3"}, y: y, toCol: "X", wantAt: 2},
		{name: "down to the end", card: "x0", body: to("X", 3), want: ok(http.StatusOK), x: []string{"x1", "x2", "x3", "x0"}, y: y, toCol: "X", wantAt: 3},
		{name: "past the end clamps", card: "x1", body: to("X", 99), want: ok(http.StatusOK), x: []string{"x0", "x2", "x3", "x1"}, y: y, toCol: "X", wantAt: 3},
		{name: "2^62 clamps", card: "x1", body: func(cols map[string]columnBody) any {
			return fmt.Sprintf(`{"column_id": %q, "position": 4611686018427387904}`, cols["X"].ID)
		}, want: ok(http.StatusOK), x: []string{"x0", "x2", "x3", "x1"}, y: y, toCol: "X", wantAt: 3},
		{name: "where it already is", card: "x1", body: to("X", 1), want: ok(http.StatusOK), x: x, y: y, toCol: "X", wantAt: 1},
		{name: "the last where it already is", card: "x3", body: to("X", 3), want: ok(http.StatusOK), x: x, y: y, toCol: "X", wantAt: 3},
		{name: "across to the top", card: "x1", body: to("Y", 0), want: ok(http.StatusOK), x: []string{"x0", "x2", "x3"}, y: []string{"x1", "y0", "y1"}, toCol: "Y", wantAt: 0},
		{name: "across to the middle", card: "x0", body: to("Y", 1), want: ok(http.StatusOK), x: []string{"x1", "x2", "x3"}, y: []string{"y0", "x0", "y1"}, toCol: "Y", wantAt: 1},
		{name: "across to the end", card: "x3", body: to("Y", 2), want: ok(http.StatusOK), x: []string{"x0", "x1", "x2"}, y: []string{"y0", "y1", "x3"}, toCol: "Y", wantAt: 2},
		{name: "across past the end clamps", card: "x2", body: to("Y", 50), want: ok(http.StatusOK), x: []string{"x0", "x1", "x3"}, y: []string{"y0", "y1", "x2"}, toCol: "Y", wantAt: 2},
		{name: "across back", card: "y1", body: to("X", 1), want: ok(http.StatusOK), x: []string{"x0", "y1", "x1", "x2", "x3"}, y: []string{"y0"}, toCol: "X", wantAt: 1},
		{name: "into an empty column", card: "y0", body: to("Z", 3), want: ok(http.StatusOK), x: x, y: []string{"y1"}, z: []string{"y0"}, toCol: "Z", wantAt: 0},
		{name: "unknown fields ignored", card: "x0", body: func(cols map[string]columnBody) any {
			return jsonObj{"column_id": cols["X"].ID, "position": 1, "title": "renamed?", "id": uuid.NewString()}
		}, want: ok(http.StatusOK), x: []string{"x1", "x0", "x2", "x3"}, y: y, toCol: "X", wantAt: 1},
		{name: "a column of another room of the caller", card: "x0", body: raw(jsonObj{"column_id": otherCols["elsewhere"].ID, "position": 0}), want: invalid("column_id")},
		{name: "a column of a room the caller cannot see", card: "x0", body: raw(jsonObj{"column_id": hiddenCols["hidden"].ID, "position": 0}), want: notFound404},
		{name: "an unknown column", card: "x0", body: raw(jsonObj{"column_id": uuid.New(), "position": 0}), want: notFound404},
		{name: "column_id not a UUID", card: "x0", body: raw(jsonObj{"column_id": "abc", "position": 0}), want: invalid("column_id")},
		{name: "column_id empty", card: "x0", body: raw(jsonObj{"column_id": "", "position": 0}), want: invalid("column_id")},
		{name: "column_id missing", card: "x0", body: raw(jsonObj{"position": 0}), want: invalid("column_id")},
		{name: "position missing", card: "x0", body: func(cols map[string]columnBody) any { return jsonObj{"column_id": cols["Y"].ID} }, want: invalid("position")},
		{name: "position null", card: "x0", body: to("Y", nil), want: invalid("position")},
		{name: "position negative", card: "x0", body: to("Y", -1), want: invalid("position")},
		{name: "position negative within the column", card: "x1", body: to("X", -1), want: invalid("position")},
		{name: "both missing", card: "x0", body: raw(jsonObj{}), want: invalid("column_id", "position")},
		{name: "position a string", card: "x0", body: to("Y", "1"), want: badRequest},
		{name: "position 0.5", card: "x0", body: to("Y", 0.5), want: badRequest},
		{name: "column_id a number", card: "x0", body: raw(`{"column_id": 5, "position": 0}`), want: badRequest},
		{name: "no body", card: "x0", body: raw(nil), want: badRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			room, cols := e.seedColumns(t, u, "X", "Y", "Z")
			cards := e.seedCards(t, u, cols["X"].ID, x...)
			for k, v := range e.seedCards(t, u, cols["Y"].ID, y...) {
				cards[k] = v
			}
			body := tc.body(cols)
			before := e.board(t, u, room.ID)
			moved := cards[tc.card]
			c := apiCall(http.MethodPost, cardPath(moved.ID)+"/move", u, body)
			rec := e.expect(t, c, tc.want)
			if !tc.want.success() {
				e.requireUnchanged(t, u, before, c.String())
				return
			}
			got := requireCard(t, c.String(), rec.Body.Bytes())
			want := moved
			want.ColumnID, want.Position, want.UpdatedAt = cols[tc.toCol].ID, tc.wantAt, got.UpdatedAt
			if got != want {
				t.Errorf("%s: card = %+v, want %+v", c, got, want)
			}
			if got.UpdatedAt.Before(moved.UpdatedAt) {
				t.Errorf("%s: updated_at went back from %v to %v", c, moved.UpdatedAt, got.UpdatedAt)
			}
			after := e.board(t, u, room.ID)
			requireOrder(t, c.String(), "X", after.cardTitles(t, cols["X"].ID), tc.x)
			requireOrder(t, c.String(), "Y", after.cardTitles(t, cols["Y"].ID), tc.y)
			requireOrder(t, c.String(), "Z", after.cardTitles(t, cols["Z"].ID), append([]string{}, tc.z...))
			requireEqual(t, c.String(), "version", after.Version, before.Version+1)
		})
	}
	t.Run("unknown card", func(t *testing.T) {
		t.Parallel()
		e.expect(t, apiCall(http.MethodPost, cardPath(uuid.New())+"/move", u, jsonObj{"column_id": otherCols["elsewhere"].ID, "position": 0}), notFound404)
	})
}

// TestDeleteCard: 204, the column renumbered, the card gone.
func TestDeleteCard(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u := e.user(t, "owner")
	for _, tc := range []struct {
		target string
		left   []string
	}{
		{"c0", []string{"c1", "c2", "c3"}},
		{"c1", []string{"c0", "c2", "c3"}},
		{"c3", []string{"c0", "c1", "c2"}},
	} {
		t.Run("delete "+tc.target, func(t *testing.T) {
			t.Parallel()
			room, cols := e.seedColumns(t, u, "todo", "other")
			cards := e.seedCards(t, u, cols["todo"].ID, "c0", "c1", "c2", "c3")
			e.seedCards(t, u, cols["other"].ID, "o0")
			before := e.board(t, u, room.ID)
			target := cards[tc.target]
			c := apiCall(http.MethodDelete, cardPath(target.ID), u, nil)
			e.expect(t, c, ok(http.StatusNoContent))
			after := e.board(t, u, room.ID) // requireBoard checks 0..n-1
			requireOrder(t, c.String(), "todo", after.cardTitles(t, cols["todo"].ID), tc.left)
			requireOrder(t, c.String(), "other", after.cardTitles(t, cols["other"].ID), []string{"o0"})
			requireEqual(t, c.String(), "version", after.Version, before.Version+1)
			for _, again := range []call{
				apiCall(http.MethodGet, cardPath(target.ID), u, nil),
				apiCall(http.MethodDelete, cardPath(target.ID), u, nil),
				apiCall(http.MethodPatch, cardPath(target.ID), u, jsonObj{"title": "back"}),
				apiCall(http.MethodPost, cardPath(target.ID)+"/move", u, jsonObj{"column_id": cols["todo"].ID, "position": 0}),
			} {
				e.expect(t, again, notFound404)
			}
			e.requireUnchanged(t, u, after, "requests on the deleted card")
		})
	}
}

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
