package handlers

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

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
				if got := after.Columns[0].Cards[tc.pos]; !reflect.DeepEqual(got, card) {
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
		if got := requireCard(t, get.String(), e.expect(t, get, ok(http.StatusOK)).Body.Bytes()); !reflect.DeepEqual(got, created) {
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
			if !reflect.DeepEqual(got, want) {
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
			if g := requireCard(t, get.String(), e.expect(t, get, ok(http.StatusOK)).Body.Bytes()); !reflect.DeepEqual(g, got) {
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
			if !reflect.DeepEqual(got, want) {
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
