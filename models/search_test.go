package models_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

// searchRoom is a room made through the Store, with one column.
type searchRoom struct {
	store  *models.Store
	owner  models.User
	room   models.RoomView
	column models.Column
}

func newSearchRoom(t *testing.T, db *gorm.DB, store *models.Store, name string) searchRoom {
	t.Helper()
	ctx := context.Background()
	r := searchRoom{store: store, owner: newUser(t, db, uuid.NewString()+"@search.test")}
	var err error
	if r.room, err = store.CreateRoom(ctx, r.owner.ID, name); err != nil {
		t.Fatal(err)
	}
	if r.column, err = store.CreateColumn(ctx, r.owner.ID, r.room.ID, "Backlog", nil); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r searchRoom) card(t *testing.T, title, description string, comments ...string) models.Card {
	t.Helper()
	ctx := context.Background()
	c, err := r.store.CreateCard(ctx, r.owner.ID, r.column.ID, models.NewCard{Title: title, Description: description})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range comments {
		if _, err := r.store.CreateComment(ctx, r.owner.ID, c.ID, body); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// searchAll pages through every hit of q, limit at a time, failing on a
// repeated card.
func searchAll(t *testing.T, store *models.Store, userID uuid.UUID, q string, limit int) []models.SearchHit {
	t.Helper()
	var all []models.SearchHit
	seen := map[uuid.UUID]bool{}
	var after *models.SearchCursor
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatalf("search %q: no last page after 1,000 pages", q)
		}
		hits, next, err := store.Search(context.Background(), userID, q, limit, after)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		if len(hits) > limit || (next != nil && len(hits) != limit) {
			t.Fatalf("search %q: a page of %d hits (limit %d, next %v)", q, len(hits), limit, next)
		}
		for _, h := range hits {
			if seen[h.ID] {
				t.Fatalf("search %q: card %s (%q) on two pages", q, h.ID, h.Title)
			}
			seen[h.ID] = true
		}
		all = append(all, hits...)
		if next == nil {
			return all
		}
		// Through the wire form, as a client sends it back.
		cur, err := models.DecodeSearchCursor(next.Encode())
		if err != nil || cur != *next {
			t.Fatalf("cursor %+v does not survive Encode/Decode: %+v, %v", *next, cur, err)
		}
		after = &cur
	}
}

func titles(hits []models.SearchHit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Title
	}
	return out
}

func requireTitles(t *testing.T, q string, hits []models.SearchHit, want ...string) {
	t.Helper()
	if got := titles(hits); !slices.Equal(got, want) {
		t.Errorf("search %q = %q, want %q", q, got, want)
	}
}

func TestSearchRanksTitleThenDescriptionThenComments(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	r := newSearchRoom(t, db, store, "Ranks")
	// Made in the opposite order, so creation order cannot explain a pass.
	r.card(t, "comment card", "nothing here", "the zeppelin is late")
	r.card(t, "description card", "we need a zeppelin")
	r.card(t, "zeppelin launch", "")
	r.card(t, "unrelated", "no match", "none either")

	hits := searchAll(t, store, r.owner.ID, "zeppelin", 50)
	requireTitles(t, "zeppelin", hits, "zeppelin launch", "description card", "comment card")
	for i := 1; i < len(hits); i++ {
		if hits[i].Rank >= hits[i-1].Rank {
			t.Errorf("ranks %v are not strictly decreasing", []float32{hits[0].Rank, hits[1].Rank, hits[2].Rank})
		}
	}
	h := hits[0]
	if h.RoomID != r.room.ID || h.RoomName != "Ranks" || h.ColumnID != r.column.ID || h.ColumnName != "Backlog" {
		t.Errorf("hit's room and column = %s %q, %s %q; want %s Ranks, %s Backlog",
			h.RoomID, h.RoomName, h.ColumnID, h.ColumnName, r.room.ID, r.column.ID)
	}
	if hits[2].CommentCount != 1 || hits[2].LabelIDs == nil || hits[2].AssigneeIDs == nil {
		t.Errorf("comment card: count %d, labels %v, assignees %v; want 1 and two empty lists",
			hits[2].CommentCount, hits[2].LabelIDs, hits[2].AssigneeIDs)
	}
}

