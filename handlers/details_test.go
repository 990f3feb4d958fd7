package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// These tests hold the card details of docs/API.md: labels, assignees, due
// dates and comments, through the real router on a private database.

type labelBody struct {
	ID     uuid.UUID `json:"id"`
	RoomID uuid.UUID `json:"room_id"`
	Name   string    `json:"name"`
	Color  string    `json:"color"`
}

type commentBody struct {
	ID     uuid.UUID `json:"id"`
	CardID uuid.UUID `json:"card_id"`
	Author struct {
		ID          uuid.UUID `json:"id"`
		DisplayName string    `json:"display_name"`
	} `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func decodeInto[T any](t *testing.T, c call, rec interface{ Bytes() []byte }, keys ...string) T {
	t.Helper()
	if len(keys) > 0 {
		requireKeys(t, c.String(), "body", rec.Bytes(), keys...)
	}
	var v T
	if err := json.Unmarshal(rec.Bytes(), &v); err != nil {
		t.Fatalf("%s: decode %s: %v", c, rec.Bytes(), err)
	}
	return v
}

func (e *boardEnv) createLabel(t *testing.T, u boardUser, roomID uuid.UUID, name, color string) labelBody {
	t.Helper()
	c := apiCall(http.MethodPost, roomPath(roomID)+"/labels", u, jsonObj{"name": name, "color": color})
	return decodeInto[labelBody](t, c, e.expect(t, c, ok(http.StatusCreated)).Body, "id", "room_id", "name", "color")
}

// comment posts a comment on a card as u.
func (e *boardEnv) comment(t *testing.T, u boardUser, cardID uuid.UUID, body string) commentBody {
	t.Helper()
	c := apiCall(http.MethodPost, cardPath(cardID)+"/comments", u, jsonObj{"body": body})
	return decodeInto[commentBody](t, c, e.expect(t, c, ok(http.StatusCreated)).Body)
}

func (e *boardEnv) cardCall(t *testing.T, method, path string, u boardUser, body any, o outcome) cardBody {
	t.Helper()
	c := apiCall(method, path, u, body)
	rec := e.expect(t, c, o)
	if !o.success() {
		return cardBody{}
	}
	return requireCard(t, c.String(), rec.Body.Bytes())
}

func TestLabels(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	ann, bob, cat := e.user(t, "ann"), e.user(t, "bob"), e.user(t, "cat")
	room := e.createRoom(t, ann, "labels")
	e.addMember(t, ann, room.ID, bob)
	other := e.createRoom(t, cat, "cat's")

	urgent := e.createLabel(t, bob, room.ID, "  Urgent ", "red") // any member may
	requireEqual(t, "create", "name", urgent.Name, "Urgent")
	requireEqual(t, "create", "room_id", urgent.RoomID, room.ID)
	later := e.createLabel(t, ann, room.ID, "Later", "sky")

	for _, tc := range []struct {
		name string
		body any
		want outcome
	}{
		{"same name in another case", jsonObj{"name": "URGENT", "color": "blue"}, refused(http.StatusConflict, models.CodeLabelExists)},
		{"no color", jsonObj{"name": "x"}, invalid("color")},
		{"unknown color", jsonObj{"name": "x", "color": "mauve"}, invalid("color")},
		{"empty name", jsonObj{"name": " ", "color": "red"}, invalid("name")},
		{"51 characters", jsonObj{"name": strings.Repeat("é", 51), "color": "red"}, invalid("name")},
		{"color of the wrong type", jsonObj{"name": "x", "color": 3}, refused(http.StatusBadRequest, models.CodeBadRequest)},
	} {
		e.expect(t, apiCall(http.MethodPost, roomPath(room.ID)+"/labels", ann, tc.body), tc.want)
	}
	// Outsiders see nothing.
	e.expect(t, apiCall(http.MethodPost, roomPath(room.ID)+"/labels", cat, jsonObj{"name": "x", "color": "red"}), refused(http.StatusNotFound, models.CodeNotFound))
	e.expect(t, apiCall(http.MethodPatch, "/api/labels/"+urgent.ID.String(), cat, jsonObj{"color": "blue"}), refused(http.StatusNotFound, models.CodeNotFound))
	e.expect(t, apiCall(http.MethodDelete, "/api/labels/"+urgent.ID.String(), cat, nil), refused(http.StatusNotFound, models.CodeNotFound))
	// The same name is fine in another room.
	e.createLabel(t, cat, other.ID, "Urgent", "red")

	c := apiCall(http.MethodPatch, "/api/labels/"+later.ID.String(), bob, jsonObj{"color": "lime"})
	got := decodeInto[labelBody](t, c, e.expect(t, c, ok(http.StatusOK)).Body)
	if got.Color != "lime" || got.Name != "Later" {
		t.Errorf("%s = %+v, want Later in lime", c, got)
	}
	e.expect(t, apiCall(http.MethodPatch, "/api/labels/"+later.ID.String(), bob, jsonObj{"name": "urgent"}), refused(http.StatusConflict, models.CodeLabelExists))

	// The board lists the labels in creation order.
	b := e.board(t, ann, room.ID)
	var board struct {
		Labels []labelBody `json:"labels"`
	}
	if err := json.Unmarshal([]byte(b.Raw), &board); err != nil || len(board.Labels) != 2 ||
		board.Labels[0].ID != urgent.ID || board.Labels[1].ID != later.ID {
		t.Errorf("board labels = %+v, want Urgent then Later", board.Labels)
	}

	// Deleting a label takes it off every card.
	col := e.createColumn(t, ann, room.ID, "todo")
	card := e.createCard(t, ann, col.ID, "ship")
	e.cardCall(t, http.MethodPut, cardPath(card.ID)+"/labels/"+urgent.ID.String(), ann, nil, ok(http.StatusOK))
	e.expect(t, apiCall(http.MethodDelete, "/api/labels/"+urgent.ID.String(), bob, nil), ok(http.StatusNoContent))
	get := e.cardCall(t, http.MethodGet, cardPath(card.ID), ann, nil, ok(http.StatusOK))
	if len(get.LabelIDs) != 0 {
		t.Errorf("card after its label was deleted: label_ids %v, want none", get.LabelIDs)
	}
	e.expect(t, apiCall(http.MethodDelete, "/api/labels/"+urgent.ID.String(), bob, nil), refused(http.StatusNotFound, models.CodeNotFound))
}

func TestCardLabelsAndAssignees(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	ann, bob, cat, dan := e.user(t, "ann"), e.user(t, "bob"), e.user(t, "cat"), e.user(t, "dan")
	room := e.createRoom(t, ann, "details")
	e.addMember(t, ann, room.ID, bob)
	e.addMember(t, ann, room.ID, dan)
	otherRoom := e.createRoom(t, ann, "elsewhere")
	catsRoom := e.createRoom(t, cat, "cat's")
	col := e.createColumn(t, ann, room.ID, "todo")
	card := e.createCard(t, ann, col.ID, "ship")
	first := e.createLabel(t, ann, room.ID, "first", "green")
	second := e.createLabel(t, ann, room.ID, "second", "blue")
	foreign := e.createLabel(t, ann, otherRoom.ID, "foreign", "red")
	hidden := e.createLabel(t, cat, catsRoom.ID, "hidden", "red")
	labels := func(id uuid.UUID) string { return cardPath(card.ID) + "/labels/" + id.String() }
	assignees := func(id uuid.UUID) string { return cardPath(card.ID) + "/assignees/" + id.String() }

	v0 := e.board(t, ann, room.ID).Version
	// Added out of order, twice: label order wins, no duplicate, no error.
	e.cardCall(t, http.MethodPut, labels(second.ID), bob, nil, ok(http.StatusOK))
	got := e.cardCall(t, http.MethodPut, labels(first.ID), bob, nil, ok(http.StatusOK))
	got = e.cardCall(t, http.MethodPut, labels(first.ID), bob, nil, ok(http.StatusOK))
	if !slices.Equal(got.LabelIDs, []uuid.UUID{first.ID, second.ID}) {
		t.Errorf("label_ids = %v, want [first second] in label order", got.LabelIDs)
	}
	e.cardCall(t, http.MethodPut, labels(foreign.ID), ann, nil, invalid("label_id"))
	e.cardCall(t, http.MethodPut, labels(hidden.ID), ann, nil, refused(http.StatusNotFound, models.CodeNotFound))
	e.cardCall(t, http.MethodPut, labels(uuid.New()), ann, nil, refused(http.StatusNotFound, models.CodeNotFound))
	e.cardCall(t, http.MethodPut, labels(first.ID), cat, nil, refused(http.StatusNotFound, models.CodeNotFound))

	// Assignees in assignment order; a non-member is 422.
	e.cardCall(t, http.MethodPut, assignees(dan.ID), ann, nil, ok(http.StatusOK))
	got = e.cardCall(t, http.MethodPut, assignees(bob.ID), ann, nil, ok(http.StatusOK))
	got = e.cardCall(t, http.MethodPut, assignees(dan.ID), ann, nil, ok(http.StatusOK))
	if !slices.Equal(got.AssigneeIDs, []uuid.UUID{dan.ID, bob.ID}) {
		t.Errorf("assignee_ids = %v, want [dan bob] in assignment order", got.AssigneeIDs)
	}
	e.cardCall(t, http.MethodPut, assignees(cat.ID), ann, nil, invalid("user_id"))
	e.cardCall(t, http.MethodPut, assignees(uuid.New()), ann, nil, invalid("user_id"))

	got = e.cardCall(t, http.MethodDelete, labels(second.ID), ann, nil, ok(http.StatusOK))
	if !slices.Equal(got.LabelIDs, []uuid.UUID{first.ID}) {
		t.Errorf("after removing second: label_ids = %v", got.LabelIDs)
	}
	got = e.cardCall(t, http.MethodDelete, assignees(dan.ID), ann, nil, ok(http.StatusOK))
	if !slices.Equal(got.AssigneeIDs, []uuid.UUID{bob.ID}) {
		t.Errorf("after unassigning dan: assignee_ids = %v", got.AssigneeIDs)
	}
	// Eight successful changes, eight versions; refusals none.
	e.requireVersion(t, ann, room.ID, v0+8, "label and assignee changes")

	// Bob leaves: he leaves the card too, in the same change.
	e.expect(t, apiCall(http.MethodDelete, memberPath(room.ID, bob.ID), bob, nil), ok(http.StatusNoContent))
	got = e.cardCall(t, http.MethodGet, cardPath(card.ID), ann, nil, ok(http.StatusOK))
	if len(got.AssigneeIDs) != 0 {
		t.Errorf("after bob left: assignee_ids = %v, want none", got.AssigneeIDs)
	}
	c := apiCall(http.MethodGet, roomPath(room.ID)+fmt.Sprintf("/events?since=%d", v0+8), ann, nil)
	var page struct {
		Events []struct {
			Type string `json:"type"`
			Data struct {
				UserID     uuid.UUID   `json:"user_id"`
				Unassigned []uuid.UUID `json:"unassigned_card_ids"`
			} `json:"data"`
		} `json:"events"`
	}
	if err := json.Unmarshal(e.expect(t, c, ok(http.StatusOK)).Body.Bytes(), &page); err != nil || len(page.Events) != 1 ||
		page.Events[0].Type != "member.removed" || !slices.Equal(page.Events[0].Data.Unassigned, []uuid.UUID{card.ID}) {
		t.Errorf("%s = %+v, want one member.removed naming the card bob left", c, page)
	}
}

func TestDueDates(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	ann := e.user(t, "ann")
	room := e.createRoom(t, ann, "due")
	col := e.createColumn(t, ann, room.ID, "todo")
	card := e.createCard(t, ann, col.ID, "ship")
	if card.DueAt != nil || card.DueComplete {
		t.Fatalf("a new card: due_at %v, due_complete %v; want null and false", card.DueAt, card.DueComplete)
	}
	path := cardPath(card.ID)
	got := e.cardCall(t, http.MethodPatch, path, ann, jsonObj{"due_at": "2026-12-24T18:00:00+01:00"}, ok(http.StatusOK))
	if want := time.Date(2026, 12, 24, 17, 0, 0, 0, time.UTC); got.DueAt == nil || !got.DueAt.Equal(want) {
		t.Errorf("due_at = %v, want %v", got.DueAt, want)
	}
	got = e.cardCall(t, http.MethodPatch, path, ann, jsonObj{"due_complete": true, "title": "shipped"}, ok(http.StatusOK))
	if got.DueAt == nil || !got.DueComplete || got.Title != "shipped" {
		t.Errorf("after due_complete: %+v; want the due date kept, complete, and the new title", got)
	}
	got = e.cardCall(t, http.MethodPatch, path, ann, jsonObj{"due_at": nil}, ok(http.StatusOK))
	if got.DueAt != nil || !got.DueComplete {
		t.Errorf("after due_at null: due_at %v, due_complete %v; want cleared, still complete", got.DueAt, got.DueComplete)
	}
	for _, bad := range []jsonObj{{"due_at": "tomorrow"}, {"due_at": "2026-12-24"}, {"due_at": ""}} {
		e.expect(t, apiCall(http.MethodPatch, path, ann, bad), invalid("due_at"))
	}
	for _, bad := range []jsonObj{{"due_at": 1700000000}, {"due_complete": "yes"}} {
		e.expect(t, apiCall(http.MethodPatch, path, ann, bad), refused(http.StatusBadRequest, models.CodeBadRequest))
	}
}

func TestComments(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	ann, bob, cat := e.user(t, "ann"), e.user(t, "bob"), e.user(t, "cat")
	room := e.createRoom(t, ann, "comments")
	e.addMember(t, ann, room.ID, bob)
	col := e.createColumn(t, ann, room.ID, "todo")
	card := e.createCard(t, ann, col.ID, "ship")
	comments := cardPath(card.ID) + "/comments"

	add := func(u boardUser, body string) commentBody {
		t.Helper()
		c := apiCall(http.MethodPost, comments, u, jsonObj{"body": body})
		return decodeInto[commentBody](t, c, e.expect(t, c, ok(http.StatusCreated)).Body,
			"id", "card_id", "author", "body", "created_at", "updated_at")
	}
	var made []commentBody
	for i := range 5 {
		u := ann
		if i%2 == 1 {
			u = bob
		}
		made = append(made, add(u, fmt.Sprintf("  comment %d  ", i)))
	}
	if made[1].Author.ID != bob.ID || made[1].Body != "comment 1" || made[1].CardID != card.ID {
		t.Errorf("a comment = %+v, want bob's, trimmed, on the card", made[1])
	}
	if got := e.cardCall(t, http.MethodGet, cardPath(card.ID), ann, nil, ok(http.StatusOK)); got.CommentCount != 5 {
		t.Errorf("comment_count = %d, want 5", got.CommentCount)
	}
	e.expect(t, apiCall(http.MethodPost, comments, ann, jsonObj{"body": " "}), invalid("body"))
	e.expect(t, apiCall(http.MethodPost, comments, ann, jsonObj{"body": strings.Repeat("b", 5001)}), invalid("body"))
	e.expect(t, apiCall(http.MethodPost, comments, cat, jsonObj{"body": "hi"}), refused(http.StatusNotFound, models.CodeNotFound))
	e.expect(t, apiCall(http.MethodGet, comments, cat, nil), refused(http.StatusNotFound, models.CodeNotFound))

	// Oldest first, in pages.
	var seen []uuid.UUID
	cursor := ""
	for range 4 {
		path := comments + "?limit=2"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		c := apiCall(http.MethodGet, path, bob, nil)
		page := decodeInto[struct {
			Items      []commentBody `json:"items"`
			NextCursor *string       `json:"next_cursor"`
		}](t, c, e.expect(t, c, ok(http.StatusOK)).Body, "items", "next_cursor")
		for _, cm := range page.Items {
			seen = append(seen, cm.ID)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	want := make([]uuid.UUID, len(made))
	for i, cm := range made {
		want[i] = cm.ID
	}
	if !slices.Equal(seen, want) {
		t.Errorf("paged comments = %v, want %v (oldest first, each once)", seen, want)
	}
	for _, q := range []string{"?limit=0", "?limit=101", "?cursor=nope"} {
		e.expect(t, apiCall(http.MethodGet, comments+q, ann, nil), invalid(strings.SplitN(strings.TrimPrefix(q, "?"), "=", 2)[0]))
	}

	// Only the author edits; the author or an owner deletes.
	bobs := "/api/comments/" + made[1].ID.String()
	e.expect(t, apiCall(http.MethodPatch, bobs, ann, jsonObj{"body": "not yours"}), refused(http.StatusForbidden, models.CodeForbidden))
	c := apiCall(http.MethodPatch, bobs, bob, jsonObj{"body": "edited"})
	edited := decodeInto[commentBody](t, c, e.expect(t, c, ok(http.StatusOK)).Body)
	if edited.Body != "edited" || !edited.UpdatedAt.After(edited.CreatedAt) {
		t.Errorf("%s = %+v, want the new body and a later updated_at", c, edited)
	}
	anns := "/api/comments/" + made[0].ID.String()
	e.expect(t, apiCall(http.MethodDelete, anns, bob, nil), refused(http.StatusForbidden, models.CodeForbidden))
	e.expect(t, apiCall(http.MethodDelete, bobs, ann, nil), ok(http.StatusNoContent)) // an owner
	e.expect(t, apiCall(http.MethodDelete, anns, ann, nil), ok(http.StatusNoContent)) // its author
	e.expect(t, apiCall(http.MethodDelete, anns, ann, nil), refused(http.StatusNotFound, models.CodeNotFound))
	e.expect(t, apiCall(http.MethodPatch, "/api/comments/"+made[2].ID.String(), cat, jsonObj{"body": "x"}), refused(http.StatusNotFound, models.CodeNotFound))
	if got := e.cardCall(t, http.MethodGet, cardPath(card.ID), ann, nil, ok(http.StatusOK)); got.CommentCount != 3 {
		t.Errorf("comment_count after two deletes = %d, want 3", got.CommentCount)
	}

	// A member who leaves still shows as the author of what they wrote.
	e.expect(t, apiCall(http.MethodDelete, memberPath(room.ID, bob.ID), bob, nil), ok(http.StatusNoContent))
	c = apiCall(http.MethodGet, comments, ann, nil)
	page := decodeInto[struct {
		Items []commentBody `json:"items"`
	}](t, c, e.expect(t, c, ok(http.StatusOK)).Body)
	if len(page.Items) != 3 || page.Items[1].Author.ID != bob.ID || page.Items[1].Author.DisplayName != "bob" {
		t.Errorf("%s after bob left = %+v, want his comment with him as author", c, page.Items)
	}
}

// TestCommentCountExactUnderConcurrency: comments written and deleted at
// once by several members leave comment_count equal to the comments that
// exist, and every change its own version.
func TestCommentCountExactUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	ann := e.user(t, "ann")
	room := e.createRoom(t, ann, "busy")
	col := e.createColumn(t, ann, room.ID, "todo")
	card := e.createCard(t, ann, col.ID, "hot")
	members := []boardUser{ann}
	for i := range 5 {
		u := e.user(t, fmt.Sprint("m", i))
		e.addMember(t, ann, room.ID, u)
		members = append(members, u)
	}
	v0 := e.board(t, ann, room.ID).Version
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		changes int
	)
	for _, u := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 12 {
				rec := e.send(t, apiCall(http.MethodPost, cardPath(card.ID)+"/comments", u, jsonObj{"body": fmt.Sprint("c", i)}))
				if rec.Code != http.StatusCreated {
					t.Errorf("comment: %d %s", rec.Code, rec.Body.String())
					return
				}
				var cm commentBody
				_ = json.Unmarshal(rec.Body.Bytes(), &cm)
				n := 1
				if i%3 == 0 { // delete every third again
					if rec := e.send(t, apiCall(http.MethodDelete, "/api/comments/"+cm.ID.String(), u, nil)); rec.Code == http.StatusNoContent {
						n++
					}
				}
				mu.Lock()
				changes += n
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	var exist int64
	if err := e.db.Model(&models.Comment{}).Where("card_id = ?", card.ID).Count(&exist).Error; err != nil {
		t.Fatal(err)
	}
	got := e.cardCall(t, http.MethodGet, cardPath(card.ID), ann, nil, ok(http.StatusOK))
	if int64(got.CommentCount) != exist || exist != int64(len(members)*8) {
		t.Errorf("comment_count = %d, comments = %d, want both %d", got.CommentCount, exist, len(members)*8)
	}
	e.requireVersion(t, ann, room.ID, v0+int64(changes), "concurrent comments")
}

// TestCardDetailEvents: every detail change records one event whose data
// lets a client apply it without a refetch.
func TestCardDetailEvents(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	ann, bob := e.user(t, "ann"), e.user(t, "bob")
	room := e.createRoom(t, ann, "events")
	e.addMember(t, ann, room.ID, bob)
	col := e.createColumn(t, ann, room.ID, "todo")
	card := e.createCard(t, ann, col.ID, "ship")
	v0 := e.board(t, ann, room.ID).Version
	l := e.createLabel(t, ann, room.ID, "x", "red")
	e.expect(t, apiCall(http.MethodPatch, "/api/labels/"+l.ID.String(), ann, jsonObj{"color": "blue"}), ok(http.StatusOK))
	e.cardCall(t, http.MethodPut, cardPath(card.ID)+"/labels/"+l.ID.String(), ann, nil, ok(http.StatusOK))
	e.cardCall(t, http.MethodPut, cardPath(card.ID)+"/assignees/"+bob.ID.String(), ann, nil, ok(http.StatusOK))
	e.cardCall(t, http.MethodPatch, cardPath(card.ID), ann, jsonObj{"due_at": "2027-01-01T00:00:00Z"}, ok(http.StatusOK))
	rec := e.expect(t, apiCall(http.MethodPost, cardPath(card.ID)+"/comments", bob, jsonObj{"body": "hi"}), ok(http.StatusCreated))
	var cm commentBody
	_ = json.Unmarshal(rec.Body.Bytes(), &cm)
	e.expect(t, apiCall(http.MethodPatch, "/api/comments/"+cm.ID.String(), bob, jsonObj{"body": "hello"}), ok(http.StatusOK))
	e.expect(t, apiCall(http.MethodDelete, "/api/comments/"+cm.ID.String(), bob, nil), ok(http.StatusNoContent))
	e.expect(t, apiCall(http.MethodDelete, "/api/labels/"+l.ID.String(), ann, nil), ok(http.StatusNoContent))

	c := apiCall(http.MethodGet, roomPath(room.ID)+fmt.Sprintf("/events?since=%d", v0), ann, nil)
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
	want := []struct {
		typ  string
		keys []string
	}{
		{"label.created", []string{"label"}},
		{"label.updated", []string{"label"}},
		{"card.updated", []string{"card"}},
		{"card.updated", []string{"card"}},
		{"card.updated", []string{"card"}},
		{"comment.created", []string{"comment", "comment_count"}},
		{"comment.updated", []string{"comment", "comment_count"}},
		{"comment.deleted", []string{"card_id", "comment_count", "comment_id"}},
		{"label.deleted", []string{"label_id"}},
	}
	if len(page.Events) != len(want) {
		t.Fatalf("%s: %d events, want %d", c, len(page.Events), len(want))
	}
	for i, w := range want {
		ev := page.Events[i]
		var keys []string
		for k := range ev.Data {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if ev.Type != w.typ || ev.Version != v0+int64(i)+1 || !slices.Equal(keys, w.keys) {
			t.Errorf("event %d = %s v%d with %v, want %s v%d with %v", i, ev.Type, ev.Version, keys, w.typ, v0+int64(i)+1, w.keys)
		}
	}
	// The last card.updated carries the whole card: label, assignee, due date.
	last := requireCard(t, "card.updated data", page.Events[4].Data["card"])
	if !slices.Equal(last.LabelIDs, []uuid.UUID{l.ID}) || !slices.Equal(last.AssigneeIDs, []uuid.UUID{bob.ID}) || last.DueAt == nil {
		t.Errorf("card.updated card = %+v, want the label, bob and the due date", last)
	}
}
