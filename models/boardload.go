package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// BoardHead is the first read of a board: the room as the caller sees it
// (the membership check) and the board's entity tag. A client whose copy is
// current, or a cache holding the body for Tag, needs nothing more.
type BoardHead struct {
	View RoomView
	Tag  string

	membersUpdatedAt time.Time
}

// boardHeadSQL reads a room through the caller's membership, with the
// latest change to its members' users, which the body shows (a new display
// name does not move the room's version).
const boardHeadSQL = `SELECT rooms.id, rooms.name, rooms.created_by, rooms.version, rooms.created_at, rooms.updated_at,
  room_members.role,
  (SELECT max(u.updated_at) FROM room_members m JOIN users u ON u.id = m.user_id WHERE m.room_id = rooms.id)
FROM rooms JOIN room_members ON room_members.room_id = rooms.id AND room_members.user_id = ?
WHERE rooms.id = ?`

// boardPeopleSQL reads a room's members with their users, in join order,
// and its labels, in creation order: two small lists in one row.
const boardPeopleSQL = `SELECT
  coalesce((SELECT json_agg(json_build_object('id', u.id, 'email', u.email, 'display_name', u.display_name,
      'created_at', u.created_at, 'updated_at', u.updated_at, 'role', m.role, 'joined_at', m.joined_at) ORDER BY m.joined_at, m.id)
    FROM room_members m JOIN users u ON u.id = m.user_id WHERE m.room_id = @room), '[]'),
  coalesce((SELECT json_agg(json_build_object('id', l.id, 'name', l.name, 'color', l.color, 'created_at', l.created_at)
      ORDER BY l.created_at, l.id)
    FROM labels l WHERE l.room_id = @room), '[]')`

// boardCardsSQL reads a room's unarchived columns with their unarchived
// cards, each card's label IDs (in label order) and assignee IDs (in
// assignment order), and the room's version in the same snapshot. It
// starts from the room so that a room without columns still answers a row;
// the columns a left join leaves null (a room without columns, a column
// without cards) are coalesced, so that the rows scan into plain values
// (pointers made database/sql convert each value by reflection: 19 ms of
// a 4,000-card board's 32 ms in Go). A room without labels (the head's
// snapshot, checked by the version) skips the cards' label lookups.
// The details are subqueries per card, each an index lookup: aggregating
// them for the whole room first and joining is no faster on a big board,
// and on tables without statistics yet (a new database) the planner
// re-ran the aggregate for every card, 1.3 s for 400 cards.
const boardCardsSQL = `SELECT r.version, c.id, coalesce(c.name, ''), coalesce(c.position, 0),
  coalesce(c.created_at, r.created_at), coalesce(c.updated_at, r.created_at),
  k.id, coalesce(k.title, ''), coalesce(k.description, ''), coalesce(k.position, 0), k.created_by,
  coalesce(k.created_at, r.created_at), coalesce(k.updated_at, r.created_at),
  k.due_at, coalesce(k.due_complete, false), coalesce(k.comment_count, 0),
  CASE WHEN @labels THEN coalesce((SELECT string_agg(cl.label_id::text, ',' ORDER BY l.created_at, l.id)
    FROM card_labels cl JOIN labels l ON l.id = cl.label_id WHERE cl.card_id = k.id), '') ELSE '' END,
  coalesce((SELECT string_agg(ca.user_id::text, ',' ORDER BY ca.assigned_at, ca.user_id)
    FROM card_assignees ca WHERE ca.card_id = k.id), '')
FROM rooms r
LEFT JOIN columns c ON c.room_id = r.id AND c.archived_at IS NULL
LEFT JOIN cards k ON k.column_id = c.id AND k.archived_at IS NULL
WHERE r.id = @room
ORDER BY c.position, c.id, k.position, k.id`

// BoardHead reads the room through the caller's membership and the board's
// entity tag, in one statement.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) BoardHead(ctx context.Context, userID, roomID uuid.UUID) (BoardHead, error) {
	h, err := boardHead(s.db.WithContext(ctx), userID, roomID)
	return h, Classify(err)
}

