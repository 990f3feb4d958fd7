package models

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// A board export is one room as a JSON document: everything the board
// holds (name, members and roles, labels, columns, cards with their labels,
// assignees and comments, archived ones included), with users named by
// email, since IDs mean nothing in another database. ExportRoom writes one,
// ImportRoom makes a new room from one. The format is documented in
// docs/EXPORT.md; what it leaves out (events, invitation links, presence)
// and why is in docs/DESIGN.md.

// ExportFormat and ExportVersion name the document format. A change that an
// older importer would misread (a new field, a new meaning) takes a new
// version; importers refuse versions they do not know.
const (
	ExportFormat  = "syncboard.board"
	ExportVersion = 1
)

// Export is a board export. The order of Columns, and of each column's
// Cards, is the board's order: the items on the board first, by position,
// then the archived ones, oldest archive first.
type Export struct {
	Format     string       `json:"format"`
	Version    int          `json:"version"`
	ExportedAt time.Time    `json:"exported_at"`
	Source     ExportSource `json:"source"`
	Name       string       `json:"name"`
	// Members in join order.
	Members []ExportMember `json:"members"`
	// Labels in creation order (the board's label order).
	Labels  []ExportLabel  `json:"labels"`
	Columns []ExportColumn `json:"columns"`
}

// ExportSource says where an export came from. An import ignores it: the
// new room has its own ID, creator, version and creation time.
type ExportSource struct {
	RoomID    uuid.UUID `json:"room_id"`
	Version   int64     `json:"version"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// ExportMember is a member of the room, by email. DisplayName is for the
// reader: an import never changes an account.
type ExportMember struct {
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Role        string    `json:"role"`
	JoinedAt    time.Time `json:"joined_at"`
}

// ExportLabel is a label of the room. ID is the label's ID in the source
// room, the key the cards' Labels refer to; an import gives it a new one.
type ExportLabel struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Color     string    `json:"color"`
	CreatedAt time.Time `json:"created_at"`
}

// ExportColumn is a column with its cards. Position is the column's
// position in the source room; an import numbers the columns on the board
// 0..n-1 in file order and keeps an archived column's (which means nothing
// until it is restored).
type ExportColumn struct {
	ID         uuid.UUID    `json:"id"`
	Name       string       `json:"name"`
	Position   int          `json:"position"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
	ArchivedAt *time.Time   `json:"archived_at"`
	Cards      []ExportCard `json:"cards"`
}

// ExportCard is a card with its details. CreatedBy is its author's email
// (empty once that account is gone); Labels are label IDs of the export,
// in label order; Assignees in assignment order; Comments oldest first.
// Position works as a column's does, per column.
type ExportCard struct {
	ID          uuid.UUID        `json:"id"`
	Title       string           `json:"title"`
	Description string           `json:"description"`
	Position    int              `json:"position"`
	CreatedBy   string           `json:"created_by"`
	CreatedAt   time.Time        `json:"created_at"`
	UpdatedAt   time.Time        `json:"updated_at"`
	DueAt       *time.Time       `json:"due_at"`
	DueComplete bool             `json:"due_complete"`
	ArchivedAt  *time.Time       `json:"archived_at"`
	Labels      []uuid.UUID      `json:"labels"`
	Assignees   []ExportAssignee `json:"assignees"`
	Comments    []ExportComment  `json:"comments"`
}

// ExportAssignee is a member assigned to a card, since AssignedAt.
type ExportAssignee struct {
	Email      string    `json:"email"`
	AssignedAt time.Time `json:"assigned_at"`
}

// ExportComment is a comment on a card by Author (an email).
type ExportComment struct {
	ID        uuid.UUID `json:"id"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Encode writes the export as indented JSON.
func (e Export) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // the file is read by people and importers, never put in a page
	return enc.Encode(e)
}

// DecodeExport reads one export made by Encode (or by hand, to the same
// format) and checks its format and version before anything else, so a
// file from a newer SyncBoard is refused as such rather than as a pile of
// unknown fields. Fields the version does not have are refused too: a
// misspelt key must not silently lose what it held. It does not check the
// board's rules; ImportRoom does (Export.Validate).
//
// Errors: CodeBadRequest.
func DecodeExport(r io.Reader) (Export, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return Export{}, fmt.Errorf("read the export: %w", err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return Export{}, Errorf(CodeBadRequest, "the export is empty: expected a %s JSON document", ExportFormat)
	}
	// Unmarshal reads the whole input as one value: anything after the
	// document is an error here too.
	var head struct {
		Format  *string          `json:"format"`
		Version *json.RawMessage `json:"version"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return Export{}, &Error{Code: CodeBadRequest, Message: "the export is not valid JSON: " + jsonProblem(raw, err), Err: err}
		}
		return Export{}, &Error{Code: CodeBadRequest, Message: "not a SyncBoard board export: " + jsonProblem(raw, err), Err: err}
	}
	switch {
	case head.Format == nil:
		return Export{}, Errorf(CodeBadRequest, "not a SyncBoard board export: it has no \"format\" (want %q)", ExportFormat)
	case *head.Format != ExportFormat:
		return Export{}, Errorf(CodeBadRequest, "not a SyncBoard board export: its format is %q, want %q", *head.Format, ExportFormat)
	case head.Version == nil:
		return Export{}, Errorf(CodeBadRequest, "the export has no \"version\"")
	}
	var version int
	if err := json.Unmarshal(*head.Version, &version); err != nil {
		return Export{}, Errorf(CodeBadRequest, "the export's version is %s, not a whole number", *head.Version)
	}
	if version != ExportVersion {
		return Export{}, Errorf(CodeBadRequest,
			"the export is %s version %d, and this SyncBoard reads version %d only: import it with the SyncBoard release that exported it, or a newer one",
			ExportFormat, version, ExportVersion)
	}
	var e Export
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return Export{}, &Error{Code: CodeBadRequest, Message: "the export does not match " + ExportFormat + " version 1: " + jsonProblem(raw, err), Err: err}
	}
	return e, nil
}

