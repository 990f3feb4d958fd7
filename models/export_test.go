package models_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

// richBoard is a board with something of everything an export holds.
type richBoard struct {
	room                  uuid.UUID
	owner, member, viewer models.User
}

// seedRich builds, through the Store as the API would, a board with three
// members (owner, member, viewer), three labels, columns on the board and
// an archived one with its cards, an archived card, due dates (one done),
// labels and assignees on cards, and comments by two users, one edited.
func seedRich(t *testing.T, ctx context.Context, db *gorm.DB, store *models.Store) richBoard {
	t.Helper()
	tag := uuid.NewString()[:8]
	b := richBoard{
		owner:  newUser(t, db, "ann-"+tag+"@example.test"),
		member: newUser(t, db, "bob-"+tag+"@example.test"),
		viewer: newUser(t, db, "cy-"+tag+"@example.test"),
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	room, err := store.CreateRoom(ctx, b.owner.ID, "Launch «β»")
	must(err)
	b.room = room.ID
	_, err = store.AddMember(ctx, b.owner.ID, room.ID, b.member.Email, models.RoleMember)
	must(err)
	_, err = store.AddMember(ctx, b.owner.ID, room.ID, b.viewer.Email, models.RoleViewer)
	must(err)
	var labels []models.Label
	for _, l := range []models.NewLabel{{Name: "bug", Color: "red"}, {Name: "Feature", Color: "green"}, {Name: "urgent", Color: "orange"}} {
		label, err := store.CreateLabel(ctx, b.owner.ID, room.ID, l)
		must(err)
		labels = append(labels, label)
	}
	cols := map[string]models.Column{}
	for _, name := range []string{"To do", "Doing", "Done", "Old"} {
		c, err := store.CreateColumn(ctx, b.owner.ID, room.ID, name, nil)
		must(err)
		cols[name] = c
	}
	card := func(col, title, desc string, by uuid.UUID) models.Card {
		t.Helper()
		c, err := store.CreateCard(ctx, by, cols[col].ID, models.NewCard{Title: title, Description: desc})
		must(err)
		return c
	}
	write := card("To do", "Write the launch post", "Draft in *Markdown*.\nTwo lines, a tab\there.", b.owner.ID)
	review := card("To do", "Review", "", b.member.ID)
	gone := card("To do", "Old idea", "archived on its own", b.member.ID)
	ship := card("Doing", "Ship it", "", b.owner.ID)
	card("Done", "Kick-off", "", b.member.ID)
	inOld1 := card("Old", "Legacy A", "", b.owner.ID)
	card("Old", "Legacy B", "", b.member.ID)

	due := time.Date(2027, 3, 14, 15, 9, 26, 535000000, time.UTC)
	done := true
	_, err = store.UpdateCard(ctx, b.owner.ID, write.ID, models.CardUpdate{SetDue: true, DueAt: &due})
	must(err)
	_, err = store.UpdateCard(ctx, b.owner.ID, ship.ID, models.CardUpdate{SetDue: true, DueAt: &due, DueComplete: &done})
	must(err)
	for _, on := range []struct {
		card  uuid.UUID
		label int
	}{{write.ID, 2}, {write.ID, 0}, {review.ID, 1}, {gone.ID, 0}, {inOld1.ID, 1}} {
		_, err = store.SetCardLabel(ctx, b.owner.ID, on.card, labels[on.label].ID, true)
		must(err)
	}
	for _, a := range []struct{ card, user uuid.UUID }{{write.ID, b.member.ID}, {write.ID, b.owner.ID}, {gone.ID, b.member.ID}, {inOld1.ID, b.viewer.ID}} {
		_, err = store.SetCardAssignee(ctx, b.owner.ID, a.card, a.user, true)
		must(err)
	}
	first, err := store.CreateComment(ctx, b.owner.ID, write.ID, "first draft is up")
	must(err)
	_, err = store.CreateComment(ctx, b.member.ID, write.ID, "looks good, one typo")
	must(err)
	_, err = store.CreateComment(ctx, b.viewer.ID, write.ID, "a viewer's zebra remark")
	must(err)
	_, err = store.UpdateComment(ctx, b.owner.ID, first.ID, "first draft is up (edited)")
	must(err)
	_, err = store.CreateComment(ctx, b.member.ID, gone.ID, "archiving this")
	must(err)
	_, err = store.CreateComment(ctx, b.member.ID, inOld1.ID, "from the old days")
	must(err)

	_, err = store.ArchiveCard(ctx, b.member.ID, gone.ID)
	must(err)
	_, err = store.ArchiveColumn(ctx, b.owner.ID, cols["Old"].ID)
	must(err)
	return b
}

// normalized is an export with what an import changes on purpose taken
// out: the export's time and source, every ID (labels become their index),
// and the importer's own membership when the importer was not a member.
func normalized(t *testing.T, e models.Export, importer string) string {
	t.Helper()
	e.ExportedAt, e.Source = time.Time{}, models.ExportSource{}
	index := map[uuid.UUID]uuid.UUID{}
	for i := range e.Labels {
		index[e.Labels[i].ID] = uuid.UUID{byte(i + 1)}
		e.Labels[i].ID = index[e.Labels[i].ID]
	}
	var members []models.ExportMember
	for _, m := range e.Members {
		if m.Email != importer {
			members = append(members, m)
		}
	}
	e.Members = members
	for i := range e.Columns {
		c := &e.Columns[i]
		c.ID = uuid.Nil
		for j := range c.Cards {
			card := &c.Cards[j]
			card.ID = uuid.Nil
			for k := range card.Labels {
				card.Labels[k] = index[card.Labels[k]]
			}
			for k := range card.Comments {
				card.Comments[k].ID = uuid.Nil
			}
		}
	}
	out, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// viaJSON sends the export through its file format, as the CLI does.
func viaJSON(t *testing.T, e models.Export) models.Export {
	t.Helper()
	var buf bytes.Buffer
	if err := e.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := models.DecodeExport(&buf)
	if err != nil {
		t.Fatalf("decode what Encode wrote: %v\n%s", err, buf.String())
	}
	return back
}

// firstDiff is the first line where a and b differ, with its neighbours.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) || i < len(lb); i++ {
		if i >= len(la) || i >= len(lb) || la[i] != lb[i] {
			lo := max(0, i-3)
			return fmt.Sprintf("line %d:\n--- first\n%s\n--- second\n%s", i+1,
				strings.Join(la[lo:min(len(la), i+3)], "\n"), strings.Join(lb[lo:min(len(lb), i+3)], "\n"))
		}
	}
	return ""
}