func boardHead(db *gorm.DB, userID, roomID uuid.UUID) (BoardHead, error) {
	var (
		h       BoardHead
		members *time.Time
	)
	v := &h.View
	err := db.Raw(boardHeadSQL, userID, roomID).Row().
		Scan(&v.ID, &v.Name, &v.CreatedBy, &v.Version, &v.CreatedAt, &v.UpdatedAt, &v.Role, &members)
	if errors.Is(err, sql.ErrNoRows) {
		return BoardHead{}, Errorf(CodeNotFound, "room not found")
	}
	if err != nil {
		return BoardHead{}, fmt.Errorf("find room: %w", err)
	}
	if members != nil {
		h.membersUpdatedAt = *members
	}
	h.Tag = boardTag(h.View, h.membersUpdatedAt)
	return h, nil
}

// Board loads a room with its members (and their users) in join order, its
// labels, and its unarchived columns with their unarchived cards by
// position, in three statements whatever the board's size.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) Board(ctx context.Context, userID, roomID uuid.UUID) (RoomView, error) {
	_, board, err := s.BoardUnless(ctx, userID, roomID, nil)
	if err != nil {
		return RoomView{}, err
	}
	return *board, nil
}

// BoardUnless reads the board's head (BoardHead) and, unless known says the
// caller has the body of that head's tag already (a client's copy, a
// cache), the rest of it: board is nil when known said so. All of it on
// one pooled connection, taken once: a loaded pool serves a board after one
// wait, not one per statement.
//
// The rest is two more statements. They run outside a transaction (BEGIN
// and COMMIT would be two more round trips) and are checked instead: every
// change to a board moves the room's version in its own transaction, so
// when the last statement sees the head's version, nothing changed in
// between and the three reads agree; the members' latest change is
// compared the same way. A board that changed meanwhile is read again from
// its head, and the third time in one REPEATABLE READ transaction, where
// the reads cannot disagree. The board's Tag is then its own state's.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) BoardUnless(ctx context.Context, userID, roomID uuid.UUID, known func(BoardHead) bool) (head BoardHead, board *RoomView, err error) {
	err = s.db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
		if head, err = boardHead(conn, userID, roomID); err != nil {
			return err
		}
		if known != nil && known(head) {
			return nil
		}
		h := head
		for try := 0; try < 2; try++ {
			if try > 0 {
				if h, err = boardHead(conn, userID, roomID); err != nil {
					return err
				}
			}
			v, ok, err := boardRest(conn, h)
			if err != nil {
				return err
			}
			if ok {
				board = &v
				return nil
			}
		}
		return conn.Transaction(func(tx *gorm.DB) error {
			h, err := boardHead(tx, userID, roomID)
			if err != nil {
				return err
			}
			// One snapshot: the reads agree, so ok is true.
			v, _, err := boardRest(tx, h)
			board = &v
			return err
		}, readOnly)
	})
	return head, board, Classify(err)
}

