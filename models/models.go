// Package models holds SyncBoard's GORM models and the Store through which
// every use case reaches PostgreSQL.
//
// The structs here are the single source of the database schema: Atlas loads
// them (through cmd/atlas-loader) and diffs them against migrations/ to write
// the next migration. Integrity rules therefore live in the tags: foreign keys
// with their ON DELETE actions, named unique indexes and CHECK constraints.
package models

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Roles a member can hold in a room, highest first. The creator of a room
// is its first owner; a room always keeps at least one. What each may do is
// the table in roles.go.
const (
	RoleOwner  = "owner"
	RoleMember = "member"
	RoleViewer = "viewer"
)

// LabelColors are the colors a label may have.
var LabelColors = []string{"green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black"}

// User is a registered account.
//
// Email is stored lowercased, and the unique index is on lower(email) as
// well, so two spellings of one address can never both exist, even if a
// future code path forgot to lowercase.
type User struct {
	ID           uuid.UUID `gorm:"type:uuid;primaryKey"`
	Email        string    `gorm:"type:varchar(254);not null;uniqueIndex:uq_users_email_lower,expression:lower(email)"`
	PasswordHash string    `gorm:"type:varchar(100);not null"`
	DisplayName  string    `gorm:"type:varchar(100);not null"`
	CreatedAt    time.Time `gorm:"type:timestamptz;not null"`
	UpdatedAt    time.Time `gorm:"type:timestamptz;not null"`

	// Memberships are removed with the user (ON DELETE CASCADE).
	Memberships []RoomMember `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
	// CreatedRooms restrict deleting a user who still owns rooms: the rooms
	// hold other members' work, and ownership cannot be transferred yet, so
	// neither silently destroying them nor leaving them ownerless is right.
	CreatedRooms []Room `gorm:"foreignKey:CreatedBy;constraint:OnDelete:RESTRICT"`
	// CreatedCards survive their author: the card belongs to the board.
	CreatedCards []Card `gorm:"foreignKey:CreatedBy;constraint:OnDelete:SET NULL"`
	// Events keep their actor's ID only while the account exists.
	Events []RoomEvent `gorm:"foreignKey:ActorID;constraint:OnDelete:SET NULL"`
	// Tickets go with their user.
	Tickets []WSTicket `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
	// Sessions are the user's signed-in devices; they go with the account.
	Sessions []Session `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
	// Comments go with their author's account (leaving a room keeps them:
	// the user row stays).
	Comments []Comment `gorm:"foreignKey:AuthorID;constraint:OnDelete:CASCADE"`
	// Invites speak in their creator's name (the link's page shows who
	// invited you), so they go with the creator's account.
	Invites []Invite `gorm:"foreignKey:CreatedBy;constraint:OnDelete:CASCADE"`
}

// Room is a board. Version starts at 1 and goes up by one with every
// successful change to the room, its members, columns or cards.
type Room struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey"`
	Name      string    `gorm:"type:varchar(200);not null"`
	CreatedBy uuid.UUID `gorm:"type:uuid;not null;index:idx_rooms_created_by"`
	Version   int64     `gorm:"not null;default:1;check:chk_rooms_version,version >= 1"`
	CreatedAt time.Time `gorm:"type:timestamptz;not null"`
	UpdatedAt time.Time `gorm:"type:timestamptz;not null"`

	Members []RoomMember `gorm:"foreignKey:RoomID;constraint:OnDelete:CASCADE"`
	Columns []Column     `gorm:"foreignKey:RoomID;constraint:OnDelete:CASCADE"`
	Labels  []Label      `gorm:"foreignKey:RoomID;constraint:OnDelete:CASCADE"`
	Events  []RoomEvent  `gorm:"foreignKey:RoomID;constraint:OnDelete:CASCADE"`
	Tickets []WSTicket   `gorm:"foreignKey:RoomID;constraint:OnDelete:CASCADE"`
	Invites []Invite     `gorm:"foreignKey:RoomID;constraint:OnDelete:CASCADE"`
}

