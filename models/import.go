package models

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The limits an import holds a board to: the API's (handlers' field
// limits), so an imported board is one the API could have made.
const (
	importMaxNameChars        = 200
	importMaxTitleChars       = 200
	importMaxDescriptionChars = 10_000
	importMaxLabelChars       = 50
	importMaxCommentChars     = 5_000
	importMaxEmailChars       = 254
	// importMaxProblems bounds the problems one refusal lists: a file
	// wrong everywhere is wrong enough after twenty.
	importMaxProblems = 20
)

// Imported is what ImportRoom made: the new room as its owner sees it, what
// it holds, and the users the export names who have no account here.
type Imported struct {
	Room                                      RoomView
	Members, Labels, Columns, Cards, Comments int
	// Missing lists, by email, each user the export names with no account
	// in this database, and what became of what they held.
	Missing []MissingUser
}

// MissingUser is an email the export names that no account here has. Role
// is the membership dropped ("" when they were not a member); Assigned the
// card assignments dropped; Authored the comments kept under the
// importer's name, with a first line naming the email; Created the cards
// kept with no author (as if the account had been deleted).
type MissingUser struct {
	Email    string
	Role     string
	Assigned int
	Authored int
	Created  int
}

// CommentNote is the first line of a comment whose author has no account
// here: the comment is kept, the importer its author, this line saying who
// wrote it.
func CommentNote(email string) string {
	return fmt.Sprintf("[Imported comment by %s, who has no account here.]\n", email)
}

// Validate checks the export against the rules of a board: its format and
// version, and each field as the API would (lengths, colors, roles, one
// label name per room regardless of case, cards' labels and assignees that
// the export holds), naming each problem by its place in the file
// ("columns[1].cards[0].title").
//
// Errors: CodeBadRequest (format, version), CodeValidationFailed.
func (e Export) Validate() error {
	if e.Format != ExportFormat || e.Version != ExportVersion {
		return Errorf(CodeBadRequest, "not a %s version %d export (format %q, version %d)", ExportFormat, ExportVersion, e.Format, e.Version)
	}
	p := importProblems{}
	p.text("name", e.Name, importMaxNameChars)
	members := make(map[string]bool, len(e.Members))
	for i, m := range e.Members {
		at := fmt.Sprintf("members[%d]", i)
		email := normalEmail(m.Email)
		p.text(at+".email", m.Email, importMaxEmailChars)
		if members[email] {
			p.add(at+".email", "is listed twice")
		}
		members[email] = true
		if !ValidRole(m.Role) {
			p.add(at+".role", "must be owner, member or viewer")
		}
	}
	labels := make(map[uuid.UUID]bool, len(e.Labels))
	names := make(map[string]bool, len(e.Labels))
	for i, l := range e.Labels {
		at := fmt.Sprintf("labels[%d]", i)
		if l.ID == uuid.Nil || labels[l.ID] {
			p.add(at+".id", "must be a UUID no other label has")
		}
		labels[l.ID] = true
		p.text(at+".name", l.Name, importMaxLabelChars)
		if names[strings.ToLower(l.Name)] {
			p.add(at+".name", "another label has this name (names are unique regardless of case)")
		}
		names[strings.ToLower(l.Name)] = true
		if !ValidColor(l.Color) {
			p.add(at+".color", "must be one of "+strings.Join(LabelColors, ", "))
		}
	}
	for i, c := range e.Columns {
		at := fmt.Sprintf("columns[%d]", i)
		p.text(at+".name", c.Name, importMaxNameChars)
		p.position(at+".position", c.Position)
		for j, card := range c.Cards {
			at := fmt.Sprintf("%s.cards[%d]", at, j)
			p.text(at+".title", card.Title, importMaxTitleChars)
			if utf8.RuneCountInString(card.Description) > importMaxDescriptionChars || !utf8.ValidString(card.Description) ||
				strings.ContainsRune(card.Description, 0) {
				p.add(at+".description", fmt.Sprintf("must be valid UTF-8 with no NUL, at most %d characters", importMaxDescriptionChars))
			}
			p.position(at+".position", card.Position)
			seen := map[uuid.UUID]bool{}
			for k, id := range card.Labels {
				if !labels[id] || seen[id] {
					p.add(fmt.Sprintf("%s.labels[%d]", at, k), "must be the ID of a label of the export, once")
				}
				seen[id] = true
			}
			assigned := map[string]bool{}
			for k, a := range card.Assignees {
				email := normalEmail(a.Email)
				if !members[email] || assigned[email] {
					p.add(fmt.Sprintf("%s.assignees[%d].email", at, k), "must be a member of the export, once")
				}
				assigned[email] = true
			}
			for k, cm := range card.Comments {
				at := fmt.Sprintf("%s.comments[%d]", at, k)
				p.text(at+".body", cm.Body, importMaxCommentChars)
				if normalEmail(cm.Author) == "" {
					p.add(at+".author", "is required")
				}
			}
		}
	}
	return p.err()
}