func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, dbURL := testdb.Open(t)
	store := models.NewStore(db)
	b := seedRich(t, ctx, db, store)

	first, err := store.ExportRoom(ctx, b.room)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(first.Columns); n != 4 || len(first.Members) != 3 || len(first.Labels) != 3 {
		t.Fatalf("export holds %d columns, %d members, %d labels; want 4, 3, 3", n, len(first.Members), len(first.Labels))
	}
	if first.Source.RoomID != b.room || first.Source.CreatedBy != b.owner.Email || first.Format != "syncboard.board" || first.Version != 1 {
		t.Errorf("export header = %q v%d from %+v", first.Format, first.Version, first.Source)
	}
	if last := first.Columns[3]; last.Name != "Old" || last.ArchivedAt == nil || len(last.Cards) != 2 {
		t.Errorf("last column = %+v, want the archived Old with its two cards", last)
	}
	if todo := first.Columns[0]; len(todo.Cards) != 3 || todo.Cards[2].Title != "Old idea" || todo.Cards[2].ArchivedAt == nil {
		t.Errorf("To do's cards = %+v, want the archived card last", todo.Cards)
	}

	importer := newUser(t, db, "dee-"+uuid.NewString()[:8]+"@example.test")
	listener, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close(ctx)
	if _, err := listener.Exec(ctx, "LISTEN "+models.UserChannel); err != nil {
		t.Fatal(err)
	}
	got, err := store.ImportRoom(ctx, importer.ID, viaJSON(t, first))
	if err != nil {
		t.Fatal(err)
	}
	// Every member's own stream hears of the new room, on commit.
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n, err := listener.WaitForNotification(waitCtx)
	if err != nil {
		t.Fatal(err)
	}
	notice, err := models.ParseUserNotice(n.Payload)
	if err != nil || notice.Kind != models.UserRoomAdded || notice.Room != got.Room.ID || len(notice.Users) != 4 {
		t.Errorf("notice after the import = %+v, %v; want room.added for the new room's 4 members", notice, err)
	}
	if len(got.Missing) != 0 {
		t.Errorf("missing = %+v, want none: every user exists here", got.Missing)
	}
	if got.Room.ID == b.room || got.Room.Version != 1 || got.Room.CreatedBy != importer.ID || got.Room.Role != models.RoleOwner {
		t.Errorf("imported room = %+v, want a new room at version 1 created by the importer, who owns it", got.Room)
	}
	if got.Members != 4 || got.Labels != 3 || got.Columns != 4 || got.Cards != 7 || got.Comments != 5 {
		t.Errorf("imported %d members, %d labels, %d columns, %d cards, %d comments; want 4, 3, 4, 7, 5",
			got.Members, got.Labels, got.Columns, got.Cards, got.Comments)
	}

	second, err := store.ExportRoom(ctx, got.Room.ID)
	if err != nil {
		t.Fatal(err)
	}
	if second.Source.CreatedBy != importer.Email {
		t.Errorf("the import's creator = %q, want the importer %q", second.Source.CreatedBy, importer.Email)
	}
	a, z := normalized(t, first, importer.Email), normalized(t, second, importer.Email)
	if a != z {
		t.Errorf("export of the import differs from the export, at %s", firstDiff(a, z))
	}

	// The new room is a room like any other, to everyone in it.
	if n := count(t, db, &models.RoomEvent{}, "room_id = ?", got.Room.ID); n != 0 {
		t.Errorf("the imported room has %d events, want none (a new room, version 1)", n)
	}
	for _, who := range []struct {
		user models.User
		role string
	}{{importer, models.RoleOwner}, {b.owner, models.RoleOwner}, {b.member, models.RoleMember}, {b.viewer, models.RoleViewer}} {
		v, err := store.Board(ctx, who.user.ID, got.Room.ID)
		if err != nil || v.Role != who.role {
			t.Errorf("%s's board: role %q, %v; want %q", who.user.Email, v.Role, err, who.role)
		}
	}
	board, err := store.Board(ctx, importer.ID, got.Room.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range board.Columns {
		if c.Position != i {
			t.Errorf("column %q at %d, want %d", c.Name, c.Position, i)
		}
		for j, card := range c.Cards {
			if card.Position != j {
				t.Errorf("card %q at %d, want %d", card.Title, card.Position, j)
			}
		}
	}
	archive, err := store.Archived(ctx, importer.ID, got.Room.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(archive.Columns) != 1 || archive.Columns[0].Name != "Old" || len(archive.Cards) != 1 || archive.Cards[0].Title != "Old idea" {
		t.Errorf("archive = %+v, want the Old column and the Old idea card", archive)
	}
	// A restored card goes to the end of its column, as in the source.
	restored, err := store.RestoreCard(ctx, importer.ID, archive.Cards[0].ID)
	if err != nil || restored.Position != 2 {
		t.Errorf("restore the imported archived card: position %d, %v; want 2", restored.Position, err)
	}

	// Comment counts and the search text are what the comment writes keep.
	type searchCols struct {
		Title        string
		CommentCount int
		CommentsText string
	}
	text := func(room uuid.UUID) []searchCols {
		var rows []searchCols
		if err := db.Raw(`SELECT cards.title, cards.comment_count, cards.comments_text FROM cards
JOIN columns ON columns.id = cards.column_id WHERE columns.room_id = ? ORDER BY cards.title`, room).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		return rows
	}
	if src, dst := text(b.room), text(got.Room.ID); fmt.Sprint(src) != fmt.Sprint(dst) {
		t.Errorf("comment counts and text:\n source %v\n import %v", src, dst)
	}
	hits, _, err := store.Search(ctx, importer.ID, "zebra", 10, nil)
	if err != nil || len(hits) != 1 || hits[0].RoomID != got.Room.ID || hits[0].Title != "Write the launch post" {
		t.Errorf("importer's search for a comment's word: %+v, %v; want the imported card", hits, err)
	}
}

func TestImportWithUnknownUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, _ := testdb.Open(t)
	b := seedRich(t, ctx, src, models.NewStore(src))
	e, err := models.NewStore(src).ExportRoom(ctx, b.room)
	if err != nil {
		t.Fatal(err)
	}

	// Another database, where only the owner has an account (in another
	// case) besides the importer.
	dst, _ := testdb.Open(t)
	store := models.NewStore(dst)
	owner := newUser(t, dst, strings.ToUpper(b.owner.Email[:1])+b.owner.Email[1:])
	importer := newUser(t, dst, "ops@example.test")
	got, err := store.ImportRoom(ctx, importer.ID, e)
	if err != nil {
		t.Fatal(err)
	}
	want := []models.MissingUser{
		// As seeded: bob is assigned to two cards, wrote three comments and
		// four cards (Review, Old idea, Kick-off, Legacy B); cy is assigned
		// to one card and wrote one comment.
		{Email: b.member.Email, Role: models.RoleMember, Assigned: 2, Authored: 3, Created: 4},
		{Email: b.viewer.Email, Role: models.RoleViewer, Assigned: 1, Authored: 1},
	}
	if fmt.Sprint(got.Missing) != fmt.Sprint(want) {
		t.Errorf("missing = %+v\nwant      %+v", got.Missing, want)
	}
	if got.Members != 2 || got.Comments != 5 || got.Cards != 7 {
		t.Errorf("imported %d members, %d comments, %d cards; want 2 (owner, importer), 5, 7", got.Members, got.Comments, got.Cards)
	}
	v, err := store.Board(ctx, owner.ID, got.Room.ID)
	if err != nil || v.Role != models.RoleOwner {
		t.Errorf("the source's owner: role %q, %v; want owner", v.Role, err)
	}

	out, err := store.ExportRoom(ctx, got.Room.ID)
	if err != nil {
		t.Fatal(err)
	}
	var comments []models.ExportComment
	var assignees []string
	for _, c := range out.Columns {
		for _, card := range c.Cards {
			comments = append(comments, card.Comments...)
			for _, a := range card.Assignees {
				assignees = append(assignees, a.Email)
			}
			if card.Title == "Review" && card.CreatedBy != "" {
				t.Errorf("Review's author = %q, want none (no account)", card.CreatedBy)
			}
			if card.Title == "Ship it" && card.CreatedBy != owner.Email {
				t.Errorf("Ship it's author = %q, want %q", card.CreatedBy, owner.Email)
			}
		}
	}
	if fmt.Sprint(assignees) != fmt.Sprint([]string{owner.Email}) {
		t.Errorf("assignees = %v, want only the owner's assignment kept", assignees)
	}
	byAuthor := map[string][]string{}
	for _, c := range comments {
		byAuthor[c.Author] = append(byAuthor[c.Author], c.Body)
	}
	if len(byAuthor[owner.Email]) != 1 || len(byAuthor[importer.Email]) != 4 {
		t.Fatalf("comments by author = %v, want the owner's kept and four under the importer's name", byAuthor)
	}
	for _, body := range byAuthor[importer.Email] {
		if !strings.HasPrefix(body, models.CommentNote(b.member.Email)) && !strings.HasPrefix(body, models.CommentNote(b.viewer.Email)) {
			t.Errorf("comment kept for a missing author = %q, want it to start with the note naming them", body)
		}
	}
}

