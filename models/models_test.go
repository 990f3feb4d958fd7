package models_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/syncboard/syncboard/internal/testdb"
	"github.com/syncboard/syncboard/models"
)

// board is a room with two members, two columns and three cards.
type board struct {
	owner, member models.User
	room          models.Room
	todo, done    models.Column
	cards         []models.Card
}

func newUser(t *testing.T, db *gorm.DB, email string) models.User {
	t.Helper()
	u := models.User{Email: email, PasswordHash: "not-a-real-hash", DisplayName: "someone"}
	if err := db.Create(&u).Error; err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

func newBoard(t *testing.T, db *gorm.DB) board {
	t.Helper()
	b := board{
		owner:  newUser(t, db, uuid.NewString()+"@owner.test"),
		member: newUser(t, db, uuid.NewString()+"@member.test"),
	}
	b.room = models.Room{Name: "Launch", CreatedBy: b.owner.ID}
	b.room.Members = []models.RoomMember{
		{UserID: b.owner.ID, Role: models.RoleOwner},
		{UserID: b.member.ID, Role: models.RoleMember},
	}
	b.room.Columns = []models.Column{
		{Name: "To do", Position: 0, Cards: []models.Card{
			{Title: "a", Position: 0, CreatedBy: &b.owner.ID},
			{Title: "b", Position: 1, CreatedBy: &b.member.ID},
		}},
		{Name: "Done", Position: 1, Cards: []models.Card{{Title: "c", Position: 0, CreatedBy: &b.member.ID}}},
	}
	// One Create through the associations writes the whole board.
	if err := db.Create(&b.room).Error; err != nil {
		t.Fatalf("create board: %v", err)
	}
	b.todo, b.done = b.room.Columns[0], b.room.Columns[1]
	b.cards = append(append(b.cards, b.todo.Cards...), b.done.Cards...)
	return b
}

func count(t *testing.T, db *gorm.DB, model any, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Model(model).Where(query, args...).Count(&n).Error; err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

func rawDB(t *testing.T, db *gorm.DB) *sql.DB {
	t.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	return sqlDB
}

// constraintOf runs stmt outside GORM (whose TranslateError drops the
// driver's error) and returns the violated constraint's name.
func constraintOf(t *testing.T, db *gorm.DB, stmt string, args ...any) string {
	t.Helper()
	_, err := rawDB(t, db).ExecContext(context.Background(), stmt, args...)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		t.Fatalf("%s: got error %v, want a PostgreSQL constraint error", stmt, err)
	}
	return pgErr.ConstraintName
}

func TestIDsAreGeneratedInTheApplication(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	u := models.User{Email: "id@example.com", PasswordHash: "h", DisplayName: "id"}
	if err := db.Session(&gorm.Session{DryRun: true}).Create(&u).Error; err != nil {
		t.Fatal(err)
	}
	if u.ID == uuid.Nil {
		t.Fatal("ID is still nil after a dry-run insert: it should be set before the database is reached")
	}
	b := newBoard(t, db)
	for _, id := range []uuid.UUID{b.room.ID, b.todo.ID, b.cards[0].ID, b.room.Members[0].ID} {
		if id == uuid.Nil || id.Version() != 4 {
			t.Errorf("id %s: want a random (v4) UUID", id)
		}
	}
}

func TestDuplicateMembershipIsRefused(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	b := newBoard(t, db)
	err := db.Create(&models.RoomMember{RoomID: b.room.ID, UserID: b.member.ID, Role: models.RoleMember}).Error
	if !errors.Is(err, gorm.ErrDuplicatedKey) {
		t.Fatalf("second membership: got %v, want gorm.ErrDuplicatedKey", err)
	}
	got := constraintOf(t, db, `INSERT INTO room_members (id, room_id, user_id, role) VALUES ($1, $2, $3, 'member')`,
		uuid.New(), b.room.ID, b.member.ID)
	if got != "uq_room_user" {
		t.Errorf("violated constraint = %q, want uq_room_user", got)
	}
	if n := count(t, db, &models.RoomMember{}, "room_id = ?", b.room.ID); n != 2 {
		t.Errorf("members = %d, want 2", n)
	}
}

func TestDuplicateEmailIsRefusedRegardlessOfCase(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	newUser(t, db, "ann@example.com")
	for _, email := range []string{"ann@example.com", "Ann@Example.COM", "ANN@EXAMPLE.COM"} {
		err := db.Create(&models.User{Email: email, PasswordHash: "h", DisplayName: "x"}).Error
		if !errors.Is(err, gorm.ErrDuplicatedKey) {
			t.Errorf("create %q: got %v, want gorm.ErrDuplicatedKey", email, err)
		}
		got := constraintOf(t, db, `INSERT INTO users (id, email, password_hash, display_name, created_at, updated_at)
VALUES ($1, $2, 'h', 'x', now(), now())`, uuid.New(), email)
		if got != "uq_users_email_lower" {
			t.Errorf("create %q: violated constraint = %q, want uq_users_email_lower", email, got)
		}
	}
	if n := count(t, db, &models.User{}, "lower(email) = ?", "ann@example.com"); n != 1 {
		t.Errorf("users with that email = %d, want 1", n)
	}
}

func TestCheckConstraints(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	b := newBoard(t, db)
	tests := []struct {
		name       string
		stmt       string
		args       []any
		constraint string
	}{
		{"negative card position", `UPDATE cards SET position = -1 WHERE id = $1`, []any{b.cards[0].ID}, "chk_cards_position"},
		{"negative column position", `UPDATE columns SET position = -1 WHERE id = $1`, []any{b.todo.ID}, "chk_columns_position"},
		{"unknown role", `UPDATE room_members SET role = 'admin' WHERE user_id = $1`, []any{b.member.ID}, "chk_room_members_role"},
		{"version below one", `UPDATE rooms SET version = 0 WHERE id = $1`, []any{b.room.ID}, "chk_rooms_version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := constraintOf(t, db, tc.stmt, tc.args...); got != tc.constraint {
				t.Errorf("%s: violated %q, want %q", tc.stmt, got, tc.constraint)
			}
		})
	}
	err := db.Model(&models.Card{}).Where("id = ?", b.cards[0].ID).Update("position", -5).Error
	if !errors.Is(err, gorm.ErrCheckConstraintViolated) {
		t.Errorf("GORM update to a negative position: got %v, want gorm.ErrCheckConstraintViolated", err)
	}
}