// RoomMember is the junction between users and rooms, with the member's role.
type RoomMember struct {
	ID       uuid.UUID `gorm:"type:uuid;primaryKey"`
	RoomID   uuid.UUID `gorm:"type:uuid;not null;uniqueIndex:uq_room_user,priority:1"`
	UserID   uuid.UUID `gorm:"type:uuid;not null;uniqueIndex:uq_room_user,priority:2;index:idx_room_members_user_id"`
	Role     string    `gorm:"type:text;not null;check:chk_room_members_role,role IN ('owner', 'member', 'viewer')"`
	JoinedAt time.Time `gorm:"type:timestamptz;not null;default:now()"`

	User User `gorm:"foreignKey:UserID"`
}

// Column is a list on a board. Positions of a room's unarchived columns are
// exactly 0..n-1.
type Column struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey"`
	RoomID    uuid.UUID `gorm:"type:uuid;not null;index:idx_columns_room_position,priority:1"`
	Name      string    `gorm:"type:varchar(200);not null"`
	Position  int       `gorm:"type:integer;not null;index:idx_columns_room_position,priority:2;check:chk_columns_position,position >= 0"`
	CreatedAt time.Time `gorm:"type:timestamptz;not null"`
	UpdatedAt time.Time `gorm:"type:timestamptz;not null"`
	// ArchivedAt is set while the column is archived (nil: on the board).
	// An archived column keeps its last position, which means nothing: it
	// is outside the room's sequence (models/positions.go).
	ArchivedAt *time.Time `gorm:"type:timestamptz"`

	Cards []Card `gorm:"foreignKey:ColumnID;constraint:OnDelete:CASCADE"`
}

// Card sits in a column. Positions of a column's unarchived cards are
// exactly 0..n-1.
type Card struct {
	ID          uuid.UUID `gorm:"type:uuid;primaryKey"`
	ColumnID    uuid.UUID `gorm:"type:uuid;not null;index:idx_cards_column_position,priority:1"`
	Title       string    `gorm:"type:varchar(200);not null"`
	Description string    `gorm:"type:text;not null;default:''"`
	Position    int       `gorm:"type:integer;not null;index:idx_cards_column_position,priority:2;check:chk_cards_position,position >= 0"`
	// CreatedBy is nil once its author's account is deleted.
	CreatedBy *uuid.UUID `gorm:"type:uuid;index:idx_cards_created_by"`
	CreatedAt time.Time  `gorm:"type:timestamptz;not null"`
	UpdatedAt time.Time  `gorm:"type:timestamptz;not null"`
	// DueAt is when the card is due (nil: no due date); DueComplete marks it
	// done.
	DueAt       *time.Time `gorm:"type:timestamptz"`
	DueComplete bool       `gorm:"not null;default:false"`
	// ArchivedAt is set while the card is archived (nil: on the board). An
	// archived card keeps its last position, outside the column's sequence.
	ArchivedAt *time.Time `gorm:"type:timestamptz"`
	// CommentCount is kept by the comment writes, which hold the room lock,
	// so it is exact and the board reads it without counting. (No CHECK
	// here: GORM prints a table's CHECKs in map order, and the loader's
	// output must not change between runs.)
	CommentCount int `gorm:"type:integer;not null;default:0"`
	// CommentsText is the card's comment bodies, oldest first, one per
	// line: a generated column cannot read the comments table, so the
	// comment writes keep this copy in their transaction (under the room
	// lock, like CommentCount) and SearchVector reads it. Neither is read
	// nor written through GORM (->:false, <-:false): only search needs
	// them, and only as SQL.
	CommentsText string `gorm:"type:text;not null;default:'';->:false;<-:false"`
	// SearchVector is what full-text search matches and ranks: the title
	// weighs A, the description B, the comments C (Store.Search).
	SearchVector string `gorm:"type:tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', description), 'B') || setweight(to_tsvector('english', comments_text), 'C')) STORED;->:false;<-:false;index:idx_cards_search,type:gin"`

	// LabelIDs (in label order) and AssigneeIDs (in assignment order) are
	// read with set-based queries for a whole board at once (cardDetails),
	// not through the associations below, which cannot order by the join
	// table or the label's creation.
	LabelIDs    []uuid.UUID `gorm:"-"`
	AssigneeIDs []uuid.UUID `gorm:"-"`

	// Labels and Assignees go through the join models CardLabel and
	// CardAssignee; a card's rows there go with it, and so do a label's
	// and a user's.
	Labels    []Label   `gorm:"many2many:card_labels;constraint:OnDelete:CASCADE"`
	Assignees []User    `gorm:"many2many:card_assignees;joinForeignKey:CardID;joinReferences:UserID;constraint:OnDelete:CASCADE"`
	Comments  []Comment `gorm:"foreignKey:CardID;constraint:OnDelete:CASCADE"`
}

