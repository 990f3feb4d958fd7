package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/syncboard/syncboard/api"
)

// Card details: labels, assignees and due dates. Every change takes the
// room lock first (lockedCard), bumps the version and records card.updated
// with the whole card, like any other change to a room. Labels and
// assignees are added and removed through GORM's many2many associations;
// the IDs cards show are read set-based, for any number of cards in a fixed
// number of statements (cardDetails; the board reads them in its cards
// statement, boardload.go).

// pair is one (card, other) row of a join table.
type pair struct {
	CardID  uuid.UUID
	OtherID uuid.UUID
}

// cardDetails fills the label and assignee IDs of cards, in two queries
// whatever their number.
func cardDetails(tx *gorm.DB, cards ...*Card) error {
	if len(cards) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(cards))
	for i, c := range cards {
		ids[i] = c.ID
	}
	labels, err := pairs(tx.Table("card_labels").Select("card_labels.card_id, card_labels.label_id").
		Joins("JOIN labels ON labels.id = card_labels.label_id").
		Where("card_labels.card_id IN ?", ids).Order("labels.created_at, labels.id"))
	if err != nil {
		return fmt.Errorf("card labels: %w", err)
	}
	assignees, err := pairs(tx.Table("card_assignees").Select("card_id, user_id").
		Where("card_id IN ?", ids).Order("assigned_at, user_id"))
	if err != nil {
		return fmt.Errorf("card assignees: %w", err)
	}
	fillDetails(cards, labels, assignees)
	return nil
}

// pairs runs q, a query of two uuid columns, and scans the rows by hand:
// a board has thousands of them, and GORM's reflective Scan cost more than
// the query itself (profiled on 400 cards with three details each).
func pairs(q *gorm.DB) ([]pair, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pair
	for rows.Next() {
		var p pair
		if err := rows.Scan(&p.CardID, &p.OtherID); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func fillDetails(cards []*Card, labels, assignees []pair) {
	byID := make(map[uuid.UUID]*Card, len(cards))
	for _, c := range cards {
		c.LabelIDs, c.AssigneeIDs = []uuid.UUID{}, []uuid.UUID{}
		byID[c.ID] = c
	}
	for _, p := range labels {
		if c := byID[p.CardID]; c != nil {
			c.LabelIDs = append(c.LabelIDs, p.OtherID)
		}
	}
	for _, p := range assignees {
		if c := byID[p.CardID]; c != nil {
			c.AssigneeIDs = append(c.AssigneeIDs, p.OtherID)
		}
	}
}

// reloadCard reads a card again, with its details.
func reloadCard(tx *gorm.DB, id uuid.UUID) (Card, error) {
	var c Card
	if err := tx.Take(&c, "id = ?", id).Error; err != nil {
		return Card{}, notFound(err, "card")
	}
	return c, cardDetails(tx, &c)
}

// NewLabel is a label to create.
type NewLabel struct {
	Name  string
	Color string
}

// LabelUpdate is a change to a label; nil fields stay as they are.
type LabelUpdate struct {
	Name  *string
	Color *string
}

// labelExists maps the room's unique name index to CodeLabelExists.
func labelExists(err error) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return Errorf(CodeLabelExists, "this room already has a label with that name")
	}
	return err
}

// CreateLabel adds a label to a room. Any member may.
//
// Errors: CodeNotFound, CodeLabelExists, CodeUnavailable.
func (s *Store) CreateLabel(ctx context.Context, userID, roomID uuid.UUID, nl NewLabel) (Label, error) {
	var l Label
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, err := memberRoom(tx, userID, roomID, ActEdit)
		if err != nil {
			return err
		}
		l = Label{RoomID: roomID, Name: nl.Name, Color: nl.Color, CreatedAt: tx.NowFunc()}
		if err := tx.Create(&l).Error; err != nil {
			return labelExists(fmt.Errorf("create label: %w", err))
		}
		return change(tx, &v, userID, api.EventLabelCreated, api.LabelData{Label: l.API()})
	})
	return l, err
}

