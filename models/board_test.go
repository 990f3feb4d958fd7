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

// decorate gives a seeded board labels, a second member and comments: on
// every card each label and both members, and one comment, so the card
// details grow with the board.
func decorate(t *testing.T, db *gorm.DB, roomID, owner uuid.UUID, labels int) {
	t.Helper()
	other := newUser(t, db, uuid.NewString()+"@seed.test")
	if err := db.Create(&models.RoomMember{RoomID: roomID, UserID: other.ID, Role: models.RoleMember}).Error; err != nil {
		t.Fatal(err)
	}
	ls := make([]models.Label, labels)
	for i := range ls {
		ls[i] = models.Label{RoomID: roomID, Name: fmt.Sprint("label ", i), Color: models.LabelColors[i%len(models.LabelColors)],
			CreatedAt: time.Now().Add(time.Duration(i) * time.Millisecond)}
	}
	if err := db.Create(&ls).Error; err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`INSERT INTO card_labels (card_id, label_id) SELECT cards.id, labels.id FROM cards
		 JOIN columns ON columns.id = cards.column_id JOIN labels ON labels.room_id = columns.room_id WHERE columns.room_id = @room`,
		`INSERT INTO card_assignees (card_id, user_id) SELECT cards.id, m.user_id FROM cards
		 JOIN columns ON columns.id = cards.column_id JOIN room_members m ON m.room_id = columns.room_id WHERE columns.room_id = @room`,
		`INSERT INTO comments (id, card_id, author_id, body, created_at, updated_at) SELECT gen_random_uuid(), cards.id, @owner, 'seed', now(), now()
		 FROM cards JOIN columns ON columns.id = cards.column_id WHERE columns.room_id = @room`,
		`UPDATE cards SET comment_count = 1 FROM columns WHERE columns.id = cards.column_id AND columns.room_id = @room`,
	} {
		if err := db.Exec(stmt, map[string]any{"room": roomID, "owner": owner}).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// TestBoardQueryCountIsFixed: loading a board costs three statements, for
// 10 cards as for 2,000, however many labels, assignees and comments they
// carry.
func TestBoardQueryCountIsFixed(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	counts := map[int]int64{}
	for _, size := range []struct{ cols, cards, labels int }{{2, 10, 1}, {40, 2000, 8}} {
		roomID, owner := seedBoard(t, db, size.cols, size.cards)
		decorate(t, db, roomID, owner, size.labels)
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
		if got != size.cards || len(board.Columns) != size.cols || len(board.Labels) != size.labels {
			t.Fatalf("board has %d columns, %d cards and %d labels, want %d, %d and %d",
				len(board.Columns), got, len(board.Labels), size.cols, size.cards, size.labels)
		}
		for _, col := range board.Columns {
			for _, c := range col.Cards {
				if len(c.LabelIDs) != size.labels || len(c.AssigneeIDs) != 2 || c.CommentCount != 1 {
					t.Fatalf("card %s: %d labels, %d assignees, %d comments; want %d, 2, 1",
						c.ID, len(c.LabelIDs), len(c.AssigneeIDs), c.CommentCount, size.labels)
				}
				for i, id := range c.LabelIDs {
					if id != board.Labels[i].ID {
						t.Fatalf("card %s: label_ids %v are not in label order %v", c.ID, c.LabelIDs, board.Labels)
					}
				}
			}
		}
		counts[size.cards] = counter.n.Load()
	}
	if counts[10] != 3 || counts[2000] != 3 {
		t.Errorf("statements for a board of 10 cards = %d, of 2,000 cards = %d; want 3 each", counts[10], counts[2000])
	}
}

// TestBoardReadsAgreeWhileItChanges: the board's statements run outside a
// transaction, so a change can commit between them; every board loaded
// while labels are being created must still be one state: each label
// creation moves the version by one, so a board at version v shows exactly
// v - v0 labels, and its tag is the one BoardHead gives at that version.
func TestBoardReadsAgreeWhileItChanges(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	roomID, owner := seedBoard(t, db, 4, 40)
	store := models.NewStore(db)
	ctx := context.Background()
	start, err := store.Board(ctx, owner, roomID)
	if err != nil {
		t.Fatal(err)
	}
	const labels = 60
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range labels {
			if _, err := store.CreateLabel(ctx, owner, roomID, models.NewLabel{Name: fmt.Sprint("l", i), Color: "red"}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	loads := 0
	for running := true; running; loads++ {
		select {
		case <-done:
			running = false
		default:
		}
		b, err := store.Board(ctx, owner, roomID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(b.Labels), int(b.Version-start.Version); got != want {
			t.Fatalf("board at version %d shows %d labels; want %d (its reads disagree)", b.Version, got, want)
		}
		if n := countCards(b); n != 40 {
			t.Fatalf("board at version %d shows %d cards; want 40", b.Version, n)
		}
	}
	t.Logf("%d consistent loads during %d label creations", loads, labels)
}

func countCards(b models.RoomView) int {
	n := 0
	for _, c := range b.Columns {
		n += len(c.Cards)
	}
	return n
}