// Label is a named color of a room, put on its cards. Names are unique in a
// room regardless of case; labels are ordered by creation.
type Label struct {
	ID     uuid.UUID `gorm:"type:uuid;primaryKey"`
	RoomID uuid.UUID `gorm:"type:uuid;not null;uniqueIndex:uq_labels_room_name,priority:1"`
	Name   string    `gorm:"type:varchar(50);not null;uniqueIndex:uq_labels_room_name,priority:2,expression:lower(name)"`
	// Color is one of LabelColors (a pattern, not IN (...): PostgreSQL
	// prints an IN list back differently, which Atlas would see as a change).
	Color     string    `gorm:"type:text;not null;check:chk_labels_color,color ~ '^(green|yellow|orange|red|purple|blue|sky|lime|pink|black)$'"`
	CreatedAt time.Time `gorm:"type:timestamptz;not null"`
}

// CardLabel is the card_labels join table: a label on a card.
type CardLabel struct {
	CardID  uuid.UUID `gorm:"type:uuid;primaryKey"`
	LabelID uuid.UUID `gorm:"type:uuid;primaryKey;index:idx_card_labels_label_id"`
}

// CardAssignee is the card_assignees join table: a member assigned to a
// card, since AssignedAt (assignees are listed in assignment order).
type CardAssignee struct {
	CardID     uuid.UUID `gorm:"type:uuid;primaryKey"`
	UserID     uuid.UUID `gorm:"type:uuid;primaryKey;index:idx_card_assignees_user_id"`
	AssignedAt time.Time `gorm:"type:timestamptz;not null;default:now()"`
}

// Comment is a message on a card by its author.
type Comment struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey"`
	CardID    uuid.UUID `gorm:"type:uuid;not null;index:idx_comments_card_created,priority:1"`
	AuthorID  uuid.UUID `gorm:"type:uuid;not null;index:idx_comments_author_id"`
	Body      string    `gorm:"type:text;not null"`
	CreatedAt time.Time `gorm:"type:timestamptz;not null;index:idx_comments_card_created,priority:2"`
	UpdatedAt time.Time `gorm:"type:timestamptz;not null"`

	Author User `gorm:"foreignKey:AuthorID"`
}

// RoomEvent records one change to a room, written in the change's own
// transaction. Version is the room's version after the change, so the
// versions of a room's events are consecutive and a gap means something was
// missed. Data holds what a client needs to apply the change (JSON); its
// type says so to pgx, which otherwise sends bytes as bytea when statements
// are not prepared (DB_POOLER=pgbouncer) and PostgreSQL rejects them as
// JSON.
type RoomEvent struct {
	ID      uuid.UUID       `gorm:"type:uuid;primaryKey"`
	RoomID  uuid.UUID       `gorm:"type:uuid;not null;uniqueIndex:uq_room_events_room_version,priority:1"`
	Version int64           `gorm:"not null;uniqueIndex:uq_room_events_room_version,priority:2"`
	Type    string          `gorm:"type:text;not null"`
	ActorID *uuid.UUID      `gorm:"type:uuid"`
	At      time.Time       `gorm:"type:timestamptz;not null;index:idx_room_events_at"`
	Data    json.RawMessage `gorm:"type:jsonb;not null"`
}

// WSTicket is a short-lived, single-use ticket that opens one room's
// WebSocket, or the user's own stream when RoomID is nil, for browsers,
// which cannot set an Authorization header on a WebSocket. Only the ticket's SHA-256 is stored. It lives in the database,
// not in memory, because the ticket request and the socket may reach
// different instances.
//
// A ticket belongs to the session that asked for it and cascades away with
// it: ending a session can never leave a usable ticket behind, whatever
// request is racing with the end (the insert's foreign key check and the
// session's delete serialize on the session row).
type WSTicket struct {
	Hash   []byte    `gorm:"type:bytea;primaryKey"`
	UserID uuid.UUID `gorm:"type:uuid;not null"`
	// RoomID is the room whose socket the ticket opens; nil for the user
	// stream (GET /api/ws). A room ticket never opens the user stream, nor
	// the reverse: each is asked for what it opens.
	RoomID    *uuid.UUID `gorm:"type:uuid"`
	SessionID uuid.UUID  `gorm:"type:uuid;not null;index:idx_ws_tickets_session_id"`
	IssuedAt  time.Time  `gorm:"type:timestamptz;not null"`
	ExpiresAt time.Time  `gorm:"type:timestamptz;not null;index:idx_ws_tickets_expires_at"`
}