// lockedLabel authorizes a label through the caller's membership of its
// room and locks the room.
func lockedLabel(tx *gorm.DB, userID, labelID uuid.UUID) (RoomView, Label, error) {
	var l Label
	err := tx.Model(&Label{}).Select("labels.*").Scopes(memberOf(userID, "labels.room_id")).
		Where("labels.id = ?", labelID).Take(&l).Error
	if err != nil {
		return RoomView{}, Label{}, notFound(err, "label")
	}
	v, err := memberRoom(tx, userID, l.RoomID, ActEdit)
	if err != nil {
		return RoomView{}, Label{}, err
	}
	// Re-read under the room lock: it may have been deleted meanwhile.
	if err := tx.Take(&l, "id = ?", labelID).Error; err != nil {
		return RoomView{}, Label{}, notFound(err, "label")
	}
	return v, l, nil
}

// UpdateLabel renames and/or recolors a label.
//
// Errors: CodeNotFound, CodeLabelExists, CodeUnavailable.
func (s *Store) UpdateLabel(ctx context.Context, userID, labelID uuid.UUID, up LabelUpdate) (Label, error) {
	var l Label
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, label, err := lockedLabel(tx, userID, labelID)
		if err != nil {
			return err
		}
		changes := map[string]any{}
		if up.Name != nil {
			changes["name"], label.Name = *up.Name, *up.Name
		}
		if up.Color != nil {
			changes["color"], label.Color = *up.Color, *up.Color
		}
		if len(changes) > 0 {
			if err := tx.Model(&Label{}).Where("id = ?", label.ID).Updates(changes).Error; err != nil {
				return labelExists(fmt.Errorf("update label: %w", err))
			}
		}
		l = label
		return change(tx, &v, userID, api.EventLabelUpdated, api.LabelData{Label: l.API()})
	})
	return l, err
}

// DeleteLabel deletes a label; it leaves every card that had it.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) DeleteLabel(ctx context.Context, userID, labelID uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		v, l, err := lockedLabel(tx, userID, labelID)
		if err != nil {
			return err
		}
		// The join rows go by cascade too; deleting them here is the ORM
		// half, as for a column's cards.
		if err := tx.Where("label_id = ?", l.ID).Delete(&CardLabel{}).Error; err != nil {
			return fmt.Errorf("unlabel cards: %w", err)
		}
		if err := tx.Delete(&Label{ID: l.ID}).Error; err != nil {
			return fmt.Errorf("delete label: %w", err)
		}
		return change(tx, &v, userID, api.EventLabelDeleted, api.LabelDeletedData{LabelID: l.ID})
	})
}

// cardUpdated touches a card's updated_at, reloads it with its details and
// records card.updated with the whole card.
func cardUpdated(tx *gorm.DB, v *RoomView, actor, cardID uuid.UUID) (Card, error) {
	if err := tx.Model(&Card{}).Where("id = ?", cardID).Update("updated_at", tx.NowFunc()).Error; err != nil {
		return Card{}, fmt.Errorf("touch card: %w", err)
	}
	card, err := reloadCard(tx, cardID)
	if err != nil {
		return Card{}, err
	}
	return card, change(tx, v, actor, api.EventCardUpdated, api.CardData{Card: card.API()})
}

// SetCardLabel puts a label on a card (on: true) or takes it off. Adding a
// label twice is not an error. A label of another room the caller belongs
// to is CodeValidationFailed; one the caller cannot see is CodeNotFound.
//
// Errors: CodeNotFound, CodeValidationFailed, CodeUnavailable.
func (s *Store) SetCardLabel(ctx context.Context, userID, cardID, labelID uuid.UUID, on bool) (Card, error) {
	var card Card
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, c, _, err := lockedCard(tx, userID, cardID, ActEdit)
		if err != nil {
			return err
		}
		var l Label
		err = tx.Model(&Label{}).Select("labels.*").Scopes(memberOf(userID, "labels.room_id")).
			Where("labels.id = ?", labelID).Take(&l).Error
		if err != nil {
			return notFound(err, "label")
		}
		if l.RoomID != v.ID {
			return &Error{Code: CodeValidationFailed, Message: "a card takes only labels of its own room",
				Fields: map[string]string{"label_id": "must be a label of the card's room"}}
		}
		assoc := tx.Model(&c).Association("Labels")
		if on {
			err = assoc.Append(&l)
		} else {
			err = assoc.Delete(&l)
		}
		if err != nil {
			return fmt.Errorf("card label: %w", err)
		}
		card, err = cardUpdated(tx, &v, userID, c.ID)
		return err
	})
	return card, err
}