func TestDecodeExportRefuses(t *testing.T) {
	t.Parallel()
	valid := `{"format": "syncboard.board", "version": 1, "name": "x", "members": [], "labels": [], "columns": []}`
	if _, err := models.DecodeExport(strings.NewReader(valid)); err != nil {
		t.Fatalf("a minimal export: %v", err)
	}
	for _, tc := range []struct {
		name, in, want string
	}{
		{"newer version", `{"format": "syncboard.board", "version": 2, "name": "x", "future": true}`,
			"is syncboard.board version 2, and this SyncBoard reads version 1 only"},
		{"version zero", `{"format": "syncboard.board", "version": 0}`, "version 0"},
		{"version as text", `{"format": "syncboard.board", "version": "1"}`, `version is "1", not a whole number`},
		{"no version", `{"format": "syncboard.board"}`, `no "version"`},
		{"other format", `{"format": "trello.board", "version": 1}`, `its format is "trello.board"`},
		{"no format", `{"name": "x"}`, `no "format"`},
		{"malformed JSON", "{\"format\": \"syncboard.board\",\n \"version\": 1,,}", "not valid JSON: invalid character ',' looking for beginning of object key string (line 2, column 15)"},
		{"truncated", `{"format": "syncboard.board", "version": 1, "name": "x"`, "not valid JSON"},
		{"empty", "  \n", "the export is empty"},
		{"not an object", `[1, 2]`, "not a SyncBoard board export: cannot unmarshal array"},
		{"format not text", `{"format": 1, "version": 1}`, "not a SyncBoard board export: cannot unmarshal number"},
		{"unknown field", `{"format": "syncboard.board", "version": 1, "name": "x", "colums": []}`, `unknown field "colums"`},
		{"wrong type", `{"format": "syncboard.board", "version": 1, "name": 7}`, "line 1, column"},
		{"bad UUID", `{"format": "syncboard.board", "version": 1, "labels": [{"id": "nope"}]}`, "does not match"},
		{"two documents", valid + ` {}`, "invalid character '{' after top-level value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := models.DecodeExport(strings.NewReader(tc.in))
			if models.ErrorCode(err) != models.CodeBadRequest || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("DecodeExport(%s) = %v, want bad_request with %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestImportValidates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	importer := newUser(t, db, "ops@example.test")
	label := uuid.New()
	base := func() models.Export {
		return models.Export{Format: models.ExportFormat, Version: models.ExportVersion, Name: "Board",
			Members: []models.ExportMember{{Email: "ops@example.test", Role: models.RoleOwner}},
			Labels:  []models.ExportLabel{{ID: label, Name: "bug", Color: "red"}},
			Columns: []models.ExportColumn{{Name: "To do", Cards: []models.ExportCard{{Title: "a", Labels: []uuid.UUID{label},
				Assignees: []models.ExportAssignee{{Email: "ops@example.test"}},
				Comments:  []models.ExportComment{{Author: "ops@example.test", Body: "hi"}}}}}}}
	}
	if _, err := store.ImportRoom(ctx, importer.ID, base()); err != nil {
		t.Fatalf("the valid base: %v", err)
	}
	rooms := count(t, db, &models.Room{}, "true")
	for _, tc := range []struct {
		name, field string
		edit        func(e *models.Export)
	}{
		{"blank name", "name", func(e *models.Export) { e.Name = "  " }},
		{"long name", "name", func(e *models.Export) { e.Name = strings.Repeat("é", 201) }},
		{"bad role", "members[0].role", func(e *models.Export) { e.Members[0].Role = "admin" }},
		{"member twice", "members[1].email", func(e *models.Export) {
			e.Members = append(e.Members, models.ExportMember{Email: "OPS@example.test", Role: "viewer"})
		}},
		{"bad color", "labels[0].color", func(e *models.Export) { e.Labels[0].Color = "teal" }},
		{"label names by case", "labels[1].name", func(e *models.Export) {
			e.Labels = append(e.Labels, models.ExportLabel{ID: uuid.New(), Name: "BUG", Color: "red"})
		}},
		{"label without ID", "labels[0].id", func(e *models.Export) { e.Labels[0].ID = uuid.Nil }},
		{"unknown label", "columns[0].cards[0].labels[0]", func(e *models.Export) { e.Columns[0].Cards[0].Labels[0] = uuid.New() }},
		{"assignee not a member", "columns[0].cards[0].assignees[0].email", func(e *models.Export) {
			e.Columns[0].Cards[0].Assignees[0].Email = "else@example.test"
		}},
		{"empty title", "columns[0].cards[0].title", func(e *models.Export) { e.Columns[0].Cards[0].Title = "" }},
		{"NUL in description", "columns[0].cards[0].description", func(e *models.Export) { e.Columns[0].Cards[0].Description = "a\x00b" }},
		{"empty comment", "columns[0].cards[0].comments[0].body", func(e *models.Export) { e.Columns[0].Cards[0].Comments[0].Body = "" }},
		{"comment without author", "columns[0].cards[0].comments[0].author", func(e *models.Export) { e.Columns[0].Cards[0].Comments[0].Author = "" }},
		{"negative position", "columns[0].position", func(e *models.Export) { e.Columns[0].Position = -1 }},
		{"position past integer", "columns[0].cards[0].position", func(e *models.Export) { e.Columns[0].Cards[0].Position = 1 << 40 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := base()
			tc.edit(&e)
			_, err := store.ImportRoom(ctx, importer.ID, e)
			var me *models.Error
			if models.ErrorCode(err) != models.CodeValidationFailed || !errors.As(err, &me) || me.Fields[tc.field] == "" {
				t.Errorf("import: %v, want validation_failed on %s", err, tc.field)
			}
		})
	}
	e := base()
	e.Version = 2
	if _, err := store.ImportRoom(ctx, importer.ID, e); models.ErrorCode(err) != models.CodeBadRequest {
		t.Errorf("import of version 2: %v, want bad_request", err)
	}
	if _, err := store.ImportRoom(ctx, uuid.New(), base()); models.ErrorCode(err) != models.CodeNotFound {
		t.Errorf("import for no such owner: %v, want not_found", err)
	}
	if n := count(t, db, &models.Room{}, "true"); n != rooms {
		t.Errorf("%d rooms after the refused imports, want %d", n, rooms)
	}
}

// TestImportIsAllOrNothing makes the last insert of an import fail (a
// trigger on comments) and finds nothing of it left.
func TestImportIsAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	b := seedRich(t, ctx, db, store)
	e, err := store.ExportRoom(ctx, b.room)
	if err != nil {
		t.Fatal(err)
	}
	before := map[string]int64{}
	tables := []any{&models.Room{}, &models.RoomMember{}, &models.Label{}, &models.Column{}, &models.Card{}, &models.CardLabel{}, &models.CardAssignee{}, &models.Comment{}}
	for _, m := range tables {
		before[fmt.Sprintf("%T", m)] = count(t, db, m, "true")
	}
	for _, stmt := range []string{
		`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`,
		`CREATE TRIGGER refuse BEFORE INSERT ON comments FOR EACH STATEMENT EXECUTE FUNCTION refuse()`,
	} {
		if err := db.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.ImportRoom(ctx, b.owner.ID, e); err == nil || !strings.Contains(err.Error(), "refused by the test") {
		t.Fatalf("import with comments refused: %v, want the trigger's error", err)
	}
	for _, m := range tables {
		if n := count(t, db, m, "true"); n != before[fmt.Sprintf("%T", m)] {
			t.Errorf("%T: %d rows after the failed import, want %d", m, n, before[fmt.Sprintf("%T", m)])
		}
	}
}

func TestExportMissingRoom(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	if _, err := models.NewStore(db).ExportRoom(context.Background(), uuid.New()); models.ErrorCode(err) != models.CodeNotFound {
		t.Errorf("export of no room: %v, want not_found", err)
	}
}

// TestExportImportBigBoard measures an export and an import of a board of
// EXPORT_CARDS cards (10 columns, five labels and two assignees on every
// card, a comment on each); without EXPORT_CARDS it does not run.
func TestExportImportBigBoard(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("EXPORT_CARDS"))
	if n <= 0 {
		t.Skip("set EXPORT_CARDS to measure")
	}
	ctx := context.Background()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	room, owner := seedBoard(t, db, 10, n)
	decorate(t, db, room, owner, 5)
	start := time.Now()
	e, err := store.ExportRoom(ctx, room)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := e.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	size, exported := buf.Len(), time.Since(start)
	start = time.Now()
	back, err := models.DecodeExport(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got, err := store.ImportRoom(ctx, owner, back)
	if err != nil {
		t.Fatal(err)
	}
	if got.Cards != n || got.Comments != n {
		t.Errorf("imported %d cards and %d comments, want %d of each", got.Cards, got.Comments, n)
	}
	t.Logf("%d cards: export and encode %v (%d bytes), decode and import %v", n, exported.Round(time.Millisecond), size, time.Since(start).Round(time.Millisecond))
}

func FuzzDecodeExport(f *testing.F) {
	f.Add(`{"format": "syncboard.board", "version": 1, "name": "x", "members": [], "labels": [], "columns": []}`)
	f.Add(`{"format": "syncboard.board", "version": 1, "name": "x", "members": [{"email": "a@b.c", "role": "owner"}],
"labels": [{"id": "0f6e3a52-8a54-4a8e-9c1f-6b1a1a1a1a1a", "name": "bug", "color": "red"}],
"columns": [{"name": "c", "archived_at": "2026-12-02T11:00:00+02:00", "cards": [{"title": "t",
"labels": ["0f6e3a52-8a54-4a8e-9c1f-6b1a1a1a1a1a"], "assignees": [{"email": "a@b.c"}], "comments": [{"author": "a@b.c", "body": "hi"}]}]}]}`)
	f.Add(`{"format": "syncboard.board", "version": 2}`)
	f.Fuzz(func(t *testing.T, in string) {
		e, err := models.DecodeExport(strings.NewReader(in))
		if err != nil {
			if models.ErrorCode(err) != models.CodeBadRequest {
				t.Fatalf("DecodeExport(%q) = %v, want bad_request", in, err)
			}
			return
		}
		if err := e.Validate(); err != nil && models.ErrorCode(err) != models.CodeValidationFailed {
			t.Fatalf("Validate of %q = %v, want nil or validation_failed", in, err)
		}
		// Whatever decodes, Encode writes in a form that decodes the same.
		var once, twice bytes.Buffer
		if err := e.Encode(&once); err != nil {
			t.Fatal(err)
		}
		back, err := models.DecodeExport(bytes.NewReader(once.Bytes()))
		if err != nil {
			t.Fatalf("decode of what Encode wrote: %v\n%s", err, once.String())
		}
		if err := back.Encode(&twice); err != nil || once.String() != twice.String() {
			t.Fatalf("encode, decode, encode changed the export:\n%s\n%s", once.String(), twice.String())
		}
	})
}