// TestDatabaseCascades deletes with plain SQL, as another service or an
// operator would: the foreign keys alone must remove the children.
func TestDatabaseCascades(t *testing.T) {
	t.Parallel()
	t.Run("room takes members, columns and cards", func(t *testing.T) {
		t.Parallel()
		db, _ := testdb.Open(t)
		b, other := newBoard(t, db), newBoard(t, db)
		if err := db.Exec(`DELETE FROM rooms WHERE id = ?`, b.room.ID).Error; err != nil {
			t.Fatal(err)
		}
		assertBoardGone(t, db, b)
		assertBoardIntact(t, db, other)
	})
	t.Run("column takes its cards only", func(t *testing.T) {
		t.Parallel()
		db, _ := testdb.Open(t)
		b := newBoard(t, db)
		if err := db.Exec(`DELETE FROM columns WHERE id = ?`, b.todo.ID).Error; err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, &models.Card{}, "column_id = ?", b.todo.ID); n != 0 {
			t.Errorf("cards of the deleted column = %d, want 0", n)
		}
		if n := count(t, db, &models.Card{}, "column_id = ?", b.done.ID); n != 1 {
			t.Errorf("cards of the other column = %d, want 1", n)
		}
	})
	t.Run("user takes memberships, keeps authored cards", func(t *testing.T) {
		t.Parallel()
		db, _ := testdb.Open(t)
		b := newBoard(t, db)
		if err := db.Exec(`DELETE FROM users WHERE id = ?`, b.member.ID).Error; err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, &models.RoomMember{}, "user_id = ?", b.member.ID); n != 0 {
			t.Errorf("memberships of the deleted user = %d, want 0", n)
		}
		var c models.Card
		if err := db.Take(&c, "id = ?", b.cards[1].ID).Error; err != nil {
			t.Fatalf("card written by the deleted user: %v", err)
		}
		if c.CreatedBy != nil {
			t.Errorf("card created_by = %v, want NULL after its author was deleted", *c.CreatedBy)
		}
	})
	t.Run("user who created rooms cannot be deleted", func(t *testing.T) {
		t.Parallel()
		db, _ := testdb.Open(t)
		b := newBoard(t, db)
		err := db.Exec(`DELETE FROM users WHERE id = ?`, b.owner.ID).Error
		if !errors.Is(err, gorm.ErrForeignKeyViolated) {
			t.Fatalf("delete a room's creator: got %v, want gorm.ErrForeignKeyViolated", err)
		}
		assertBoardIntact(t, db, b)
	})
}

