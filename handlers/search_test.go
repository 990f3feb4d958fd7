package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// These tests hold the search of docs/API.md: GET /api/search across every
// room the caller belongs to, ranked, paged, through the real router on a
// private database.

// searchHit is a decoded hit.
type searchHit struct {
	Card   cardBody
	Room   refBody
	Column refBody
}

type refBody struct {
	ID   uuid.UUID
	Name string
}

func searchPath(q string, limit int, cursor string) string {
	v := url.Values{"q": {q}}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	return "/api/search?" + v.Encode()
}

func requireRef(t *testing.T, req, what string, raw json.RawMessage) refBody {
	t.Helper()
	m := requireKeys(t, req, what, raw, "id", "name")
	return refBody{ID: requireUUID(t, req, what+".id", m["id"]), Name: requireString(t, req, what+".name", m["name"])}
}

// searchPage asks one page and checks its exact shape.
func (e *boardEnv) searchPage(t *testing.T, u boardUser, q string, limit int, cursor string) ([]searchHit, string) {
	t.Helper()
	c := apiCall(http.MethodGet, searchPath(q, limit, cursor), u, nil)
	rec := e.send(t, c)
	requireStatus(t, c, rec, http.StatusOK)
	m := requireKeys(t, c.String(), "SearchPage", rec.Body.Bytes(), "items", "next_cursor")
	var hits []searchHit
	for _, raw := range requireArray(t, c.String(), "items", m["items"]) {
		h := requireKeys(t, c.String(), "SearchHit", raw, "card", "room", "column")
		hits = append(hits, searchHit{
			Card:   requireCard(t, c.String(), h["card"]),
			Room:   requireRef(t, c.String(), "room", h["room"]),
			Column: requireRef(t, c.String(), "column", h["column"]),
		})
	}
	next := ""
	if string(m["next_cursor"]) != "null" {
		next = requireString(t, c.String(), "next_cursor", m["next_cursor"])
	}
	return hits, next
}

// searchAll pages through every hit, failing on a card seen twice.
func (e *boardEnv) searchAll(t *testing.T, u boardUser, q string, limit int) []searchHit {
	t.Helper()
	var all []searchHit
	seen := map[uuid.UUID]bool{}
	cursor := ""
	for range 500 {
		hits, next := e.searchPage(t, u, q, limit, cursor)
		for _, h := range hits {
			if seen[h.Card.ID] {
				t.Fatalf("search %q: card %q on two pages", q, h.Card.Title)
			}
			seen[h.Card.ID] = true
		}
		all = append(all, hits...)
		if next == "" {
			return all
		}
		if limit > 0 && len(hits) != limit {
			t.Fatalf("search %q: a page of %d hits before the last, want %d", q, len(hits), limit)
		}
		cursor = next
	}
	t.Fatalf("search %q: no last page", q)
	return nil
}

func hitTitles(hits []searchHit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Card.Title
	}
	return out
}

func TestSearchRanksAndNamesRoomAndColumn(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	ann := e.user(t, "ann")
	room, cols := e.seedColumns(t, ann, "Ideas")
	col := cols["Ideas"]
	inComment := e.createCard(t, ann, col.ID, "first")
	e.expect(t, apiCall(http.MethodPost, cardPath(inComment.ID)+"/comments", ann, jsonObj{"body": "a gazebo for the garden"}), ok(http.StatusCreated))
	inDescription := e.createCard(t, ann, col.ID, "second")
	e.expect(t, apiCall(http.MethodPatch, cardPath(inDescription.ID), ann, jsonObj{"description": "build gazebos"}), ok(http.StatusOK))
	e.createCard(t, ann, col.ID, "Gazebo plans")
	e.createCard(t, ann, col.ID, "unrelated")

	hits := e.searchAll(t, ann, "gazebo", 0)
	requireOrder(t, "search gazebo", "titles", hitTitles(hits), []string{"Gazebo plans", "second", "first"})
	for _, h := range hits {
		if h.Room != (refBody{ID: room.ID, Name: room.Name}) || h.Column != (refBody{ID: col.ID, Name: "Ideas"}) || h.Card.ColumnID != col.ID {
			t.Errorf("%q: room %+v, column %+v; want %s %q, %s Ideas", h.Card.Title, h.Room, h.Column, room.ID, room.Name, col.ID)
		}
	}
	if hits[2].Card.CommentCount != 1 {
		t.Errorf("comment_count = %d, want 1", hits[2].Card.CommentCount)
	}
	// Phrases, exclusions and stems, as docs/API.md shows them.
	requireOrder(t, `search "the garden"`, "titles", hitTitles(e.searchAll(t, ann, `"for the garden"`, 0)), []string{"first"})
	requireOrder(t, "search gazebo -plans", "titles", hitTitles(e.searchAll(t, ann, "gazebo -plans", 0)), []string{"second", "first"})
	requireOrder(t, "search building", "titles", hitTitles(e.searchAll(t, ann, "building", 0)), []string{"second"})
}

