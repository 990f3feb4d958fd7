package models_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

// maxCardEventBytes bounds a card event as it goes to a socket (the whole
// event, with its card): what a change of one card may cost each client,
// whatever its columns hold.
const maxCardEventBytes = 2048

// TestCardEventSizeIsIndependentOfColumnLength: on a board of 8 columns of
// 500 cards (issue 19's 4,000), each card event is under 2 KB, and within a
// few bytes of the same event on a board of 8 columns of 5 (the titles'
// digits differ): the event carries the card and where it came from, never
// a column's order, which would make a move 19 KB per column touched.
func TestCardEventSizeIsIndependentOfColumnLength(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	ctx := context.Background()
	sizes := map[int]map[string]int{}
	for _, perColumn := range []int{5, 500} {
		roomID, owner := seedBoard(t, db, 8, 8*perColumn)
		board, err := store.Board(ctx, owner, roomID)
		if err != nil {
			t.Fatal(err)
		}
		col := func(i int) models.Column { return board.Columns[i] }
		mid := perColumn / 2
		moving := col(0).Cards[mid]
		within := col(2).Cards[1]
		sizes[perColumn] = map[string]int{}
		steps := []struct {
			name string
			do   func() error
		}{
			{"card.moved across columns", func() error {
				_, err := store.MoveCard(ctx, owner, moving.ID, col(1).ID, mid/2)
				return err
			}},
			{"card.moved within a column", func() error {
				_, err := store.MoveCard(ctx, owner, within.ID, col(2).ID, perColumn-1)
				return err
			}},
			{"card.created", func() error {
				_, err := store.CreateCard(ctx, owner, col(3).ID, models.NewCard{Title: "new card", Position: new(int)})
				return err
			}},
			{"card.archived", func() error { _, err := store.ArchiveCard(ctx, owner, col(4).Cards[0].ID); return err }},
			{"card.restored", func() error { _, err := store.RestoreCard(ctx, owner, col(4).Cards[0].ID); return err }},
			{"card.deleted", func() error { return store.DeleteCard(ctx, owner, col(5).Cards[mid].ID) }},
		}
		for _, s := range steps {
			v := version(t, db, roomID)
			if err := s.do(); err != nil {
				t.Fatalf("%d per column, %s: %v", perColumn, s.name, err)
			}
			events, err := store.EventsAfter(ctx, roomID, v, 10)
			if err != nil || len(events) != 1 {
				t.Fatalf("%d per column, %s: %d events, %v; want 1", perColumn, s.name, len(events), err)
			}
			b, err := json.Marshal(events[0].API())
			if err != nil {
				t.Fatal(err)
			}
			sizes[perColumn][s.name] = len(b)
			if len(b) > maxCardEventBytes {
				t.Errorf("%d cards per column, %s: %d bytes, want at most %d\n%s", perColumn, s.name, len(b), maxCardEventBytes, b)
			}
		}
		// The bytes a move across columns would have been in contract v1:
		// the card and both columns' card orders, as they are now.
		if perColumn == 500 {
			var ids []struct{ ID, ColumnID uuid.UUID }
			if err := db.Model(&models.Card{}).Select("id, column_id").Where("column_id IN ? AND archived_at IS NULL", []uuid.UUID{col(0).ID, col(1).ID}).
				Order("position").Scan(&ids).Error; err != nil {
				t.Fatal(err)
			}
			order := map[uuid.UUID][]uuid.UUID{}
			for _, r := range ids {
				order[r.ColumnID] = append(order[r.ColumnID], r.ID)
			}
			v1, _ := json.Marshal(struct {
				Card  api.Card                  `json:"card"`
				Cards map[uuid.UUID][]uuid.UUID `json:"cards"`
			}{moving.API(), order})
			t.Logf("contract v1's card.moved across two 500-card columns: data alone %d bytes", len(v1))
		}
	}
	for name, small := range sizes[5] {
		big := sizes[500][name]
		t.Logf("%s: %d bytes on 8 × 5 cards, %d bytes on 8 × 500", name, small, big)
		if big-small > 16 || small-big > 16 {
			t.Errorf("%s: %d bytes on 8 × 5 cards but %d on 8 × 500: want the same, give or take the titles' digits", name, small, big)
		}
	}
}

func version(t *testing.T, db *gorm.DB, roomID uuid.UUID) int64 {
	t.Helper()
	var v int64
	if err := db.Model(&models.Room{}).Where("id = ?", roomID).Pluck("version", &v).Error; err != nil {
		t.Fatal(err)
	}
	return v
}