// TestStoreDeleteRoom is the ORM half: the Store removes the associations
// itself, so the rule does not rest on the database's constraints alone.
func TestStoreDeleteRoom(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	store := models.NewStore(db)
	b, other := newBoard(t, db), newBoard(t, db)
	// Drop the database cascades of this test's private database, so only
	// the ORM can remove the children.
	for _, stmt := range []string{
		`ALTER TABLE room_members DROP CONSTRAINT fk_rooms_members`,
		`ALTER TABLE columns DROP CONSTRAINT fk_rooms_columns`,
		`ALTER TABLE cards DROP CONSTRAINT fk_columns_cards`,
	} {
		if err := db.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := store.DeleteRoom(context.Background(), b.room.ID); err != nil {
		t.Fatalf("DeleteRoom: %v", err)
	}
	assertBoardGone(t, db, b)
	assertBoardIntact(t, db, other)
	err := store.DeleteRoom(context.Background(), b.room.ID)
	if got := models.ErrorCode(err); got != models.CodeNotFound {
		t.Errorf("DeleteRoom of a deleted room: code %q (%v), want %q", got, err, models.CodeNotFound)
	}
}

func TestBoardLoadsThroughAssociations(t *testing.T) {
	t.Parallel()
	db, _ := testdb.Open(t)
	b := newBoard(t, db)
	var room models.Room
	err := db.Preload("Members.User").
		Preload("Columns", func(tx *gorm.DB) *gorm.DB { return tx.Order("position") }).
		Preload("Columns.Cards", func(tx *gorm.DB) *gorm.DB { return tx.Order("position") }).
		Preload(clause.Associations).
		Take(&room, "id = ?", b.room.ID).Error
	if err != nil {
		t.Fatal(err)
	}
	if len(room.Members) != 2 || len(room.Columns) != 2 {
		t.Fatalf("members %d, columns %d; want 2 and 2", len(room.Members), len(room.Columns))
	}
	var titles []string
	for _, c := range room.Columns[0].Cards {
		titles = append(titles, c.Title)
	}
	if len(titles) != 2 || titles[0] != "a" || titles[1] != "b" {
		t.Errorf("cards of the first column = %v, want [a b]", titles)
	}
	for _, m := range room.Members {
		if m.User.ID != m.UserID || m.User.Email == "" {
			t.Errorf("member %s: user not loaded: %+v", m.UserID, m.User)
		}
	}
}

func assertBoardGone(t *testing.T, db *gorm.DB, b board) {
	t.Helper()
	cols := []uuid.UUID{b.todo.ID, b.done.ID}
	for what, n := range map[string]int64{
		"rooms":   count(t, db, &models.Room{}, "id = ?", b.room.ID),
		"members": count(t, db, &models.RoomMember{}, "room_id = ?", b.room.ID),
		"columns": count(t, db, &models.Column{}, "room_id = ?", b.room.ID),
		"cards":   count(t, db, &models.Card{}, "column_id IN ?", cols),
	} {
		if n != 0 {
			t.Errorf("%s left of the deleted room: %d, want 0", what, n)
		}
	}
	if n := count(t, db, &models.User{}, "id IN ?", []uuid.UUID{b.owner.ID, b.member.ID}); n != 2 {
		t.Errorf("users after deleting their room = %d, want 2 (users outlive rooms)", n)
	}
}

func assertBoardIntact(t *testing.T, db *gorm.DB, b board) {
	t.Helper()
	cols := []uuid.UUID{b.todo.ID, b.done.ID}
	for what, c := range map[string][2]int64{
		"rooms":   {count(t, db, &models.Room{}, "id = ?", b.room.ID), 1},
		"members": {count(t, db, &models.RoomMember{}, "room_id = ?", b.room.ID), 2},
		"columns": {count(t, db, &models.Column{}, "room_id = ?", b.room.ID), 2},
		"cards":   {count(t, db, &models.Card{}, "column_id IN ?", cols), 3},
	} {
		if c[0] != c[1] {
			t.Errorf("%s of an untouched room: %d, want %d", what, c[0], c[1])
		}
	}
}
