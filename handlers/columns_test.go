package handlers

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

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