func TestSearchPagesWithoutRepeatsOrGaps(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	ann := e.user(t, "ann")
	_, cols := e.seedColumns(t, ann, "A", "B")
	var want []string
	for i := range 13 {
		col := cols["A"]
		if i%2 == 1 {
			col = cols["B"]
		}
		title := "kestrel " + strings.Repeat("note ", i) + strconv.Itoa(i)
		e.createCard(t, ann, col.ID, title)
		want = append(want, title)
	}
	slices.Sort(want)
	for _, limit := range []int{1, 4, 13, 100} {
		got := hitTitles(e.searchAll(t, ann, "kestrel", limit))
		slices.Sort(got)
		requireOrder(t, "search kestrel limit "+strconv.Itoa(limit), "every title once", got, want)
	}
}

func TestSearchIncludesArchivedCards(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	ann := e.user(t, "ann")
	_, cols := e.seedColumns(t, ann, "Old")
	card := e.createCard(t, ann, cols["Old"].ID, "archived pelican")
	// No archive endpoint yet: set the column as archiving will.
	if err := e.db.Exec("UPDATE cards SET archived_at = now() WHERE id = ?", card.ID).Error; err != nil {
		t.Fatal(err)
	}
	hits := e.searchAll(t, ann, "pelican", 0)
	if len(hits) != 1 || hits[0].Card.ArchivedAt == nil {
		t.Fatalf("search pelican = %+v, want the archived card with archived_at set", hits)
	}
}

func TestSearchOnlyTheCallersRooms(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	ann, bob, eve := e.user(t, "ann"), e.user(t, "bob"), e.user(t, "eve")
	room, cols := e.seedColumns(t, ann, "Shared")
	e.createCard(t, ann, cols["Shared"].ID, "secret walrus")
	_, bobCols := e.seedColumns(t, bob, "Own")
	e.createCard(t, bob, bobCols["Own"].ID, "bob's walrus")
	e.addMember(t, ann, room.ID, bob)

	requireOrder(t, "ann", "titles", hitTitles(e.searchAll(t, ann, "walrus", 0)), []string{"secret walrus"})
	requireOrder(t, "eve, a member of nothing", "titles", hitTitles(e.searchAll(t, eve, "walrus", 0)), []string{})
	both := hitTitles(e.searchAll(t, bob, "walrus", 0))
	slices.Sort(both)
	requireOrder(t, "bob, a member of both", "titles", both, []string{"bob's walrus", "secret walrus"})

	e.expect(t, apiCall(http.MethodDelete, memberPath(room.ID, bob.ID), bob, nil), ok(http.StatusNoContent))
	requireOrder(t, "bob after leaving", "titles", hitTitles(e.searchAll(t, bob, "walrus", 0)), []string{"bob's walrus"})
}

func TestSearchValidation(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	ann := e.user(t, "ann")
	good := models.SearchCursor{Rank: 0.5, ID: uuid.New()}.Encode()
	for _, tc := range []struct {
		query string
		want  outcome
	}{
		{"", invalid("q")},
		{"?q=", invalid("q")},
		{"?q=%20%20%09", invalid("q")},
		{"?q=" + strings.Repeat("a", 201), invalid("q")},
		{"?q=" + strings.Repeat("é", 200), ok(http.StatusOK)},
		{"?q=%00x", invalid("q")},
		{"?q=%FF", invalid("q")},
		{"?q=x&limit=0", invalid("limit")},
		{"?q=x&limit=101", invalid("limit")},
		{"?q=x&limit=ten", invalid("limit")},
		{"?q=x&limit=100", ok(http.StatusOK)},
		{"?q=x&cursor=nope", invalid("cursor")},
		{"?q=x&cursor=" + good, ok(http.StatusOK)},
		{"?q=x&cursor=", ok(http.StatusOK)},
		{"?limit=0&cursor=nope", invalid("q", "limit", "cursor")},
		// The syntax never makes a query fail.
		{"?q=" + url.QueryEscape(`"unclosed -"" or or & | ! ( ) :* <->`), ok(http.StatusOK)},
		{"?q=the", ok(http.StatusOK)},
	} {
		e.expect(t, apiCall(http.MethodGet, "/api/search"+tc.query, ann, nil), tc.want)
	}
}

func TestSearchNeedsASignedInCaller(t *testing.T) {
	t.Parallel()
	e := newBoardEnv(t)
	e.expect(t, apiCall(http.MethodGet, searchPath("x", 0, ""), boardUser{}, nil),
		refused(http.StatusUnauthorized, models.CodeUnauthorized))
	e.expect(t, apiCall(http.MethodGet, searchPath("x", 0, ""), boardUser{Token: "not-a-token"}, nil),
		refused(http.StatusUnauthorized, models.CodeUnauthorized))
}