// boardRest reads the members, labels, columns and cards of the board whose
// head is h. ok is false when they are not of h's state.
func boardRest(db *gorm.DB, h BoardHead) (v RoomView, ok bool, err error) {
	v = h.View
	args := map[string]any{"room": v.ID}
	var membersJSON, labelsJSON []byte
	if err := db.Raw(boardPeopleSQL, args).Row().Scan(&membersJSON, &labelsJSON); err != nil {
		return v, false, fmt.Errorf("board members and labels: %w", err)
	}
	var (
		members []struct {
			ID          uuid.UUID `json:"id"`
			Email       string    `json:"email"`
			DisplayName string    `json:"display_name"`
			CreatedAt   time.Time `json:"created_at"`
			UpdatedAt   time.Time `json:"updated_at"`
			Role        string    `json:"role"`
			JoinedAt    time.Time `json:"joined_at"`
		}
		labels []struct {
			ID        uuid.UUID `json:"id"`
			Name      string    `json:"name"`
			Color     string    `json:"color"`
			CreatedAt time.Time `json:"created_at"`
		}
		latest time.Time
	)
	if err := json.Unmarshal(membersJSON, &members); err != nil {
		return v, false, fmt.Errorf("board members: %w", err)
	}
	v.Members = make([]RoomMember, len(members))
	for i, m := range members {
		v.Members[i] = RoomMember{RoomID: v.ID, UserID: m.ID, Role: m.Role, JoinedAt: m.JoinedAt,
			User: User{ID: m.ID, Email: m.Email, DisplayName: m.DisplayName, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}}
		if m.UpdatedAt.After(latest) {
			latest = m.UpdatedAt
		}
	}
	if !latest.Equal(h.membersUpdatedAt) {
		return v, false, nil
	}
	if err := json.Unmarshal(labelsJSON, &labels); err != nil {
		return v, false, fmt.Errorf("board labels: %w", err)
	}
	v.Labels = make([]Label, len(labels))
	for i, l := range labels {
		v.Labels[i] = Label{ID: l.ID, RoomID: v.ID, Name: l.Name, Color: l.Color, CreatedAt: l.CreatedAt}
	}
	version, err := boardColumns(db, &v)
	if err != nil {
		return v, false, err
	}
	return v, version == h.View.Version, nil
}

// boardColumns reads the board's columns and cards into v, scanning each
// row by hand (a big board has thousands; reflection cost more than the
// query), and returns the room's version in the same snapshot.
func boardColumns(db *gorm.DB, v *RoomView) (int64, error) {
	rows, err := db.Raw(boardCardsSQL, map[string]any{"room": v.ID, "labels": len(v.Labels) > 0}).Rows()
	if err != nil {
		return 0, fmt.Errorf("board cards: %w", err)
	}
	defer rows.Close()
	var (
		version int64
		col     *Column
	)
	v.Columns = []Column{}
	for rows.Next() {
		var (
			colID, cardID, createdBy uuid.NullUUID
			column                   Column
			c                        Card
			pos, comments            int64
			due                      sql.NullTime
			labelIDs, assigneeIDs    string
		)
		if err := rows.Scan(&version, &colID, &column.Name, &pos, &column.CreatedAt, &column.UpdatedAt,
			&cardID, &c.Title, &c.Description, &c.Position, &createdBy, &c.CreatedAt, &c.UpdatedAt,
			&due, &c.DueComplete, &comments, &labelIDs, &assigneeIDs); err != nil {
			return 0, fmt.Errorf("board cards: %w", err)
		}
		if !colID.Valid {
			continue // a room without columns
		}
		if col == nil || col.ID != colID.UUID {
			column.ID, column.RoomID, column.Position, column.Cards = colID.UUID, v.ID, int(pos), []Card{}
			v.Columns = append(v.Columns, column)
			col = &v.Columns[len(v.Columns)-1]
		}
		if !cardID.Valid {
			continue // a column without cards
		}
		c.ID, c.ColumnID, c.CommentCount = cardID.UUID, col.ID, int(comments)
		if createdBy.Valid {
			c.CreatedBy = &createdBy.UUID
		}
		if due.Valid {
			c.DueAt = &due.Time
		}
		if c.LabelIDs, err = uuidList(labelIDs); err != nil {
			return 0, err
		}
		if c.AssigneeIDs, err = uuidList(assigneeIDs); err != nil {
			return 0, err
		}
		col.Cards = append(col.Cards, c)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("board cards: %w", err)
	}
	return version, nil
}

// uuidList parses the comma-separated IDs string_agg made ("": none).
func uuidList(s string) ([]uuid.UUID, error) {
	if s == "" {
		return []uuid.UUID{}, nil
	}
	parts := strings.Split(s, ",")
	ids := make([]uuid.UUID, len(parts))
	for i, p := range parts {
		id, err := uuid.Parse(p)
		if err != nil {
			return nil, fmt.Errorf("board card detail %q: %w", p, err)
		}
		ids[i] = id
	}
	return ids, nil
}
