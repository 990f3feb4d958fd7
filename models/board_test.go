package models_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

// countingLogger counts the statements GORM sends.
type countingLogger struct {
	logger.Interface
	n atomic.Int64
}

func (l *countingLogger) Trace(context.Context, time.Time, func() (string, int64), error) { l.n.Add(1) }
func (l *countingLogger) LogMode(logger.LogLevel) logger.Interface                        { return l }

// seedBoard writes a board of cols columns holding cards cards in all, with
// plain inserts (fast), and returns the room and its owner.
func seedBoard(t *testing.T, db *gorm.DB, cols, cards int) (uuid.UUID, uuid.UUID) {
	t.Helper()
	owner := newUser(t, db, uuid.NewString()+"@seed.test")
	room := models.Room{Name: "seed", CreatedBy: owner.ID, Version: 1,
		Members: []models.RoomMember{{UserID: owner.ID, Role: models.RoleOwner}}}
	if err := db.Create(&room).Error; err != nil {
		t.Fatal(err)
	}
	columns := make([]models.Column, cols)
	for i := range columns {
		columns[i] = models.Column{RoomID: room.ID, Name: fmt.Sprint("c", i), Position: i}
	}
	if err := db.Create(&columns).Error; err != nil {
		t.Fatal(err)
	}
	all := make([]models.Card, 0, cards)
	for i := range cards {
		col := i % cols
		all = append(all, models.Card{ColumnID: columns[col].ID, Title: fmt.Sprint("card ", i), Position: i / cols})
	}
	if err := db.CreateInBatches(&all, 500).Error; err != nil {
		t.Fatal(err)
	}
	return room.ID, owner.ID
}

// TestBoardQueryCountIsFixed: loading a board costs the same number of
// statements for 10 cards as for 2,000 (preloads, no query per column).
func TestBoardQueryCountIsFixed(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	counts := map[int]int64{}
	for _, size := range []struct{ cols, cards int }{{2, 10}, {40, 2000}} {
		roomID, owner := seedBoard(t, db, size.cols, size.cards)
		counter := &countingLogger{Interface: logger.Discard}
		store := models.NewStore(db.Session(&gorm.Session{Logger: counter}))
		board, err := store.Board(context.Background(), owner, roomID)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, c := range board.Columns {
			got += len(c.Cards)
		}
		if got != size.cards || len(board.Columns) != size.cols {
			t.Fatalf("board has %d columns and %d cards, want %d and %d", len(board.Columns), got, size.cols, size.cards)
		}
		counts[size.cards] = counter.n.Load()
	}
	if counts[10] != counts[2000] || counts[10] == 0 {
		t.Errorf("statements for a board of 10 cards = %d, of 2,000 cards = %d; want equal", counts[10], counts[2000])
	}
	t.Logf("statements per board load: %d", counts[10])
}
