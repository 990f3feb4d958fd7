package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

type eventsEnv struct {
	router http.Handler
	store  *models.Store
	tokens *auth.Tokens
}

func newEventsEnv(t *testing.T) *eventsEnv {
	t.Helper()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	tokens := auth.NewTokens(testJWTSecret, time.Hour)
	hasher, _ := auth.NewHasher(4, 0)
	return &eventsEnv{router: newRouter(t, Deps{Store: store, Tokens: tokens, Hasher: hasher}), store: store, tokens: tokens}
}

func (e *eventsEnv) user(t *testing.T, email string) (models.User, string) {
	t.Helper()
	u, err := e.store.CreateUser(context.Background(), models.NewUser{Email: email, PasswordHash: []byte("x"), DisplayName: email[:3], Now: time.Now().UTC().Add(-time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := sessionToken(t, e.store, e.tokens, u)
	return u, tok
}

type eventBody struct {
	Version int64          `json:"version"`
	Type    string         `json:"type"`
	ActorID *string        `json:"actor_id"`
	At      time.Time      `json:"at"`
	Data    map[string]any `json:"data"`
}

type eventPage struct {
	Events  []eventBody `json:"events"`
	Version int64       `json:"version"`
}

func (e *eventsEnv) poll(t *testing.T, token, room, query string) (int, eventPage, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/rooms/"+room+"/events"+query, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, req)
	var page eventPage
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
			t.Fatal(err)
		}
	}
	return rec.Code, page, rec.Body.String()
}

// TestEventsRecordEveryChange: every successful change records exactly one
// event, in the change's transaction, with consecutive versions from 2, the
// actor, and the data a client needs; refused changes record nothing.
func TestEventsRecordEveryChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEventsEnv(t)
	owner, tok := e.user(t, "own@example.com")
	bob, _ := e.user(t, "bob@example.com")
	room, _ := e.store.CreateRoom(ctx, owner.ID, "events")
	steps := []struct {
		typ string
		do  func() error
	}{}
	var colA, colB models.Column
	var card models.Card
	add := func(typ string, do func() error) {
		steps = append(steps, struct {
			typ string
			do  func() error
		}{typ, do})
	}
	add(api.EventRoomUpdated, func() error { _, err := e.store.RenameRoom(ctx, owner.ID, room.ID, "renamed"); return err })
	add(api.EventMemberAdded, func() error { _, err := e.store.AddMember(ctx, owner.ID, room.ID, bob.Email, ""); return err })
	add(api.EventMemberUpdated, func() error {
		_, err := e.store.UpdateMemberRole(ctx, owner.ID, room.ID, bob.ID, models.RoleViewer)
		return err
	})
	add(api.EventColumnCreated, func() (err error) { colA, err = e.store.CreateColumn(ctx, owner.ID, room.ID, "A", nil); return })
	add(api.EventColumnCreated, func() (err error) { colB, err = e.store.CreateColumn(ctx, owner.ID, room.ID, "B", nil); return })
	add(api.EventColumnUpdated, func() error {
		pos := 0
		_, err := e.store.UpdateColumn(ctx, owner.ID, colB.ID, models.ColumnUpdate{Position: &pos})
		return err
	})
	add(api.EventCardCreated, func() (err error) {
		card, err = e.store.CreateCard(ctx, owner.ID, colA.ID, models.NewCard{Title: "c"})
		return
	})
	add(api.EventCardUpdated, func() error {
		title := "c2"
		_, err := e.store.UpdateCard(ctx, owner.ID, card.ID, models.CardUpdate{Title: &title})
		return err
	})
	add(api.EventCardMoved, func() error { _, err := e.store.MoveCard(ctx, owner.ID, card.ID, colB.ID, 0); return err })
	add(api.EventCardDeleted, func() error { return e.store.DeleteCard(ctx, owner.ID, card.ID) })
	add(api.EventColumnDeleted, func() error { return e.store.DeleteColumn(ctx, owner.ID, colA.ID) })
	add(api.EventMemberRemoved, func() error { return e.store.RemoveMember(ctx, owner.ID, room.ID, bob.ID) })
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("step %d (%s): %v", i, s.typ, err)
		}
	}
	// A refused change records nothing.
	if _, err := e.store.AddMember(ctx, owner.ID, room.ID, "nobody@example.com", ""); models.ErrorCode(err) != models.CodeNotFound {
		t.Fatalf("add unknown member: %v", err)
	}

	code, page, body := e.poll(t, tok, room.ID.String(), "?since=0")
	if code != http.StatusOK || len(page.Events) != len(steps) || page.Version != int64(len(steps))+1 {
		t.Fatalf("poll = %d, %d events, version %d; want 200, %d events, version %d\n%s", code, len(page.Events), page.Version, len(steps), len(steps)+1, body)
	}
	for i, ev := range page.Events {
		if ev.Version != int64(i)+2 || ev.Type != steps[i].typ || ev.ActorID == nil || *ev.ActorID != owner.ID.String() {
			t.Errorf("event %d = %+v; want version %d, type %s, actor %s", i, ev, i+2, steps[i].typ, owner.ID)
		}
	}
	moved := page.Events[8].Data
	if moved["card"].(map[string]any)["column_id"] != colB.ID.String() {
		t.Errorf("card.moved data = %v; want the card in column B", moved)
	}
	// A move says where the card was, not any column's whole order.
	if _, ok := moved["cards"]; ok {
		t.Errorf("card.moved data = %v; want no cards order", moved)
	}
	if got, want := fmt.Sprint(moved["from"]), fmt.Sprint(map[string]any{"column_id": colA.ID.String(), "position": float64(0)}); got != want {
		t.Errorf("card.moved from = %s; want %s", got, want)
	}
	if got := moved["card"].(map[string]any)["position"]; got != float64(0) {
		t.Errorf("card.moved card position = %v; want 0", got)
	}
	if _, ok := page.Events[7].Data["from"]; ok {
		t.Errorf("card.updated data = %v; want no from (it moves nothing)", page.Events[7].Data)
	}
	deleted := page.Events[9].Data
	if got, want := fmt.Sprint(deleted["from"]), fmt.Sprint(map[string]any{"column_id": colB.ID.String(), "position": float64(0)}); got != want {
		t.Errorf("card.deleted from = %s; want %s", got, want)
	}
	if got := fmt.Sprint(page.Events[5].Data["columns"]); got != fmt.Sprint([]any{colB.ID.String(), colA.ID.String()}) {
		t.Errorf("column.updated columns = %s; want [B A]", got)
	}
}