// Session is one signed-in device: what a login, a registration or a
// password change starts, and what logout, logout-all, ending it from
// another device, or a password change ends. Access tokens name it (the
// sid claim) and die with it; its refresh token is stored only as a
// SHA-256 hash and rotates on every use. Ending a session deletes the row:
// its spent refresh tokens and socket tickets cascade with it.
type Session struct {
	ID     uuid.UUID `gorm:"type:uuid;primaryKey"`
	UserID uuid.UUID `gorm:"type:uuid;not null;index:idx_sessions_user_id"`
	// RefreshHash is the SHA-256 of the current refresh token.
	RefreshHash []byte    `gorm:"type:bytea;not null;uniqueIndex:uq_sessions_refresh_hash"`
	CreatedAt   time.Time `gorm:"type:timestamptz;not null"`
	// LastUsedAt is the last sign-in or refresh (access tokens are checked
	// without writing, so it is at most one access-token lifetime old).
	LastUsedAt time.Time `gorm:"type:timestamptz;not null"`
	// ExpiresAt is when the refresh token stops working unless used before;
	// each refresh moves it forward.
	ExpiresAt time.Time `gorm:"type:timestamptz;not null;index:idx_sessions_expires_at"`
	UserAgent string    `gorm:"type:varchar(256);not null;default:''"`
	IP        string    `gorm:"type:varchar(64);not null;default:''"`

	// Spent are the refresh tokens this session has rotated out: one
	// presented again is a theft signal that ends the session.
	Spent   []SpentRefreshToken `gorm:"foreignKey:SessionID;constraint:OnDelete:CASCADE"`
	Tickets []WSTicket          `gorm:"foreignKey:SessionID;constraint:OnDelete:CASCADE"`
}

// SpentRefreshToken is the hash of a refresh token its session has rotated
// out: the session is the token family of RFC 9700's reuse detection.
type SpentRefreshToken struct {
	Hash      []byte    `gorm:"type:bytea;primaryKey"`
	SessionID uuid.UUID `gorm:"type:uuid;not null;index:idx_spent_refresh_tokens_session_id"`
	SpentAt   time.Time `gorm:"type:timestamptz;not null"`
}

// Invite is an invitation link to a room: whoever signs in with its token
// before ExpiresAt joins the room with Role (never owner), as many people
// as use it. Only the token's SHA-256 is stored, so the database cannot
// hand out working links. Revoking sets RevokedAt and keeps the row, so the
// link's page can say why it is dead; rows revoked or expired for
// InviteRetention are purged.
type Invite struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey"`
	RoomID    uuid.UUID `gorm:"type:uuid;not null;index:idx_invites_room_created,priority:1"`
	TokenHash []byte    `gorm:"type:bytea;not null;uniqueIndex:uq_invites_token_hash"`
	Role      string    `gorm:"type:text;not null;check:chk_invites_role,role IN ('member', 'viewer')"`
	CreatedBy uuid.UUID `gorm:"type:uuid;not null;index:idx_invites_created_by"`
	CreatedAt time.Time `gorm:"type:timestamptz;not null;index:idx_invites_room_created,priority:2"`
	ExpiresAt time.Time `gorm:"type:timestamptz;not null;index:idx_invites_expires_at"`
	// RevokedAt is set once an owner revokes the link (nil: not revoked).
	RevokedAt *time.Time `gorm:"type:timestamptz"`

	Room    Room `gorm:"foreignKey:RoomID"`
	Creator User `gorm:"foreignKey:CreatedBy"`
}

