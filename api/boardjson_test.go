package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestBoardAppendJSONIsMarshal: the hand-written encoder makes the same
// bytes as encoding/json, for a board with every field set and unset and
// strings that need each kind of escape.
func TestBoardAppendJSONIsMarshal(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 2, 13, 4, 5, 123456000, time.UTC)
	whole := at.Truncate(time.Second)
	by := uuid.New()
	tricky := []string{"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline\r\x00\x1f",
		"é ü 漢字 🎉", "line\u2028sep\u2029", "bad \xff utf-8", "\x7f del"}
	var cards []Card
	for i, s := range tricky {
		c := Card{ID: uuid.New(), ColumnID: uuid.New(), Title: s, Description: s + s, Position: i,
			CreatedAt: at, UpdatedAt: whole, LabelIDs: []uuid.UUID{}, AssigneeIDs: []uuid.UUID{uuid.New(), uuid.New()}}
		if i%2 == 0 {
			c.CreatedBy, c.DueAt, c.ArchivedAt, c.DueComplete, c.CommentCount = &by, &at, &whole, true, 12345
			c.LabelIDs = []uuid.UUID{uuid.New()}
		}
		if i == 3 {
			c.LabelIDs, c.AssigneeIDs = nil, nil
		}
		cards = append(cards, c)
	}
	boards := []Board{
		{},
		{Room: Room{ID: uuid.New(), Name: "Launch <plan> & \"more\"", CreatedBy: by, CreatedAt: at, Version: 42, Role: "owner"},
			Members: []Member{{User: User{ID: by, Email: "a+b@example.com", DisplayName: "Zoë", CreatedAt: whole}, Role: "owner", JoinedAt: at}},
			Labels:  []Label{{ID: uuid.New(), RoomID: uuid.New(), Name: "urgent & <now>", Color: "red"}},
			Columns: []BoardColumn{
				{Column: Column{ID: uuid.New(), RoomID: uuid.New(), Name: "To do", Position: 0}, Cards: cards},
				{Column: Column{ID: uuid.New(), Name: "empty", Position: 1, ArchivedAt: &at}, Cards: []Card{}},
				{Column: Column{ID: uuid.New(), Name: "nil cards", Position: 2}},
			}},
	}
	for i, b := range boards {
		want, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("board %d:\n got %s\nwant %s", i, got, want)
		}
	}
}