func TestEventsPolling(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEventsEnv(t)
	owner, tok := e.user(t, "own@example.com")
	_, strangerTok := e.user(t, "str@example.com")
	room, _ := e.store.CreateRoom(ctx, owner.ID, "events")
	for i := range 5 {
		if _, err := e.store.CreateColumn(ctx, owner.ID, room.ID, fmt.Sprint("c", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	// Version is now 6: events 2..6.
	tests := []struct {
		name, query string
		status      int
		versions    string
	}{
		{"all", "", 200, "2,3,4,5,6"},
		{"since 0", "?since=0", 200, "2,3,4,5,6"},
		{"since 1 (creation)", "?since=1", 200, "2,3,4,5,6"},
		{"since 3", "?since=3", 200, "4,5,6"},
		{"limited", "?since=3&limit=2", 200, "4,5"},
		{"up to date", "?since=6", 200, ""},
		{"ahead", "?since=99", 200, ""},
		{"negative since", "?since=-1", 422, ""},
		{"since not a number", "?since=abc", 422, ""},
		{"limit 0", "?limit=0", 422, ""},
		{"limit 1001", "?limit=1001", 422, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, page, body := e.poll(t, tok, room.ID.String(), tc.query)
			if code != tc.status {
				t.Fatalf("GET events%s = %d %s; want %d", tc.query, code, body, tc.status)
			}
			if code != 200 {
				return
			}
			var got []string
			for _, ev := range page.Events {
				got = append(got, fmt.Sprint(ev.Version))
			}
			if strings.Join(got, ",") != tc.versions || page.Version != 6 {
				t.Errorf("GET events%s = versions %v, room version %d; want %s and 6", tc.query, got, page.Version, tc.versions)
			}
		})
	}
	if code, _, _ := e.poll(t, strangerTok, room.ID.String(), ""); code != http.StatusNotFound {
		t.Errorf("a non-member polls: %d, want 404", code)
	}
	if code, _, _ := e.poll(t, tok, uuid.NewString(), ""); code != http.StatusNotFound {
		t.Errorf("unknown room: %d, want 404", code)
	}

	// Pruned events: asking from before them is 410; from after, fine.
	if _, err := e.store.PruneEvents(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	code, _, body := e.poll(t, tok, room.ID.String(), "?since=2")
	if code != http.StatusGone || !strings.Contains(body, `"resync_required"`) {
		t.Errorf("after pruning, since=2 = %d %s; want 410 resync_required", code, body)
	}
	if code, page, _ := e.poll(t, tok, room.ID.String(), "?since=6"); code != 200 || len(page.Events) != 0 {
		t.Errorf("after pruning, since=6 (current) = %d %+v; want 200 and no events", code, page)
	}
}

// TestEventDataMatchesREST: an entity inside an event's data is exactly its
// REST representation (one wire type, one conversion): the card of
// card.created, card.updated and card.moved equals the body of the request
// that made the change and, for the last one, GET /api/cards/{id}; likewise
// columns and members.
func TestEventDataMatchesREST(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	ann, bob := e.user(t, "ann"), e.user(t, "bob")
	room := e.createRoom(t, ann, "wire")
	rest := map[string]json.RawMessage{} // event type and entity -> REST body

	body := func(c call, status int) json.RawMessage {
		rec := e.send(t, c)
		requireStatus(t, c, rec, status)
		return json.RawMessage(rec.Body.Bytes())
	}
	rest["column.created"] = body(apiCall(http.MethodPost, roomPath(room.ID)+"/columns", ann, map[string]any{"name": "To do"}), http.StatusCreated)
	todo := requireColumn(t, "create column", rest["column.created"])
	done := e.createColumn(t, ann, room.ID, "Done")
	rest["column.updated"] = body(apiCall(http.MethodPatch, columnPath(done.ID), ann, map[string]any{"name": "Shipped", "position": 0}), http.StatusOK)
	rest["member.added"] = body(apiCall(http.MethodPost, roomPath(room.ID)+"/members", ann, map[string]any{"email": bob.Email}), http.StatusCreated)
	rest["card.created"] = body(apiCall(http.MethodPost, columnPath(todo.ID)+"/cards", ann,
		map[string]any{"title": "Ship it", "description": "with care"}), http.StatusCreated)
	card := requireCard(t, "create card", rest["card.created"])
	rest["card.updated"] = body(apiCall(http.MethodPatch, cardPath(card.ID), bob, map[string]any{"title": "Ship it now"}), http.StatusOK)
	rest["card.moved"] = body(apiCall(http.MethodPost, cardPath(card.ID)+"/move", bob,
		map[string]any{"column_id": done.ID, "position": 0}), http.StatusOK)
	got := body(apiCall(http.MethodGet, cardPath(card.ID), ann, nil), http.StatusOK)
	if !sameJSON(t, got, rest["card.moved"]) {
		t.Errorf("GET card = %s\nthe move's response = %s", got, rest["card.moved"])
	}

	page := body(apiCall(http.MethodGet, roomPath(room.ID)+"/events?since=0", ann, nil), http.StatusOK)
	var events struct {
		Events []struct {
			Type string                     `json:"type"`
			Data map[string]json.RawMessage `json:"data"`
		} `json:"events"`
	}
	if err := json.Unmarshal(page, &events); err != nil {
		t.Fatal(err)
	}
	entity := map[string]string{"column.created": "column", "column.updated": "column", "member.added": "member",
		"card.created": "card", "card.updated": "card", "card.moved": "card"}
	seen := map[string]bool{}
	for _, ev := range events.Events {
		key, ok := entity[ev.Type]
		if !ok || seen[ev.Type] {
			continue
		}
		seen[ev.Type] = true
		if !sameJSON(t, ev.Data[key], rest[ev.Type]) {
			t.Errorf("%s: data.%s = %s\nits REST representation = %s", ev.Type, key, ev.Data[key], rest[ev.Type])
		}
	}
	for typ := range entity {
		if !seen[typ] {
			t.Errorf("no %s event among %s", typ, page)
		}
	}
}

// sameJSON reports whether two JSON documents hold the same value.
func sameJSON(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("not JSON: %s", a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	return reflect.DeepEqual(va, vb)
}
