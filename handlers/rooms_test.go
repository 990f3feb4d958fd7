package handlers

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// These tests hold the rooms endpoints of docs/API.md and
// openapi/openapi.yaml (create, list, board, rename, delete) through the
// real router on a private database. members_test.go, columns_test.go and
// cards_test.go hold the other resources of a board, and board_test.go the
// rules that every endpoint of the boards API follows.

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
			// Lists are [], never null; the only nulls are the cards'
			// due_at and archived_at, which are null by definition here.
			bare := strings.NewReplacer(`"due_at":null`, "", `"archived_at":null`, "").Replace(b.Raw)
			if strings.Contains(bare, "null") {
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