// SetCardAssignee assigns a member of the card's room to it (on: true) or
// unassigns them. Assigning twice is not an error; a user who is not a
// member of the room is CodeValidationFailed.
//
// Errors: CodeNotFound, CodeValidationFailed, CodeUnavailable.
func (s *Store) SetCardAssignee(ctx context.Context, userID, cardID, assigneeID uuid.UUID, on bool) (Card, error) {
	var card Card
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, c, _, err := lockedCard(tx, userID, cardID, ActEdit)
		if err != nil {
			return err
		}
		var u User
		err = tx.Model(&User{}).Select("users.*").
			Joins("JOIN room_members ON room_members.user_id = users.id AND room_members.room_id = ?", v.ID).
			Where("users.id = ?", assigneeID).Take(&u).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound) && on:
			return &Error{Code: CodeValidationFailed, Message: "only members of the room can be assigned",
				Fields: map[string]string{"user_id": "must be a member of the card's room"}}
		case errors.Is(err, gorm.ErrRecordNotFound):
			u.ID = assigneeID // not a member: nothing to remove, still a change
		case err != nil:
			return fmt.Errorf("find assignee: %w", err)
		}
		assoc := tx.Model(&c).Association("Assignees")
		if on {
			err = assoc.Append(&u)
		} else {
			err = assoc.Delete(&u)
		}
		if err != nil {
			return fmt.Errorf("card assignee: %w", err)
		}
		card, err = cardUpdated(tx, &v, userID, c.ID)
		return err
	})
	return card, err
}

// unassignFromRoom removes userID from every card of roomID and returns
// those cards' IDs (for the member.removed event).
func unassignFromRoom(tx *gorm.DB, userID, roomID uuid.UUID) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := tx.Raw(`DELETE FROM card_assignees USING cards, columns
WHERE card_assignees.user_id = ? AND cards.id = card_assignees.card_id
  AND columns.id = cards.column_id AND columns.room_id = ?
RETURNING card_assignees.card_id`, userID, roomID).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("unassign %s: %w", userID, err)
	}
	if ids == nil {
		ids = []uuid.UUID{}
	}
	return ids, nil
}

// Comments.

// CommentCursor is the position after the last comment of a page.
type CommentCursor struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// Encode makes the cursor opaque for clients.
func (c CommentCursor) Encode() string {
	return RoomCursor(c).Encode()
}

// DecodeCommentCursor reads a cursor made by Encode.
func DecodeCommentCursor(s string) (CommentCursor, error) {
	c, err := DecodeRoomCursor(s)
	return CommentCursor(c), err
}

// lockedComment authorizes a comment through the caller's membership of
// its card's room and locks the room, then re-reads it.
func lockedComment(tx *gorm.DB, userID, commentID uuid.UUID) (RoomView, Comment, error) {
	var row struct {
		Comment
		RoomID uuid.UUID
	}
	err := tx.Model(&Comment{}).Select("comments.*, columns.room_id AS room_id").
		Joins("JOIN cards ON cards.id = comments.card_id").
		Joins("JOIN columns ON columns.id = cards.column_id").
		Scopes(memberOf(userID, "columns.room_id")).
		Where("comments.id = ?", commentID).Take(&row).Error
	if err != nil {
		return RoomView{}, Comment{}, notFound(err, "comment")
	}
	v, err := memberRoom(tx, userID, row.RoomID, ActComment)
	if err != nil {
		return RoomView{}, Comment{}, err
	}
	var c Comment
	if err := tx.Preload("Author").Take(&c, "id = ?", commentID).Error; err != nil {
		return RoomView{}, Comment{}, notFound(err, "comment")
	}
	return v, c, nil
}

// Comments lists a card's comments, oldest first, limit at a time after
// cursor (nil for the first page); next is nil on the last page.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) Comments(ctx context.Context, userID, cardID uuid.UUID, limit int, after *CommentCursor) (comments []Comment, next *CommentCursor, err error) {
	err = s.tx(ctx, func(tx *gorm.DB) error {
		if _, _, err := cardInRoom(tx, userID, cardID); err != nil {
			return err
		}
		q := tx.Preload("Author").Where("card_id = ?", cardID).Order("created_at, id").Limit(limit + 1)
		if after != nil {
			q = q.Where("(created_at, id) > (?, ?)", after.CreatedAt, after.ID)
		}
		if err := q.Find(&comments).Error; err != nil {
			return fmt.Errorf("list comments: %w", err)
		}
		return nil
	}, readOnly)
	if err != nil {
		return nil, nil, err
	}
	if len(comments) > limit {
		comments = comments[:limit]
		last := comments[limit-1]
		next = &CommentCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	return comments, next, nil
}