// Instance is a running server process, known by a random ID it makes at
// start. It beats every PRESENCE_HEARTBEAT (HeartbeatAt, the database's
// clock, so instances' clocks never disagree); one whose heartbeat is older
// than PRESENCE_STALE is dead (killed, cut off) and any instance sweeps it
// away, its presence rows with it (ON DELETE CASCADE).
type Instance struct {
	ID          uuid.UUID `gorm:"type:uuid;primaryKey"`
	StartedAt   time.Time `gorm:"type:timestamptz;not null"`
	HeartbeatAt time.Time `gorm:"type:timestamptz;not null;index:idx_instances_heartbeat_at"`

	Presence []Presence `gorm:"foreignKey:InstanceID;constraint:OnDelete:CASCADE"`
}

// Presence says that User has at least one socket open to Room on
// Instance. One row per (room, user, instance), not a socket count: a
// second tab of the same user writes nothing, so the table changes only
// when who is present changes. Presence is not an event: it never touches
// the room's version or room_events.
type Presence struct {
	RoomID     uuid.UUID `gorm:"type:uuid;primaryKey"`
	UserID     uuid.UUID `gorm:"type:uuid;primaryKey;index:idx_presence_user_id"`
	InstanceID uuid.UUID `gorm:"type:uuid;primaryKey;index:idx_presence_instance_id"`
	UpdatedAt  time.Time `gorm:"type:timestamptz;not null"`

	// A deleted room or account takes its presence with it.
	Room Room `gorm:"foreignKey:RoomID;constraint:OnDelete:CASCADE"`
	User User `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
}

// TableName keeps the table singular: "presence" is a mass noun.
func (Presence) TableName() string { return "presence" }

// AuthRateLimit is one token bucket of the auth endpoints' limits, shared
// by every instance (models/ratelimit.go). Key is a keyed hash of the
// budget and what it counts (a client IP, an email, a device), never the
// raw value. FullAt is when the bucket holds all its tokens again, on the
// database's clock: each attempt pushes it one token's time further, and an
// attempt is allowed while at least one token is left. A bucket that is
// full again is the same as no row, so rows whose FullAt passed are pruned.
type AuthRateLimit struct {
	Key    []byte    `gorm:"type:bytea;primaryKey"`
	FullAt time.Time `gorm:"type:timestamptz;not null"`
}

// All lists every model, parents before children: the order Atlas's loader
// and anything else that walks the schema should use.
func All() []any {
	return []any{&User{}, &Room{}, &RoomMember{}, &Column{}, &Card{}, &Label{}, &CardLabel{}, &CardAssignee{},
		&Comment{}, &RoomEvent{}, &Session{}, &SpentRefreshToken{}, &WSTicket{}, &Invite{},
		&Instance{}, &Presence{}, &AuthRateLimit{}}
}

// newID fills a zero primary key with a random UUID. IDs are generated in the
// application: no round trip to learn them, and they reveal nothing.
func newID(id *uuid.UUID) {
	if *id == uuid.Nil {
		*id = uuid.New()
	}
}

// BeforeCreate implements gorm's hook to assign the ID.
func (u *User) BeforeCreate(*gorm.DB) error { newID(&u.ID); return nil }

// BeforeCreate implements gorm's hook to assign the ID.
func (r *Room) BeforeCreate(*gorm.DB) error { newID(&r.ID); return nil }

// BeforeCreate implements gorm's hook to assign the ID.
func (m *RoomMember) BeforeCreate(*gorm.DB) error { newID(&m.ID); return nil }

// BeforeCreate implements gorm's hook to assign the ID.
func (c *Column) BeforeCreate(*gorm.DB) error { newID(&c.ID); return nil }

// BeforeCreate implements gorm's hook to assign the ID.
func (c *Card) BeforeCreate(*gorm.DB) error { newID(&c.ID); return nil }

// BeforeCreate implements gorm's hook to assign the ID.
func (e *RoomEvent) BeforeCreate(*gorm.DB) error { newID(&e.ID); return nil }

// BeforeCreate implements gorm's hook to assign the ID.
func (s *Session) BeforeCreate(*gorm.DB) error { newID(&s.ID); return nil }

// BeforeCreate implements gorm's hook to assign the ID.
func (l *Label) BeforeCreate(*gorm.DB) error { newID(&l.ID); return nil }

// BeforeCreate implements gorm's hook to assign the ID.
func (i *Invite) BeforeCreate(*gorm.DB) error { newID(&i.ID); return nil }

// BeforeCreate implements gorm's hook to assign the ID.
func (c *Comment) BeforeCreate(*gorm.DB) error { newID(&c.ID); return nil }
