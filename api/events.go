package api

import "github.com/google/uuid"

// Event types: one per kind of change to a room.
const (
	EventRoomUpdated   = "room.updated"
	EventRoomDeleted   = "room.deleted"
	EventMemberAdded   = "member.added"
	EventMemberRemoved = "member.removed"
	EventMemberUpdated = "member.updated"
	EventColumnCreated = "column.created"
	EventColumnUpdated = "column.updated"
	EventColumnDeleted = "column.deleted"
	EventCardCreated   = "card.created"
	EventCardUpdated   = "card.updated"
	EventCardMoved     = "card.moved"
	EventCardDeleted   = "card.deleted"

	EventCardArchived   = "card.archived"
	EventCardRestored   = "card.restored"
	EventColumnArchived = "column.archived"
	EventColumnRestored = "column.restored"

	EventLabelCreated   = "label.created"
	EventLabelUpdated   = "label.updated"
	EventLabelDeleted   = "label.deleted"
	EventCommentCreated = "comment.created"
	EventCommentUpdated = "comment.updated"
	EventCommentDeleted = "comment.deleted"
)

// The data of each event type: what a client needs to apply the change
// without refetching the board. Entities inside are the same shapes the
// REST responses use.
type (
	// RoomUpdatedData is room.updated: the room's new name.
	RoomUpdatedData struct {
		Name string `json:"name"`
	}
	// RoomDeletedData is room.deleted; the room and its events are gone.
	RoomDeletedData struct{}
	// MemberAddedData is member.added and member.updated (a new role).
	MemberAddedData struct {
		Member Member `json:"member"`
	}
	// MemberRemovedData is member.removed: who left or was removed, and
	// the cards they were assigned to, which they have left too.
	MemberRemovedData struct {
		UserID        uuid.UUID   `json:"user_id"`
		UnassignedIDs []uuid.UUID `json:"unassigned_card_ids"`
	}
	// ColumnData is column.created, column.updated and column.archived: the
	// column and the room's (unarchived) column IDs by position after the
	// change.
	ColumnData struct {
		Column  Column      `json:"column"`
		Columns []uuid.UUID `json:"columns"`
	}
	// ColumnRestoredData is column.restored: the column with its cards by
	// position, as the board shows it (they come back with it), and the
	// room's column IDs by position after the change. column.archived is
	// ColumnData.
	ColumnRestoredData struct {
		Column  BoardColumn `json:"column"`
		Columns []uuid.UUID `json:"columns"`
	}
	// ColumnDeletedData is column.deleted (its cards went with it).
	ColumnDeletedData struct {
		ColumnID uuid.UUID   `json:"column_id"`
		Columns  []uuid.UUID `json:"columns"`
	}
	// CardData is card.created, card.updated, card.moved, card.archived
	// and card.restored: the card after the change (its column_id and
	// position say where it is now) and, when the change took it from a
	// place on the board, that place. A client removes the card at From
	// and, unless it is archived now, inserts it at the card's position:
	// positions in a column are 0..n-1 over its unarchived cards, so the
	// cards between shift by one, and the event stays the same size
	// whatever the columns hold. From is absent when the card was not on
	// the board (created, restored from the archive, archived again, or
	// in an archived column) and from card.updated, which moves nothing.
	CardData struct {
		Card Card   `json:"card"`
		From *Place `json:"from,omitempty"`
	}
	// LabelData is label.created and label.updated.
	LabelData struct {
		Label Label `json:"label"`
	}
	// LabelDeletedData is label.deleted; the label has left every card.
	LabelDeletedData struct {
		LabelID uuid.UUID `json:"label_id"`
	}
	// CommentData is comment.created and comment.updated, with the card's
	// comment count after the change.
	CommentData struct {
		Comment      Comment `json:"comment"`
		CommentCount int     `json:"comment_count"`
	}
	// CommentDeletedData is comment.deleted.
	CommentDeletedData struct {
		CommentID    uuid.UUID `json:"comment_id"`
		CardID       uuid.UUID `json:"card_id"`
		CommentCount int       `json:"comment_count"`
	}
	// CardDeletedData is card.deleted: the card, its column, and its
	// place on the board before (null when it was not on the board: an
	// archived card, or a card of an archived column).
	CardDeletedData struct {
		CardID   uuid.UUID `json:"card_id"`
		ColumnID uuid.UUID `json:"column_id"`
		From     *Place    `json:"from"`
	}
	// Place is where a card was on the board: its column and its index
	// among the column's unarchived cards.
	Place struct {
		ColumnID uuid.UUID `json:"column_id"`
		Position int       `json:"position"`
	}
)
