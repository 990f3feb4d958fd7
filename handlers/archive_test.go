package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"
)

// These tests hold the Archive section of docs/API.md: archived cards and
// columns leave the board and its positions, are listed most recently
// archived first, keep their details, and come back at the end.

func archivePath(p string) string { return p + "/archive" }
func restorePath(p string) string { return p + "/restore" }

// archiveBody is a decoded GET /api/rooms/{room_id}/archive.
type archiveBody struct {
	Columns []columnBody
	Cards   []cardBody
}

func (e *boardEnv) archive(t *testing.T, u boardUser, roomID uuid.UUID) archiveBody {
	t.Helper()
	c := apiCall(http.MethodGet, archivePath(roomPath(roomID)), u, nil)
	rec := e.expect(t, c, ok(http.StatusOK))
	m := requireKeys(t, c.String(), "Archive", rec.Body.Bytes(), "columns", "cards")
	var a archiveBody
	for _, raw := range requireArray(t, c.String(), "archive.columns", m["columns"]) {
		col := requireColumn(t, c.String(), raw)
		if col.ArchivedAt == nil {
			t.Errorf("%s: column %q is listed but not archived", c, col.Name)
		}
		a.Columns = append(a.Columns, col)
	}
	for _, raw := range requireArray(t, c.String(), "archive.cards", m["cards"]) {
		card := requireCard(t, c.String(), raw)
		if card.ArchivedAt == nil {
			t.Errorf("%s: card %q is listed but not archived", c, card.Title)
		}
		a.Cards = append(a.Cards, card)
	}
	return a
}

func (a archiveBody) names() (cols, cards []string) {
	cols, cards = []string{}, []string{}
	for _, c := range a.Columns {
		cols = append(cols, c.Name)
	}
	for _, c := range a.Cards {
		cards = append(cards, c.Title)
	}
	return cols, cards
}

// archiveStep is one request and what the board looks like after it.
type archiveStep struct {
	name string
	c    call
	want outcome
	// cols are the board's column names after the step; cards the titles
	// of some of its columns, by column name (nil: not checked).
	cols  []string
	cards map[string][]string
	then  func(t *testing.T, rec *httptest.ResponseRecorder)
}

// runSteps sends each step as it comes and checks its outcome, the room's
// version (one more per success that is not a read) and the board, whose
// positions requireBoard checks are 0..n-1 and whose columns and cards are
// all unarchived.
func (e *boardEnv) runSteps(t *testing.T, u boardUser, roomID uuid.UUID, steps []archiveStep) {
	t.Helper()
	version := e.board(t, u, roomID).Version
	for _, s := range steps {
		rec := e.expect(t, s.c, s.want)
		if s.want.success() && s.c.method != http.MethodGet {
			version++
		}
		if s.then != nil && rec.Code == s.want.status {
			s.then(t, rec)
		}
		b := e.board(t, u, roomID)
		requireEqual(t, s.name, "version", b.Version, version)
		if s.cols != nil {
			requireOrder(t, s.name, "columns", b.columnNames(), s.cols)
		}
		for name, want := range s.cards {
			found := false
			for _, col := range b.Columns {
				if col.Name == name {
					found = true
					requireOrder(t, s.name, "cards of "+name, b.cardTitles(t, col.ID), want)
				}
			}
			if !found {
				t.Errorf("%s: column %q is not on the board %s", s.name, name, b.columnNames())
			}
		}
	}
}

// cardIs checks a Card response: its column, position and whether it is
// archived.
func cardIs(column uuid.UUID, position int, archived bool) func(*testing.T, *httptest.ResponseRecorder) {
	return func(t *testing.T, rec *httptest.ResponseRecorder) {
		t.Helper()
		card := requireCard(t, "response", rec.Body.Bytes())
		requireEqual(t, card.Title, "column_id", card.ColumnID, column)
		if !archived {
			requireEqual(t, card.Title, "position", card.Position, position)
		}
		requireEqual(t, card.Title, "archived", card.ArchivedAt != nil, archived)
	}
}