func TestSearchQuerySyntax(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	r := newSearchRoom(t, db, store, "Syntax")
	r.card(t, "move the servers", "")
	r.card(t, "server room", "the red fox jumps")
	r.card(t, "fox notes", "a fox that is red")
	r.card(t, "Quarterly report", "", "moved to next week")

	for _, tc := range []struct {
		q    string
		want []string
	}{
		{`moving`, []string{"move the servers", "Quarterly report"}}, // stemmed: move, moved, moving
		{`"red fox"`, []string{"server room"}},                       // a phrase: those words, in that order
		{`fox -server`, []string{"fox notes"}},                       // -excluded
		{`fox red`, []string{"fox notes", "server room"}},            // every word, anywhere
		{`FOX`, []string{"fox notes", "server room"}},                // any case
		{`the`, nil}, // only stop words: nothing
		{`zebra`, nil},
	} {
		hits := searchAll(t, store, r.owner.ID, tc.q, 50)
		got := titles(hits)
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("search %q = %q, want %q", tc.q, got, want)
		}
	}
}

func TestSearchFollowsCommentWrites(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	ctx := context.Background()
	r := newSearchRoom(t, db, store, "Comments")
	card := r.card(t, "plain", "")
	cm, err := store.CreateComment(ctx, r.owner.ID, card.ID, "remember the walrus")
	if err != nil {
		t.Fatal(err)
	}
	requireTitles(t, "walrus", searchAll(t, store, r.owner.ID, "walrus", 10), "plain")
	if _, err := store.UpdateComment(ctx, r.owner.ID, cm.ID, "remember the narwhal"); err != nil {
		t.Fatal(err)
	}
	requireTitles(t, "walrus", searchAll(t, store, r.owner.ID, "walrus", 10))
	requireTitles(t, "narwhal", searchAll(t, store, r.owner.ID, "narwhal", 10), "plain")
	if err := store.DeleteComment(ctx, r.owner.ID, cm.ID); err != nil {
		t.Fatal(err)
	}
	requireTitles(t, "narwhal", searchAll(t, store, r.owner.ID, "narwhal", 10))
	// A card's edits are searched at once (the vector is generated).
	if _, err := store.UpdateCard(ctx, r.owner.ID, card.ID, models.CardUpdate{Title: ptr("pelican")}); err != nil {
		t.Fatal(err)
	}
	requireTitles(t, "pelican", searchAll(t, store, r.owner.ID, "pelican", 10), "pelican")
}

func ptr[T any](v T) *T { return &v }

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestSearchSeesOnlyTheCallersRooms(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	ctx := context.Background()
	mine := newSearchRoom(t, db, store, "Mine")
	theirs := newSearchRoom(t, db, store, "Theirs")
	mine.card(t, "otter in mine", "")
	theirs.card(t, "otter in theirs", "")
	member := newUser(t, db, uuid.NewString()+"@member.test")
	stranger := newUser(t, db, uuid.NewString()+"@stranger.test")
	for _, r := range []searchRoom{mine, theirs} {
		if _, err := store.AddMember(ctx, r.owner.ID, r.room.ID, member.Email, ""); err != nil {
			t.Fatal(err)
		}
	}

	requireTitles(t, "owner of mine", searchAll(t, store, mine.owner.ID, "otter", 10), "otter in mine")
	requireTitles(t, "stranger", searchAll(t, store, stranger.ID, "otter", 10))
	both := titles(searchAll(t, store, member.ID, "otter", 10))
	slices.Sort(both)
	if !slices.Equal(both, []string{"otter in mine", "otter in theirs"}) {
		t.Errorf("member of both sees %q", both)
	}
	// Leaving a room takes its cards out of the next search at once.
	if err := store.RemoveMember(ctx, member.ID, theirs.room.ID, member.ID); err != nil {
		t.Fatal(err)
	}
	requireTitles(t, "member who left theirs", searchAll(t, store, member.ID, "otter", 10), "otter in mine")
}

func TestSearchIncludesArchivedCards(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	r := newSearchRoom(t, db, store, "Archive")
	old := r.card(t, "old heron", "")
	r.card(t, "new heron", "")
	// No archive endpoint yet: set the column as archiving will.
	if err := db.Exec("UPDATE cards SET archived_at = now() WHERE id = ?", old.ID).Error; err != nil {
		t.Fatal(err)
	}
	hits := searchAll(t, store, r.owner.ID, "heron", 10)
	if len(hits) != 2 {
		t.Fatalf("search heron = %q, want both cards", titles(hits))
	}
	for _, h := range hits {
		if (h.ArchivedAt != nil) != (h.ID == old.ID) {
			t.Errorf("%q: archived_at = %v", h.Title, h.ArchivedAt)
		}
	}
}

