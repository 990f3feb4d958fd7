package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

// TestExportImportCommands runs `syncboard export` and `syncboard import`
// as main does, with stdin, stdout and stderr: the export on stdout is the
// board and nothing else, and the import of it makes a new room.
func TestExportImportCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, dbURL := testdb.Open(t)
	store := models.NewStore(db)
	user := func(email string) models.User {
		u, err := store.CreateUser(ctx, models.NewUser{Email: email, PasswordHash: []byte("not-a-hash"), DisplayName: email[:3]})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	ann, bob, ops := user("ann@example.test"), user("bob@example.test"), user("ops@example.test")
	room, err := store.CreateRoom(ctx, ann.ID, "Roadmap")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddMember(ctx, ann.ID, room.ID, bob.Email, models.RoleMember); err != nil {
		t.Fatal(err)
	}
	col, err := store.CreateColumn(ctx, ann.ID, room.ID, "Now", nil)
	if err != nil {
		t.Fatal(err)
	}
	card, err := store.CreateCard(ctx, bob.ID, col.ID, models.NewCard{Title: "Plan Q3"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateComment(ctx, bob.ID, card.ID, "by bob"); err != nil {
		t.Fatal(err)
	}

	vars := baseEnv(dbURL)
	vars["LOG_LEVEL"] = "debug" // every statement logged: none may reach the export
	env := envOf(vars)
	cmd := func(stdin string, args ...string) (string, string, error) {
		var out, errs bytes.Buffer
		err := runIO(ctx, args, env, strings.NewReader(stdin), &out, &errs)
		return out.String(), errs.String(), err
	}

	board, logs, err := cmd("", "export", "--room", room.ID.String())
	if err != nil {
		t.Fatalf("export: %v\n%s", err, logs)
	}
	e, err := models.DecodeExport(strings.NewReader(board))
	if err != nil {
		t.Fatalf("the export's stdout is not an export alone: %v\n%s", err, board)
	}
	if e.Name != "Roadmap" || len(e.Columns) != 1 || len(e.Columns[0].Cards) != 1 || len(e.Members) != 2 {
		t.Errorf("export = %+v", e)
	}
	if !strings.Contains(logs, "SELECT") {
		t.Errorf("debug logs went elsewhere than stderr: %q", logs)
	}

	out, _, err := cmd(board, "import", "--owner=OPS@example.test")
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	m := regexp.MustCompile(`^Imported room (\S+) \("Roadmap"\), owned by ops@example.test: 3 member\(s\), 0 label\(s\), 1 column\(s\), 1 card\(s\), 1 comment\(s\)\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("import said %q", out)
	}
	again, _, err := cmd("", "export", "--room="+m[1])
	if err != nil {
		t.Fatal(err)
	}
	if e2, err := models.DecodeExport(strings.NewReader(again)); err != nil || e2.Source.CreatedBy != ops.Email ||
		len(e2.Members) != 3 || e2.Columns[0].Cards[0].Comments[0].Author != bob.Email {
		t.Errorf("export of the import = %+v, %v", e2, err)
	}

	// A user with no account here is reported, not fatal.
	gone := strings.ReplaceAll(board, "bob@example.test", "gone@example.test")
	out, _, err = cmd(gone, "import", "--owner", "ann@example.test")
	if err != nil {
		t.Fatalf("import naming an unknown user: %v", err)
	}
	want := "No account for gone@example.test: not added as member; 1 card(s) kept with no author; " +
		"1 comment(s) kept under ann@example.test's name, each starting with a line naming gone@example.test\n"
	if !strings.HasSuffix(out, want) {
		t.Errorf("import said %q\nwant it to end with %q", out, want)
	}

	newer := strings.Replace(board, `"version": 1,`, `"version": 2,`, 1)
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"export"}, "export needs --room and nothing else\nusage:"},
		{"", []string{"export", "--room"}, "export needs --room"},
		{"", []string{"export", "--room", "42"}, `--room "42" is not a room ID`},
		{"", []string{"export", "--room", room.ID.String(), "--pretty"}, "nothing else"},
		{"", []string{"export", "--room", uuid.NewString()}, "room not found"},
		{board, []string{"import"}, "import needs --owner"},
		{board, []string{"import", "--owner="}, "--owner needs a value"},
		{board, []string{"import", "--owner", "nobody@example.test"}, "--owner nobody@example.test: no account has this email"},
		{newer, []string{"import", "--owner", "ops@example.test"}, "this SyncBoard reads version 1 only"},
		{board[:len(board)/2], []string{"import", "--owner", "ops@example.test"}, "not valid JSON: unexpected end of JSON input"},
		{"", []string{"import", "--owner", "ops@example.test"}, "the export is empty"},
		{strings.Replace(board, `"Now"`, `""`, 1), []string{"import", "--owner", "ops@example.test"},
			"the export breaks a rule of the board; see fields\n  columns[0].name: must not be empty"},
	} {
		_, _, err := cmd(tc.stdin, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("syncboard %s: %v, want %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
	var rooms int64
	if err := db.Model(&models.Room{}).Count(&rooms).Error; err != nil || rooms != 3 {
		t.Errorf("%d rooms (%v), want 3: the source and two imports", rooms, err)
	}
}