// commentWritten follows a comment write on its card, in the write's
// transaction: it moves the comment count by delta and copies the
// comments' text again (oldest first, one per line, as the search
// migration's backfill does), which the generated search vector reads.
// It returns the count.
func commentWritten(tx *gorm.DB, cardID uuid.UUID, delta int) (int, error) {
	var n int
	err := tx.Raw(`UPDATE cards SET comment_count = comment_count + ?,
  comments_text = coalesce((SELECT string_agg(body, E'\n' ORDER BY created_at, id) FROM comments WHERE card_id = cards.id), '')
WHERE id = ? RETURNING comment_count`, delta, cardID).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("comment count: %w", err)
	}
	return n, nil
}

// CreateComment adds a comment to a card. Every member may, viewers too.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) CreateComment(ctx context.Context, userID, cardID uuid.UUID, body string) (Comment, error) {
	var cm Comment
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, c, _, err := lockedCard(tx, userID, cardID, ActComment)
		if err != nil {
			return err
		}
		now := tx.NowFunc()
		cm = Comment{CardID: c.ID, AuthorID: userID, Body: body, CreatedAt: now, UpdatedAt: now}
		if err := tx.Omit(clause.Associations).Create(&cm).Error; err != nil {
			return fmt.Errorf("create comment: %w", err)
		}
		if err := tx.Take(&cm.Author, "id = ?", userID).Error; err != nil {
			return fmt.Errorf("comment author: %w", err)
		}
		n, err := commentWritten(tx, c.ID, 1)
		if err != nil {
			return err
		}
		return change(tx, &v, userID, api.EventCommentCreated, api.CommentData{Comment: cm.API(), CommentCount: n})
	})
	return cm, err
}

// UpdateComment changes a comment's body. Only its author may.
//
// Errors: CodeNotFound, CodeForbidden, CodeUnavailable.
func (s *Store) UpdateComment(ctx context.Context, userID, commentID uuid.UUID, body string) (Comment, error) {
	var cm Comment
	err := s.tx(ctx, func(tx *gorm.DB) error {
		v, c, err := lockedComment(tx, userID, commentID)
		if err != nil {
			return err
		}
		if c.AuthorID != userID {
			return Errorf(CodeForbidden, "only its author can edit a comment")
		}
		c.Body, c.UpdatedAt = body, tx.NowFunc()
		if err := tx.Model(&Comment{}).Where("id = ?", c.ID).
			Updates(map[string]any{"body": c.Body, "updated_at": c.UpdatedAt}).Error; err != nil {
			return fmt.Errorf("update comment: %w", err)
		}
		n, err := commentWritten(tx, c.CardID, 0)
		if err != nil {
			return err
		}
		cm = c
		return change(tx, &v, userID, api.EventCommentUpdated, api.CommentData{Comment: cm.API(), CommentCount: n})
	})
	return cm, err
}

// DeleteComment deletes a comment. Its author or an owner of the room may.
//
// Errors: CodeNotFound, CodeForbidden, CodeUnavailable.
func (s *Store) DeleteComment(ctx context.Context, userID, commentID uuid.UUID) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		v, c, err := lockedComment(tx, userID, commentID)
		if err != nil {
			return err
		}
		if c.AuthorID != userID && !Allows(v.Role, ActManage) {
			return Errorf(CodeForbidden, "only its author or an owner of the room can delete a comment")
		}
		if err := tx.Delete(&Comment{ID: c.ID}).Error; err != nil {
			return fmt.Errorf("delete comment: %w", err)
		}
		n, err := commentWritten(tx, c.CardID, -1)
		if err != nil {
			return err
		}
		return change(tx, &v, userID, api.EventCommentDeleted,
			api.CommentDeletedData{CommentID: c.ID, CardID: c.CardID, CommentCount: n})
	})
}

// ValidColor reports whether color is one of LabelColors.
func ValidColor(color string) bool { return slices.Contains(LabelColors, color) }