// importProblems collects Validate's problems, field by field.
type importProblems map[string]string

func (p importProblems) add(field, problem string) {
	if _, ok := p[field]; !ok && len(p) < importMaxProblems {
		p[field] = problem
	}
}

// text checks a required text field as the API does (handlers' problems.text):
// valid UTF-8, no NUL, not blank, at most hi characters. It does not trim:
// an import keeps the text as it was.
func (p importProblems) text(field, v string, hi int) {
	switch {
	case !utf8.ValidString(v):
		p.add(field, "must be valid UTF-8")
	case strings.ContainsRune(v, 0):
		p.add(field, "must not contain NUL characters")
	case strings.TrimSpace(v) == "":
		p.add(field, "must not be empty")
	case utf8.RuneCountInString(v) > hi:
		p.add(field, fmt.Sprintf("must be at most %d characters", hi))
	}
}

// position checks a position the database can hold.
func (p importProblems) position(field string, pos int) {
	if pos < 0 || pos > math.MaxInt32 {
		p.add(field, "must be a whole number from 0 to 2147483647")
	}
}

func (p importProblems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: CodeValidationFailed, Message: "the export breaks a rule of the board; see fields", Fields: p}
}

func normalEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ImportRoom makes a new room from an export, in one transaction (all of
// it or nothing), owned by ownerID: the room is at version 1 with no events,
// like any new room, created now by the owner; everything on it gets a new
// ID and keeps its times. Columns and cards on the board are numbered
// 0..n-1 in the export's order; archived ones keep their positions, out of
// the sequence. Users are matched by email: a member with an account here
// joins with their role (owners stay owners), and the importer is an owner
// whatever the export says. What names an email with no account here is
// reported in Missing: the membership and the assignments are dropped, the
// cards kept with no author, the comments kept under the importer's name
// with CommentNote first. Comment counts and the search text are rebuilt
// as the comment writes keep them. Every member's own stream hears of the
// new room.
//
// Errors: CodeBadRequest, CodeValidationFailed, CodeNotFound (no such
// owner), CodeUnavailable.
func (s *Store) ImportRoom(ctx context.Context, ownerID uuid.UUID, e Export) (Imported, error) {
	if err := e.Validate(); err != nil {
		return Imported{}, err
	}
	var out Imported
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = importRoom(tx, ownerID, e)
		return err
	})
	return out, err
}