// TestSearchPagesThroughEveryHit: ties of rank (identical cards) and ranks
// a float4 apart are paged without a repeat (searchAll checks) or a gap.
func TestSearchPagesThroughEveryHit(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	r := newSearchRoom(t, db, store, "Pages")
	want := 0
	for i := range 23 {
		// Seven identical cards (one rank), the rest each a little less
		// relevant than the one before (longer descriptions).
		desc := "ibis"
		if i >= 7 {
			desc += strings.Repeat(" ibis", i)
		}
		r.card(t, fmt.Sprintf("card %02d", i), desc)
		want++
	}
	r.card(t, "no match", "crane")
	for _, limit := range []int{1, 2, 3, 7, 50} {
		hits := searchAll(t, store, r.owner.ID, "ibis", limit)
		if len(hits) != want {
			t.Errorf("limit %d: %d hits, want %d", limit, len(hits), want)
		}
		for i := 1; i < len(hits); i++ {
			a, b := hits[i-1], hits[i]
			if a.Rank < b.Rank || (a.Rank == b.Rank && a.ID.String() < b.ID.String()) {
				t.Errorf("limit %d: hit %d (%v, %s) before hit %d (%v, %s)", limit, i-1, a.Rank, a.ID, i, b.Rank, b.ID)
			}
		}
	}
}

func TestSearchCursorRefusesWhatItDidNotMake(t *testing.T) {
	t.Parallel()
	good := models.SearchCursor{Rank: 0.0607927, ID: uuid.New()}
	if got, err := models.DecodeSearchCursor(good.Encode()); err != nil || got != good {
		t.Fatalf("round trip of %+v = %+v, %v", good, got, err)
	}
	for _, bad := range []string{"", "x", "!!!", good.Encode() + "A",
		b64("7fc00000|" + good.ID.String()), // NaN
		b64("bf800000|" + good.ID.String()), // -1
		b64("3f800000|not-a-uuid"),
		b64("3f80000|" + good.ID.String()),
		b64("3f800000" + good.ID.String()),
	} {
		if _, err := models.DecodeSearchCursor(bad); err == nil {
			t.Errorf("DecodeSearchCursor(%q) accepted", bad)
		}
	}
}

// TestSearchPlanUsesTheGINIndex: on a table of 20,000 cards, the statement
// Search runs, in the transaction it runs in, finds matches through
// idx_cards_search, for a rare word and a phrase, on the first page
// and a later one; and it keeps doing so once the statement is prepared
// and reused (plan_cache_mode: a generic plan knows no query text).
func TestSearchPlanUsesTheGINIndex(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	ctx := context.Background()
	r := newSearchRoom(t, db, store, "Plans")
	// Bulk rows straight in SQL: this is about the planner, not the writes.
	err := db.Exec(`INSERT INTO cards (id, column_id, title, description, position, created_at, updated_at)
SELECT gen_random_uuid(), ?, 'task ' || i || CASE WHEN i % 1000 = 0 THEN ' flamingo' ELSE '' END,
  'routine work item number ' || i, i, now(), now()
FROM generate_series(0, 19999) AS i`, r.column.ID).Error
	if err != nil {
		t.Fatal(err)
	}
	// What autovacuum does after a bulk insert: statistics, and the GIN
	// index's pending list merged (the planner prices an index whose new
	// entries all wait in that list as a scan of the list).
	if err := db.Exec("VACUUM ANALYZE cards").Error; err != nil {
		t.Fatal(err)
	}
	after := &models.SearchCursor{Rank: 0.06, ID: uuid.New()}
	for _, tc := range []struct {
		q     string
		after *models.SearchCursor
	}{{"flamingo", nil}, {"flamingo", after}, {`"task 123"`, nil}} {
		plan, err := store.ExplainSearch(ctx, r.owner.ID, tc.q, 50, tc.after, false)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("search %q (after %v):\n%s", tc.q, tc.after, plan)
		if !strings.Contains(plan, "idx_cards_search") {
			t.Errorf("search %q (after %v): the plan does not use idx_cards_search:\n%s", tc.q, tc.after, plan)
		}
	}
	// The pool prepares and caches statements; past five runs PostgreSQL
	// may switch a prepared statement to a generic plan. Search keeps
	// finding the same cards however often it runs.
	for range 8 {
		hits, _, err := store.Search(ctx, r.owner.ID, "flamingo", 50, nil)
		if err != nil || len(hits) != 20 {
			t.Fatalf("search flamingo: %d hits, %v; want 20", len(hits), err)
		}
	}
}