// columnIs checks a Column response: its position and whether it is
// archived.
func columnIs(position int, archived bool) func(*testing.T, *httptest.ResponseRecorder) {
	return func(t *testing.T, rec *httptest.ResponseRecorder) {
		t.Helper()
		col := requireColumn(t, "response", rec.Body.Bytes())
		if !archived {
			requireEqual(t, col.Name, "position", col.Position, position)
		}
		requireEqual(t, col.Name, "archived", col.ArchivedAt != nil, archived)
	}
}

// TestArchiveCards: an archived card leaves the board and its column's
// positions (the rest close up), comes back at the end, and takes twice
// (idempotent, a new version each time); only members and owners may.
func TestArchiveCards(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, member, viewer, outsider := e.user(t, "owner"), e.user(t, "member"), e.user(t, "viewer"), e.user(t, "outsider")
	room, cols := e.seedColumns(t, owner, "todo", "done")
	e.addMember(t, owner, room.ID, member)
	e.addMemberAs(t, owner, room.ID, viewer, "viewer")
	todo, done := cols["todo"].ID, cols["done"].ID
	cards := e.seedCards(t, owner, todo, "a", "b", "c", "d")
	a, b, d := cardPath(cards["a"].ID), cardPath(cards["b"].ID), cardPath(cards["d"].ID)
	post := func(path string, u boardUser) call { return apiCall(http.MethodPost, path, u, nil) }
	move := func(path string, column uuid.UUID) call {
		return apiCall(http.MethodPost, path+"/move", member, jsonObj{"column_id": column, "position": 0})
	}

	e.runSteps(t, owner, room.ID, []archiveStep{
		{name: "archive b", c: post(archivePath(b), member), want: ok(http.StatusOK),
			cards: map[string][]string{"todo": {"a", "c", "d"}}, then: cardIs(todo, 0, true)},
		{name: "archive b again", c: post(archivePath(b), owner), want: ok(http.StatusOK),
			cards: map[string][]string{"todo": {"a", "c", "d"}}, then: cardIs(todo, 0, true)},
		{name: "a viewer archives", c: post(archivePath(a), viewer), want: forbidden403},
		{name: "a viewer restores", c: post(restorePath(b), viewer), want: forbidden403},
		{name: "a non-member archives", c: post(archivePath(a), outsider), want: notFound404},
		{name: "a non-member restores", c: post(restorePath(b), outsider), want: notFound404},
		{name: "archive an unknown card", c: post(archivePath(cardPath(uuid.New())), owner), want: notFound404},
		{name: "archive a path that is no UUID", c: post("/api/cards/nope/archive", owner), want: notFound404},
		{name: "move the archived card", c: move(b, done), want: invalid("card_id")},
		{name: "move the archived card in its column", c: move(b, todo), want: invalid("card_id")},
		{name: "archive d", c: post(archivePath(d), member), want: ok(http.StatusOK),
			cards: map[string][]string{"todo": {"a", "c"}}},
		{name: "create a card at 1", c: apiCall(http.MethodPost, columnPath(todo)+"/cards", member, jsonObj{"title": "e", "position": 1}),
			want: ok(http.StatusCreated), cards: map[string][]string{"todo": {"a", "e", "c"}}},
		{name: "restore b at the end", c: post(restorePath(b), member), want: ok(http.StatusOK),
			cards: map[string][]string{"todo": {"a", "e", "c", "b"}}, then: cardIs(todo, 3, false)},
		{name: "restore b again, where it is", c: post(restorePath(b), member), want: ok(http.StatusOK),
			cards: map[string][]string{"todo": {"a", "e", "c", "b"}}, then: cardIs(todo, 3, false)},
		{name: "restore a, never archived", c: post(restorePath(a), owner), want: ok(http.StatusOK),
			cards: map[string][]string{"todo": {"a", "e", "c", "b"}}, then: cardIs(todo, 0, false)},
		{name: "move the restored card", c: move(b, done), want: ok(http.StatusOK),
			cards: map[string][]string{"todo": {"a", "e", "c"}, "done": {"b"}}},
	})

	// d is still archived; archive a and c, and the list is newest first.
	e.expect(t, post(archivePath(a), member), ok(http.StatusOK))
	e.expect(t, post(archivePath(cardPath(cards["c"].ID)), member), ok(http.StatusOK))
	if _, got := e.archive(t, viewer, room.ID).names(); !equalStrings(got, []string{"c", "a", "d"}) {
		t.Errorf("archived cards = %q, want [c a d], most recently archived first", got)
	}
	e.expect(t, apiCall(http.MethodGet, archivePath(roomPath(room.ID)), outsider, nil), notFound404)
	e.expect(t, apiCall(http.MethodGet, archivePath(roomPath(uuid.New())), owner, nil), notFound404)
	requireOrder(t, "after archiving a and c", "todo", e.board(t, owner, room.ID).cardTitles(t, todo), []string{"e"})
}