// jsonProblem says what is wrong with raw, and where (line and column)
// when encoding/json knows the offset.
func jsonProblem(raw []byte, err error) string {
	var offset int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if offset < 0 || offset > int64(len(raw)) {
		return msg
	}
	before := raw[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - (bytes.LastIndexByte(before, '\n') + 1)
	return fmt.Sprintf("%s (line %d, column %d)", msg, line, col)
}

// ExportRoom reads a room and everything on its board, archived items
// included, as an Export, from one snapshot (a REPEATABLE READ, read-only
// transaction), whoever asks: an operator's entry point (syncboard
// export), not the API's.
//
// Errors: CodeNotFound, CodeUnavailable.
func (s *Store) ExportRoom(ctx context.Context, roomID uuid.UUID) (Export, error) {
	var e Export
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		e, err = exportRoom(tx, roomID)
		return err
	}, readOnly)
	return e, err
}

func exportRoom(tx *gorm.DB, roomID uuid.UUID) (Export, error) {
	var room struct {
		Room
		CreatorEmail string
	}
	err := tx.Model(&Room{}).Select("rooms.*, users.email AS creator_email").
		Joins("LEFT JOIN users ON users.id = rooms.created_by").
		Where("rooms.id = ?", roomID).Take(&room).Error
	if err != nil {
		return Export{}, notFound(err, "room")
	}
	e := Export{
		Format: ExportFormat, Version: ExportVersion, ExportedAt: tx.NowFunc().UTC(),
		Source: ExportSource{RoomID: room.ID, Version: room.Version, CreatedBy: room.CreatorEmail, CreatedAt: room.CreatedAt.UTC()},
		Name:   room.Name,
		// Never null in the file: an empty list reads as one.
		Members: []ExportMember{}, Labels: []ExportLabel{}, Columns: []ExportColumn{},
	}
	// Ties in time are broken by what survives an import (emails, names),
	// not by IDs, so an import exports in the same order again.
	if err := tx.Model(&RoomMember{}).
		Select("users.email, users.display_name, room_members.role, room_members.joined_at").
		Joins("JOIN users ON users.id = room_members.user_id").
		Where("room_members.room_id = ?", roomID).Order("room_members.joined_at, users.email").
		Scan(&e.Members).Error; err != nil {
		return Export{}, fmt.Errorf("export members: %w", err)
	}
	if err := tx.Model(&Label{}).Select("id, name, color, created_at").Where("room_id = ?", roomID).
		Order("created_at, lower(name)").Scan(&e.Labels).Error; err != nil {
		return Export{}, fmt.Errorf("export labels: %w", err)
	}
	var columns []Column
	if err := tx.Where("room_id = ?", roomID).Find(&columns).Error; err != nil {
		return Export{}, fmt.Errorf("export columns: %w", err)
	}
	var cards []struct {
		Card
		CreatorEmail *string
	}
	if err := tx.Model(&Card{}).
		Select(`cards.id, cards.column_id, cards.title, cards.description, cards.position, cards.created_by,
cards.created_at, cards.updated_at, cards.due_at, cards.due_complete, cards.archived_at, users.email AS creator_email`).
		Joins("JOIN columns ON columns.id = cards.column_id").
		Joins("LEFT JOIN users ON users.id = cards.created_by").
		Where("columns.room_id = ?", roomID).Scan(&cards).Error; err != nil {
		return Export{}, fmt.Errorf("export cards: %w", err)
	}
	var labelled []struct{ CardID, LabelID uuid.UUID }
	if err := tx.Model(&CardLabel{}).Select("card_labels.card_id, card_labels.label_id").
		Joins("JOIN labels ON labels.id = card_labels.label_id").
		Where("labels.room_id = ?", roomID).Scan(&labelled).Error; err != nil {
		return Export{}, fmt.Errorf("export card labels: %w", err)
	}
	var assigned []struct {
		CardID     uuid.UUID
		Email      string
		AssignedAt time.Time
	}
	if err := tx.Model(&CardAssignee{}).Select("card_assignees.card_id, users.email, card_assignees.assigned_at").
		Joins("JOIN users ON users.id = card_assignees.user_id").
		Joins("JOIN cards ON cards.id = card_assignees.card_id").
		Joins("JOIN columns ON columns.id = cards.column_id").
		Where("columns.room_id = ?", roomID).Order("card_assignees.assigned_at, users.email").
		Scan(&assigned).Error; err != nil {
		return Export{}, fmt.Errorf("export assignees: %w", err)
	}
	var comments []struct {
		ID, CardID           uuid.UUID
		Email, Body          string
		CreatedAt, UpdatedAt time.Time
	}
	// The order commentWritten copies the bodies in, so the search text
	// an import rebuilds is the same.
	if err := tx.Model(&Comment{}).
		Select("comments.id, comments.card_id, users.email, comments.body, comments.created_at, comments.updated_at").
		Joins("JOIN users ON users.id = comments.author_id").
		Joins("JOIN cards ON cards.id = comments.card_id").
		Joins("JOIN columns ON columns.id = cards.column_id").
		Where("columns.room_id = ?", roomID).Order("comments.created_at, comments.id").
		Scan(&comments).Error; err != nil {
		return Export{}, fmt.Errorf("export comments: %w", err)
	}

	labelRank := make(map[uuid.UUID]int, len(e.Labels))
	for i := range e.Labels {
		e.Labels[i].CreatedAt = e.Labels[i].CreatedAt.UTC()
		labelRank[e.Labels[i].ID] = i
	}
	for i := range e.Members {
		e.Members[i].JoinedAt = e.Members[i].JoinedAt.UTC()
	}
	byCard := make(map[uuid.UUID]*ExportCard, len(cards))
	byColumn := make(map[uuid.UUID][]*ExportCard, len(columns))
	for _, c := range cards {
		ec := &ExportCard{
			ID: c.ID, Title: c.Title, Description: c.Description, Position: c.Position,
			CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(), DueAt: utc(c.DueAt),
			DueComplete: c.DueComplete, ArchivedAt: utc(c.ArchivedAt),
			Labels: []uuid.UUID{}, Assignees: []ExportAssignee{}, Comments: []ExportComment{},
		}
		if c.CreatorEmail != nil {
			ec.CreatedBy = *c.CreatorEmail
		}
		byCard[c.ID] = ec
		byColumn[c.ColumnID] = append(byColumn[c.ColumnID], ec)
	}
	for _, l := range labelled {
		if ec := byCard[l.CardID]; ec != nil {
			ec.Labels = append(ec.Labels, l.LabelID)
		}
	}
	for _, ec := range byCard {
		sort.Slice(ec.Labels, func(i, j int) bool { return labelRank[ec.Labels[i]] < labelRank[ec.Labels[j]] })
	}
	for _, a := range assigned {
		if ec := byCard[a.CardID]; ec != nil {
			ec.Assignees = append(ec.Assignees, ExportAssignee{Email: a.Email, AssignedAt: a.AssignedAt.UTC()})
		}
	}
	for _, c := range comments {
		if ec := byCard[c.CardID]; ec != nil {
			ec.Comments = append(ec.Comments, ExportComment{ID: c.ID, Author: c.Email, Body: c.Body,
				CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()})
		}
	}

	sortBoardOrder(columns, func(c Column) (*time.Time, int, uuid.UUID) { return c.ArchivedAt, c.Position, c.ID })
	for _, c := range columns {
		ecards := byColumn[c.ID]
		sortBoardOrder(ecards, func(c *ExportCard) (*time.Time, int, uuid.UUID) { return c.ArchivedAt, c.Position, c.ID })
		col := ExportColumn{ID: c.ID, Name: c.Name, Position: c.Position, CreatedAt: c.CreatedAt.UTC(),
			UpdatedAt: c.UpdatedAt.UTC(), ArchivedAt: utc(c.ArchivedAt), Cards: make([]ExportCard, len(ecards))}
		for i, ec := range ecards {
			col.Cards[i] = *ec
		}
		e.Columns = append(e.Columns, col)
	}
	return e, nil
}

// sortBoardOrder sorts items into the board's order: those on the board
// (archived nil) by position, then the archived ones, oldest archive first
// (then by their last position).
func sortBoardOrder[T any](items []T, key func(T) (archived *time.Time, pos int, id uuid.UUID)) {
	sort.SliceStable(items, func(i, j int) bool {
		ai, pi, ii := key(items[i])
		aj, pj, ij := key(items[j])
		switch {
		case (ai == nil) != (aj == nil):
			return ai == nil
		case ai != nil && !ai.Equal(*aj):
			return ai.Before(*aj)
		case pi != pj:
			return pi < pj
		}
		return bytes.Compare(ii[:], ij[:]) < 0
	})
}