func importRoom(tx *gorm.DB, ownerID uuid.UUID, e Export) (Imported, error) {
	// The owner's row FOR SHARE: the account cannot go while it gets a room.
	var owner User
	if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Take(&owner, "id = ?", ownerID).Error; err != nil {
		return Imported{}, notFound(err, "owner")
	}
	users, err := usersByEmail(tx, e)
	if err != nil {
		return Imported{}, err
	}
	missing := map[string]*MissingUser{}
	miss := func(email string) *MissingUser {
		email = normalEmail(email)
		if missing[email] == nil {
			missing[email] = &MissingUser{Email: email}
		}
		return missing[email]
	}

	now := tx.NowFunc()
	room := Room{Name: e.Name, CreatedBy: owner.ID, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := tx.Omit(clause.Associations).Create(&room).Error; err != nil {
		return Imported{}, fmt.Errorf("import room: %w", err)
	}

	var members []RoomMember
	isMember := map[uuid.UUID]bool{}
	for _, m := range e.Members {
		id, ok := users[normalEmail(m.Email)]
		if !ok {
			miss(m.Email).Role = m.Role
			continue
		}
		role := m.Role
		if id == owner.ID {
			role = RoleOwner
		}
		members = append(members, RoomMember{RoomID: room.ID, UserID: id, Role: role, JoinedAt: orNow(m.JoinedAt, now)})
		isMember[id] = true
	}
	if !isMember[owner.ID] {
		members = append(members, RoomMember{RoomID: room.ID, UserID: owner.ID, Role: RoleOwner, JoinedAt: now})
		isMember[owner.ID] = true
	}
	if err := createAll(tx, &members); err != nil {
		return Imported{}, fmt.Errorf("import members: %w", err)
	}

	labelIDs := make(map[uuid.UUID]uuid.UUID, len(e.Labels))
	labels := make([]Label, len(e.Labels))
	for i, l := range e.Labels {
		labels[i] = Label{ID: uuid.New(), RoomID: room.ID, Name: l.Name, Color: l.Color, CreatedAt: orNow(l.CreatedAt, now)}
		labelIDs[l.ID] = labels[i].ID
	}
	if err := createAll(tx, &labels); err != nil {
		return Imported{}, fmt.Errorf("import labels: %w", err)
	}

	var (
		columns   []Column
		cards     []Card
		cardLabel []CardLabel
		assignees []CardAssignee
		comments  []Comment
	)
	onBoard := 0
	for _, ec := range e.Columns {
		col := Column{ID: uuid.New(), RoomID: room.ID, Name: ec.Name, Position: ec.Position,
			CreatedAt: orNow(ec.CreatedAt, now), UpdatedAt: orNow(ec.UpdatedAt, now), ArchivedAt: ec.ArchivedAt}
		if col.ArchivedAt == nil {
			col.Position = onBoard
			onBoard++
		}
		columns = append(columns, col)
		cardsOnBoard := 0
		for _, c := range ec.Cards {
			card := Card{ID: uuid.New(), ColumnID: col.ID, Title: c.Title, Description: c.Description, Position: c.Position,
				CreatedAt: orNow(c.CreatedAt, now), UpdatedAt: orNow(c.UpdatedAt, now),
				DueAt: c.DueAt, DueComplete: c.DueComplete, ArchivedAt: c.ArchivedAt}
			if card.ArchivedAt == nil {
				card.Position = cardsOnBoard
				cardsOnBoard++
			}
			if c.CreatedBy != "" {
				if id, ok := users[normalEmail(c.CreatedBy)]; ok {
					card.CreatedBy = &id
				} else {
					miss(c.CreatedBy).Created++
				}
			}
			cards = append(cards, card)
			for _, l := range c.Labels {
				cardLabel = append(cardLabel, CardLabel{CardID: card.ID, LabelID: labelIDs[l]})
			}
			for _, a := range c.Assignees {
				id, ok := users[normalEmail(a.Email)]
				if !ok || !isMember[id] {
					miss(a.Email).Assigned++
					continue
				}
				assignees = append(assignees, CardAssignee{CardID: card.ID, UserID: id, AssignedAt: orNow(a.AssignedAt, now)})
			}
			for _, cm := range c.Comments {
				comment := Comment{ID: uuid.New(), CardID: card.ID, Body: cm.Body,
					CreatedAt: orNow(cm.CreatedAt, now), UpdatedAt: orNow(cm.UpdatedAt, now)}
				if id, ok := users[normalEmail(cm.Author)]; ok {
					comment.AuthorID = id
				} else {
					miss(cm.Author).Authored++
					comment.AuthorID = owner.ID
					comment.Body = CommentNote(normalEmail(cm.Author)) + cm.Body
				}
				comments = append(comments, comment)
			}
		}
	}
	for _, step := range []struct {
		what string
		rows any
	}{{"columns", &columns}, {"cards", &cards}, {"card labels", &cardLabel}, {"assignees", &assignees}, {"comments", &comments}} {
		if err := createAll(tx, step.rows); err != nil {
			return Imported{}, fmt.Errorf("import %s: %w", step.what, err)
		}
	}
	// What commentWritten keeps for each comment write, for all the cards
	// with comments at once: the count and the text the search vector
	// reads, in its order. (The others keep their defaults, 0 and ''.)
	if err := tx.Exec(`UPDATE cards SET comment_count = agg.n, comments_text = agg.text
FROM (SELECT comments.card_id, count(*) AS n, string_agg(comments.body, E'\n' ORDER BY comments.created_at, comments.id) AS text
  FROM comments JOIN cards ON cards.id = comments.card_id JOIN columns ON columns.id = cards.column_id
  WHERE columns.room_id = ? GROUP BY comments.card_id) AS agg
WHERE cards.id = agg.card_id`, room.ID).Error; err != nil {
		return Imported{}, fmt.Errorf("import comment counts: %w", err)
	}
	ids := make([]uuid.UUID, len(members))
	for i, m := range members {
		ids[i] = m.UserID
	}
	if err := notifyUsers(tx, UserRoomAdded, room.ID, ids...); err != nil {
		return Imported{}, err
	}

	out := Imported{Room: RoomView{Room: room, Role: RoleOwner}, Members: len(members), Labels: len(labels),
		Columns: len(columns), Cards: len(cards), Comments: len(comments)}
	for _, m := range e.Members { // the report in the export's order
		if mu := missing[normalEmail(m.Email)]; mu != nil {
			out.Missing = append(out.Missing, *mu)
			delete(missing, mu.Email)
		}
	}
	for _, ec := range e.Columns {
		for _, c := range ec.Cards {
			for _, email := range append([]string{c.CreatedBy}, commentAuthors(c)...) {
				if mu := missing[normalEmail(email)]; mu != nil {
					out.Missing = append(out.Missing, *mu)
					delete(missing, mu.Email)
				}
			}
		}
	}
	return out, nil
}

func commentAuthors(c ExportCard) []string {
	out := make([]string, len(c.Comments))
	for i, cm := range c.Comments {
		out[i] = cm.Author
	}
	return out
}

// usersByEmail finds the accounts of every email the export names, in one
// query (by lower(email), the unique index's expression), and locks them
// FOR SHARE so none goes before the import commits.
func usersByEmail(tx *gorm.DB, e Export) (map[string]uuid.UUID, error) {
	set := map[string]bool{}
	add := func(email string) {
		if email = normalEmail(email); email != "" {
			set[email] = true
		}
	}
	for _, m := range e.Members {
		add(m.Email)
	}
	for _, c := range e.Columns {
		for _, card := range c.Cards {
			add(card.CreatedBy)
			for _, a := range card.Assignees {
				add(a.Email)
			}
			for _, cm := range card.Comments {
				add(cm.Author)
			}
		}
	}
	emails := make([]string, 0, len(set))
	for email := range set {
		emails = append(emails, email)
	}
	users := make(map[string]uuid.UUID, len(emails))
	if len(emails) == 0 {
		return users, nil
	}
	var found []User
	if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Select("id, email").
		Where("lower(email) IN ?", emails).Order("id").Find(&found).Error; err != nil {
		return nil, fmt.Errorf("find the export's users: %w", err)
	}
	for _, u := range found {
		users[normalEmail(u.Email)] = u.ID
	}
	return users, nil
}

// createAll inserts rows (a pointer to a slice of models) as they are, in
// batches, leaving their associations alone; an empty slice is no query.
func createAll(tx *gorm.DB, rows any) error {
	if reflect.ValueOf(rows).Elem().Len() == 0 {
		return nil // GORM refuses an empty batch
	}
	return tx.Omit(clause.Associations).CreateInBatches(rows, 500).Error
}

// orNow is t, or now when the export left the time out.
func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}