func equalStrings(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// TestArchiveColumns: an archived column leaves the board with its cards
// (the columns after it close up), takes no cards or moves, and comes back
// at the end with its cards in their order.
func TestArchiveColumns(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, viewer, outsider := e.user(t, "owner"), e.user(t, "viewer"), e.user(t, "outsider")
	room, cols := e.seedColumns(t, owner, "A", "B", "C")
	e.addMemberAs(t, owner, room.ID, viewer, "viewer")
	colA, colB := cols["A"].ID, cols["B"].ID
	inB := e.seedCards(t, owner, colB, "x", "y", "z")
	inA := e.seedCards(t, owner, colA, "a")
	bPath := columnPath(colB)
	post := func(path string, u boardUser) call { return apiCall(http.MethodPost, path, u, nil) }

	e.runSteps(t, owner, room.ID, []archiveStep{
		{name: "archive B", c: post(archivePath(bPath), owner), want: ok(http.StatusOK),
			cols: []string{"A", "C"}, then: columnIs(0, true)},
		{name: "archive B again", c: post(archivePath(bPath), owner), want: ok(http.StatusOK),
			cols: []string{"A", "C"}, then: columnIs(0, true)},
		{name: "a viewer archives A", c: post(archivePath(columnPath(colA)), viewer), want: forbidden403},
		{name: "a viewer restores B", c: post(restorePath(bPath), viewer), want: forbidden403},
		{name: "a non-member archives A", c: post(archivePath(columnPath(colA)), outsider), want: notFound404},
		{name: "a non-member restores B", c: post(restorePath(bPath), outsider), want: notFound404},
		{name: "restore an unknown column", c: post(restorePath(columnPath(uuid.New())), owner), want: notFound404},
		{name: "create a card in B", c: apiCall(http.MethodPost, bPath+"/cards", owner, jsonObj{"title": "w"}), want: invalid("column_id")},
		{name: "move a card into B", c: apiCall(http.MethodPost, cardPath(inA["a"].ID)+"/move", owner, jsonObj{"column_id": colB, "position": 0}),
			want: invalid("column_id")},
		{name: "move a card of B out", c: apiCall(http.MethodPost, cardPath(inB["x"].ID)+"/move", owner, jsonObj{"column_id": colA, "position": 0}),
			want: invalid("card_id")},
		{name: "move B", c: apiCall(http.MethodPatch, bPath, owner, jsonObj{"position": 0}), want: invalid("position")},
		{name: "rename and move B", c: apiCall(http.MethodPatch, bPath, owner, jsonObj{"name": "B2", "position": 0}), want: invalid("position")},
		{name: "rename B", c: apiCall(http.MethodPatch, bPath, owner, jsonObj{"name": "B"}), want: ok(http.StatusOK), cols: []string{"A", "C"}},
		{name: "read a card of B", c: apiCall(http.MethodGet, cardPath(inB["y"].ID), viewer, nil), want: ok(http.StatusOK),
			then: cardIs(colB, 1, false)},
		{name: "archive y, inside B", c: post(archivePath(cardPath(inB["y"].ID)), owner), want: ok(http.StatusOK), then: cardIs(colB, 0, true)},
		{name: "move C first", c: apiCall(http.MethodPatch, columnPath(cols["C"].ID), owner, jsonObj{"position": 0}), want: ok(http.StatusOK),
			cols: []string{"C", "A"}},
		{name: "restore B at the end, with its cards", c: post(restorePath(bPath), owner), want: ok(http.StatusOK),
			cols: []string{"C", "A", "B"}, cards: map[string][]string{"B": {"x", "z"}}, then: columnIs(2, false)},
		{name: "restore B again", c: post(restorePath(bPath), owner), want: ok(http.StatusOK),
			cols: []string{"C", "A", "B"}, then: columnIs(2, false)},
		{name: "restore y at the end of B", c: post(restorePath(cardPath(inB["y"].ID)), owner), want: ok(http.StatusOK),
			cards: map[string][]string{"B": {"x", "z", "y"}}, then: cardIs(colB, 2, false)},
		{name: "archive C", c: post(archivePath(columnPath(cols["C"].ID)), owner), want: ok(http.StatusOK), cols: []string{"A", "B"}},
		{name: "archive A", c: post(archivePath(columnPath(colA)), owner), want: ok(http.StatusOK), cols: []string{"B"}},
		{name: "create a column", c: apiCall(http.MethodPost, roomPath(room.ID)+"/columns", owner, jsonObj{"name": "D"}),
			want: ok(http.StatusCreated), cols: []string{"B", "D"}, then: columnIs(1, false)},
	})
	if got, _ := e.archive(t, viewer, room.ID).names(); !equalStrings(got, []string{"A", "C"}) {
		t.Errorf("archived columns = %q, want [A C], most recently archived first", got)
	}
}

// TestRestoreIntoFirstColumn: a card whose column is archived comes back at
// the end of the room's first column; with no column on the board, 422.
func TestRestoreIntoFirstColumn(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u := e.user(t, "owner")
	room, cols := e.seedColumns(t, u, "first", "second", "third")
	first, second, third := cols["first"].ID, cols["second"].ID, cols["third"].ID
	e.seedCards(t, u, first, "f1", "f2")
	k := e.createCard(t, u, third, "k")
	post := func(path string) call { return apiCall(http.MethodPost, path, u, nil) }

	e.runSteps(t, u, room.ID, []archiveStep{
		{name: "archive k", c: post(archivePath(cardPath(k.ID))), want: ok(http.StatusOK)},
		{name: "archive third", c: post(archivePath(columnPath(third))), want: ok(http.StatusOK), cols: []string{"first", "second"}},
		{name: "put second first", c: apiCall(http.MethodPatch, columnPath(second), u, jsonObj{"position": 0}), want: ok(http.StatusOK),
			cols: []string{"second", "first"}},
		{name: "restore k into second, now the first column", c: post(restorePath(cardPath(k.ID))), want: ok(http.StatusOK),
			cards: map[string][]string{"second": {"k"}, "first": {"f1", "f2"}}, then: cardIs(second, 0, false)},
		{name: "archive k again", c: post(archivePath(cardPath(k.ID))), want: ok(http.StatusOK), cards: map[string][]string{"second": {}}},
		{name: "archive second", c: post(archivePath(columnPath(second))), want: ok(http.StatusOK), cols: []string{"first"}},
		{name: "restore k into first, at the end", c: post(restorePath(cardPath(k.ID))), want: ok(http.StatusOK),
			cards: map[string][]string{"first": {"f1", "f2", "k"}}, then: cardIs(first, 2, false)},
		{name: "archive k once more", c: post(archivePath(cardPath(k.ID))), want: ok(http.StatusOK)},
		{name: "archive first", c: post(archivePath(columnPath(first))), want: ok(http.StatusOK), cols: []string{}},
		{name: "restore k with no column on the board", c: post(restorePath(cardPath(k.ID))), want: invalid("card_id")},
		{name: "restore third, k's first column", c: post(restorePath(columnPath(third))), want: ok(http.StatusOK),
			cols: []string{"third"}, cards: map[string][]string{"third": {}}},
		{name: "restore k into third", c: post(restorePath(cardPath(k.ID))), want: ok(http.StatusOK),
			cards: map[string][]string{"third": {"k"}}, then: cardIs(third, 0, false)},
	})
}

// TestArchivedCardKeepsDetails: an archived card can be read, edited,
// commented on and labelled, and comes back with all of it.
func TestArchivedCardKeepsDetails(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	owner, member := e.user(t, "owner"), e.user(t, "member")
	room, cols := e.seedColumns(t, owner, "todo")
	e.addMember(t, owner, room.ID, member)
	card := e.createCard(t, owner, cols["todo"].ID, "keep")
	label := e.createLabel(t, owner, room.ID, "urgent", "red")
	cp := cardPath(card.ID)
	e.cardCall(t, http.MethodPut, cp+"/labels/"+label.ID.String(), owner, nil, ok(http.StatusOK))
	e.cardCall(t, http.MethodPut, cp+"/assignees/"+member.ID.String(), owner, nil, ok(http.StatusOK))
	e.comment(t, member, card.ID, "before")

	archived := e.cardCall(t, http.MethodPost, archivePath(cp), member, nil, ok(http.StatusOK))
	got := e.cardCall(t, http.MethodGet, cp, member, nil, ok(http.StatusOK))
	if got.ArchivedAt == nil || !got.ArchivedAt.Equal(*archived.ArchivedAt) || !equalStrings(uuidStrings(got.LabelIDs), []string{label.ID.String()}) ||
		!equalStrings(uuidStrings(got.AssigneeIDs), []string{member.ID.String()}) || got.CommentCount != 1 {
		t.Errorf("GET the archived card = %+v, want it archived with its label, assignee and comment", got)
	}
	e.comment(t, member, card.ID, "while archived")
	e.cardCall(t, http.MethodPatch, cp, member, jsonObj{"title": "kept"}, ok(http.StatusOK))
	e.expect(t, apiCall(http.MethodGet, cp+"/comments", member, nil), ok(http.StatusOK))
	again := e.cardCall(t, http.MethodPost, archivePath(cp), member, nil, ok(http.StatusOK))
	if !again.ArchivedAt.Equal(*archived.ArchivedAt) {
		t.Errorf("archiving again moved archived_at from %v to %v", archived.ArchivedAt, again.ArchivedAt)
	}
	if _, titles := e.archive(t, member, room.ID).names(); !equalStrings(titles, []string{"kept"}) {
		t.Errorf("archived cards = %q, want [kept]", titles)
	}

	back := e.cardCall(t, http.MethodPost, restorePath(cp), member, nil, ok(http.StatusOK))
	if back.ArchivedAt != nil || back.Title != "kept" || back.CommentCount != 2 || len(back.LabelIDs) != 1 || len(back.AssigneeIDs) != 1 {
		t.Errorf("restored card = %+v, want it back with its title, label, assignee and two comments", back)
	}
	b := e.board(t, member, room.ID)
	if len(b.Columns[0].Cards) != 1 || b.Columns[0].Cards[0].CommentCount != 2 {
		t.Errorf("board after restore: %s", b.Raw)
	}
}

// TestDeleteArchived: deleting an archived card or column works and leaves
// the positions of the rest alone.
func TestDeleteArchived(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u := e.user(t, "owner")
	room, cols := e.seedColumns(t, u, "A", "B", "C")
	cards := e.seedCards(t, u, cols["A"].ID, "a", "b", "c")
	e.seedCards(t, u, cols["B"].ID, "x")
	post := func(path string) call { return apiCall(http.MethodPost, path, u, nil) }
	del := func(path string) call { return apiCall(http.MethodDelete, path, u, nil) }

	e.runSteps(t, u, room.ID, []archiveStep{
		{name: "archive a", c: post(archivePath(cardPath(cards["a"].ID))), want: ok(http.StatusOK),
			cards: map[string][]string{"A": {"b", "c"}}},
		{name: "delete a", c: del(cardPath(cards["a"].ID)), want: ok(http.StatusNoContent),
			cards: map[string][]string{"A": {"b", "c"}}},
		{name: "archive B", c: post(archivePath(columnPath(cols["B"].ID))), want: ok(http.StatusOK), cols: []string{"A", "C"}},
		{name: "delete B", c: del(columnPath(cols["B"].ID)), want: ok(http.StatusNoContent), cols: []string{"A", "C"}},
		{name: "restore B, deleted", c: post(restorePath(columnPath(cols["B"].ID))), want: notFound404},
		{name: "create a card at 0", c: apiCall(http.MethodPost, columnPath(cols["A"].ID)+"/cards", u, jsonObj{"title": "n", "position": 0}),
			want: ok(http.StatusCreated), cards: map[string][]string{"A": {"n", "b", "c"}}},
	})
	if colNames, cardTitles := e.archive(t, u, room.ID).names(); len(colNames)+len(cardTitles) != 0 {
		t.Errorf("archive after the deletes = %q %q, want empty", colNames, cardTitles)
	}
}

// TestArchiveEvents: each archive and restore records one event with the
// room's new version and what a client needs to apply it; column.restored
// carries the column exactly as the board then shows it.
func TestArchiveEvents(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	u := e.user(t, "owner")
	room, cols := e.seedColumns(t, u, "A", "B")
	colA, colB := cols["A"].ID, cols["B"].ID
	cards := e.seedCards(t, u, colA, "a", "b", "c")
	e.seedCards(t, u, colB, "x", "y")
	since := e.board(t, u, room.ID).Version
	post := func(path string) { e.expect(t, apiCall(http.MethodPost, path, u, nil), ok(http.StatusOK)) }
	post(archivePath(cardPath(cards["b"].ID)))
	post(restorePath(cardPath(cards["b"].ID)))
	post(archivePath(columnPath(colA)))
	post(restorePath(columnPath(colA)))
	board := e.board(t, u, room.ID)

	c := apiCall(http.MethodGet, fmt.Sprintf("%s/events?since=%d", roomPath(room.ID), since), u, nil)
	var page struct {
		Events []struct {
			Version int64                      `json:"version"`
			Type    string                     `json:"type"`
			Data    map[string]json.RawMessage `json:"data"`
		} `json:"events"`
	}
	if err := json.Unmarshal(e.expect(t, c, ok(http.StatusOK)).Body.Bytes(), &page); err != nil {
		t.Fatal(err)
	}
	ids := func(raw json.RawMessage) string {
		var v any
		_ = json.Unmarshal(raw, &v)
		return fmt.Sprint(v)
	}
	want := []struct {
		typ  string
		keys []string
		// what data.from or data.columns must be ("": checked below)
		field, order string
	}{
		// b was second in A; restored, it comes back at the end, from
		// nowhere on the board.
		{"card.archived", []string{"card", "from"}, "from", fmt.Sprint(map[string]any{"column_id": colA.String(), "position": float64(1)})},
		{"card.restored", []string{"card"}, "card", ""},
		{"column.archived", []string{"column", "columns"}, "columns", fmt.Sprint([]any{colB.String()})},
		{"column.restored", []string{"column", "columns"}, "columns", fmt.Sprint([]any{colB.String(), colA.String()})},
	}
	if len(page.Events) != len(want) {
		t.Fatalf("events since %d: %d, want %d", since, len(page.Events), len(want))
	}
	for i, w := range want {
		ev := page.Events[i]
		requireEqual(t, w.typ, "type", ev.Type, w.typ)
		requireEqual(t, w.typ, "version", ev.Version, since+int64(i)+1)
		requireOrder(t, w.typ, "data keys", sortedKeys(ev.Data), w.keys)
		if w.order != "" {
			requireEqual(t, w.typ, "data."+w.field, ids(ev.Data[w.field]), w.order)
		}
	}
	restoredCard := requireCard(t, "card.restored", page.Events[1].Data["card"])
	requireEqual(t, "card.restored", "card", fmt.Sprint(restoredCard.ID, restoredCard.ColumnID, restoredCard.Position, restoredCard.ArchivedAt == nil), fmt.Sprint(cards["b"].ID, colA, 2, true))
	archivedCard := requireCard(t, "card.archived", page.Events[0].Data["card"])
	requireEqual(t, "card.archived", "archived", archivedCard.ArchivedAt != nil, true)
	archivedCol := requireColumn(t, "column.archived", page.Events[2].Data["column"])
	requireEqual(t, "column.archived", "archived", archivedCol.ArchivedAt != nil, true)

	// column.restored's column is the board's column A, cards and all.
	var raw struct {
		Columns []json.RawMessage `json:"columns"`
	}
	if err := json.Unmarshal([]byte(board.Raw), &raw); err != nil || len(raw.Columns) != 2 {
		t.Fatalf("board %s: %v", board.Raw, err)
	}
	if !sameJSON(t, page.Events[3].Data["column"], raw.Columns[1]) {
		t.Errorf("column.restored column = %s\nthe board's = %s", page.Events[3].Data["column"], raw.Columns[1])
	}
}
