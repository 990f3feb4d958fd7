package handlers

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/models"
)

// Field limits of the contract.
const (
	maxNameChars        = 200
	maxTitleChars       = 200
	maxDescriptionChars = 10_000
	defaultPageSize     = 50
	maxPageSize         = 100
)

type roomRequest struct {
	Name *string `json:"name"`
}

type addMemberRequest struct {
	Email *string `json:"email"`
}

// RoomResponse is the contract's Room.
type RoomResponse struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	CreatedBy uuid.UUID `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	Version   int64     `json:"version"`
	Role      string    `json:"role"`
}

// RoomPage is a page of the caller's rooms.
type RoomPage struct {
	Items      []RoomResponse `json:"items"`
	NextCursor *string        `json:"next_cursor"`
}

// MemberResponse is the contract's Member.
type MemberResponse struct {
	User     UserResponse `json:"user"`
	Role     string       `json:"role"`
	JoinedAt time.Time    `json:"joined_at"`
}

// BoardResponse is the contract's Board: a Room with its members and its
// columns, each with its cards.
type BoardResponse struct {
	RoomResponse
	Members []MemberResponse      `json:"members"`
	Columns []BoardColumnResponse `json:"columns"`
}

// BoardColumnResponse is a Column inside a Board.
type BoardColumnResponse struct {
	ColumnResponse
	Cards []CardResponse `json:"cards"`
}

func newRoomResponse(v models.RoomView) RoomResponse {
	return RoomResponse{ID: v.ID, Name: v.Name, CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt.UTC(), Version: v.Version, Role: v.Role}
}

func newMemberResponse(m models.RoomMember) MemberResponse {
	return MemberResponse{User: newUserResponse(m.User), Role: m.Role, JoinedAt: m.JoinedAt.UTC()}
}

func newBoardResponse(v models.RoomView) BoardResponse {
	b := BoardResponse{
		RoomResponse: newRoomResponse(v),
		Members:      make([]MemberResponse, 0, len(v.Members)),
		Columns:      make([]BoardColumnResponse, 0, len(v.Columns)),
	}
	for _, m := range v.Members {
		b.Members = append(b.Members, newMemberResponse(m))
	}
	for _, c := range v.Columns {
		bc := BoardColumnResponse{ColumnResponse: newColumnResponse(c), Cards: make([]CardResponse, 0, len(c.Cards))}
		for _, card := range c.Cards {
			bc.Cards = append(bc.Cards, newCardResponse(card))
		}
		b.Columns = append(b.Columns, bc)
	}
	return b
}

// pathID reads a UUID path parameter; anything else is the same 404 as an
// unknown ID.
func pathID(c *gin.Context, log *slog.Logger, name string) (uuid.UUID, bool) {
	// Only the canonical 36-character form: uuid.Parse also takes urn:uuid:,
	// braces and bare hex, which would give one resource several URLs.
	raw := c.Param(name)
	id, err := uuid.Parse(raw)
	if err != nil || len(raw) != 36 {
		writeError(c, log, models.Errorf(models.CodeNotFound, "not found"))
		return uuid.Nil, false
	}
	return id, true
}

func me(c *gin.Context) uuid.UUID {
	u, _ := auth.UserFrom(c.Request.Context())
	return u.ID
}

// boardDeps are what the room, column and card handlers share.
type boardDeps struct {
	store *models.Store
	log   *slog.Logger
}

func (d boardDeps) fail(c *gin.Context, err error) { writeError(c, d.log, err) }

// pathAndBody reads the UUID path parameter param and decodes the body into
// req. When either is bad it has already answered, and ok is false.
func (d boardDeps) pathAndBody(c *gin.Context, param string, req any) (id uuid.UUID, ok bool) {
	if id, ok = pathID(c, d.log, param); !ok {
		return uuid.Nil, false
	}
	if err := decode(c.Request, req); err != nil {
		d.fail(c, err)
		return uuid.Nil, false
	}
	return id, true
}

func createRoom(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req roomRequest
		if err := decode(c.Request, &req); err != nil {
			d.fail(c, err)
			return
		}
		p := problems{}
		name := p.required("name", req.Name, 1, maxNameChars)
		if err := p.err(); err != nil {
			d.fail(c, err)
			return
		}
		v, err := d.store.CreateRoom(c.Request.Context(), me(c), name)
		if err != nil {
			d.fail(c, err)
			return
		}
		c.JSON(http.StatusCreated, newRoomResponse(v))
	}
}

func listRooms(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := problems{}
		limit := defaultPageSize
		if raw, ok := c.GetQuery("limit"); ok {
			n, err := parseDigits(raw)
			if err != nil || n < 1 || n > maxPageSize {
				p.add("limit", "must be a whole number from 1 to %d", maxPageSize)
			}
			limit = n
		}
		var after *models.RoomCursor
		if raw := c.Query("cursor"); raw != "" {
			cur, err := models.DecodeRoomCursor(raw)
			if err != nil {
				p.add("cursor", "is not a cursor this API returned")
			}
			after = &cur
		}
		if err := p.err(); err != nil {
			d.fail(c, err)
			return
		}
		rooms, next, err := d.store.ListRooms(c.Request.Context(), me(c), limit, after)
		if err != nil {
			d.fail(c, err)
			return
		}
		page := RoomPage{Items: make([]RoomResponse, 0, len(rooms))}
		for _, r := range rooms {
			page.Items = append(page.Items, newRoomResponse(r))
		}
		if next != nil {
			s := next.Encode()
			page.NextCursor = &s
		}
		c.JSON(http.StatusOK, page)
	}
}

// getBoard answers 304 to a matching If-None-Match after one cheap query,
// else loads the whole board.
func getBoard(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		roomID, ok := pathID(c, d.log, "room_id")
		if !ok {
			return
		}
		ctx := c.Request.Context()
		if inm := c.GetHeader("If-None-Match"); inm != "" {
			_, tag, err := d.store.BoardTag(ctx, me(c), roomID)
			if err != nil {
				d.fail(c, err)
				return
			}
			if etagMatches(inm, tag) {
				c.Header("ETag", tag)
				c.Status(http.StatusNotModified)
				return
			}
		}
		board, err := d.store.Board(ctx, me(c), roomID)
		if err != nil {
			d.fail(c, err)
			return
		}
		c.Header("ETag", board.Tag())
		c.JSON(http.StatusOK, newBoardResponse(board))
	}
}

// etagMatches applies If-None-Match's weak comparison: any listed tag equal
// to tag, ignoring a W/ prefix, or "*".
func etagMatches(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == tag {
			return true
		}
	}
	return false
}

func renameRoom(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req roomRequest
		roomID, ok := d.pathAndBody(c, "room_id", &req)
		if !ok {
			return
		}
		p := problems{}
		name := p.required("name", req.Name, 1, maxNameChars)
		if err := p.err(); err != nil {
			d.fail(c, err)
			return
		}
		v, err := d.store.RenameRoom(c.Request.Context(), me(c), roomID, name)
		if err != nil {
			d.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, newRoomResponse(v))
	}
}

func deleteRoom(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		roomID, ok := pathID(c, d.log, "room_id")
		if !ok {
			return
		}
		if err := d.store.DeleteRoomAs(c.Request.Context(), me(c), roomID); err != nil {
			d.fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

func listMembers(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		roomID, ok := pathID(c, d.log, "room_id")
		if !ok {
			return
		}
		ms, err := d.store.Members(c.Request.Context(), me(c), roomID)
		if err != nil {
			d.fail(c, err)
			return
		}
		out := make([]MemberResponse, 0, len(ms))
		for _, m := range ms {
			out = append(out, newMemberResponse(m))
		}
		c.JSON(http.StatusOK, out)
	}
}

func addMember(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req addMemberRequest
		roomID, ok := d.pathAndBody(c, "room_id", &req)
		if !ok {
			return
		}
		p := problems{}
		email := p.email("email", req.Email)
		if err := p.err(); err != nil {
			d.fail(c, err)
			return
		}
		m, err := d.store.AddMember(c.Request.Context(), me(c), roomID, email)
		if err != nil {
			d.fail(c, err)
			return
		}
		c.JSON(http.StatusCreated, newMemberResponse(m))
	}
}

func removeMember(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		roomID, ok := pathID(c, d.log, "room_id")
		if !ok {
			return
		}
		userID, ok := pathID(c, d.log, "user_id")
		if !ok {
			return
		}
		if err := d.store.RemoveMember(c.Request.Context(), me(c), roomID, userID); err != nil {
			d.fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

// parseDigits reads a non-negative decimal integer written with digits only:
// no sign, no spaces (strconv.Atoi would take "+5").
func parseDigits(s string) (int, error) {
	if s == "" || len(s) > 18 {
		return 0, strconv.ErrSyntax
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.Atoi(s)
}
