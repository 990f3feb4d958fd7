package handlers

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/middleware"
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
	Role  *string `json:"role"`
}

type memberRoleRequest struct {
	Role *string `json:"role"`
}

// role reads a member's role: one of owner, member, viewer; "" when
// optional and absent.
func (p problems) role(field string, value *string, required bool) string {
	if value == nil {
		if required {
			p.add(field, "is required")
		}
		return ""
	}
	if !models.ValidRole(*value) {
		p.add(field, "must be owner, member or viewer")
	}
	return *value
}

func createRoom(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req roomRequest
		if err := decode(c.Request, &req); err != nil {
			writeError(c, d.log, err)
			return
		}
		p := problems{}
		name := p.required("name", req.Name, 1, maxNameChars)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		v, err := d.store.CreateRoom(c.Request.Context(), me(c), name)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusCreated, v.API())
	}
}

func listRooms(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := problems{}
		limit := queryInt(c, p, "limit", defaultPageSize, 1, maxPageSize)
		after := queryCursor(c, p, models.DecodeRoomCursor)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		rooms, next, err := d.store.ListRooms(c.Request.Context(), me(c), limit, after)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		page := api.RoomPage{Items: make([]api.Room, 0, len(rooms))}
		for _, r := range rooms {
			page.Items = append(page.Items, r.API())
		}
		page.NextCursor = nextCursor(next)
		c.JSON(http.StatusOK, page)
	}
}

// getBoard answers 304 to a matching If-None-Match after one cheap query,
// the cached body of an unchanged board after the same query, and else
// loads the whole board (two more statements) and caches its body.
func getBoard(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		roomID, ok := pathID(c, d.log, "room_id")
		if !ok {
			return
		}
		inm := c.GetHeader("If-None-Match")
		var cached *cachedBoard
		// The client's copy or the cache may hold the body of the head's
		// tag; only when neither does is the rest of the board read.
		head, board, err := d.store.BoardUnless(c.Request.Context(), me(c), roomID, func(h models.BoardHead) bool {
			if etagMatches(inm, h.Tag) {
				return true
			}
			cached = d.boards.get(roomID, h.View.Role, h.Tag)
			return cached != nil
		})
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		switch {
		case board != nil:
			body := board.BoardAPI().AppendJSON(nil)
			if cap(body) > len(body)+len(body)/4 {
				body = bytes.Clone(body) // the cache keeps it: not twice its size
			}
			// The board may have changed since its head was read: it is
			// then newer than head.Tag says, and goes out under its own.
			tag := board.Tag()
			if kept := d.boards.put(roomID, board.Role, tag, body); kept != nil {
				writeBoard(c, kept)
				return
			}
			c.Header("ETag", tag)
			c.Data(http.StatusOK, jsonType, body)
		case cached != nil:
			writeBoard(c, cached)
		default:
			c.Header("ETag", head.Tag)
			c.Status(http.StatusNotModified)
		}
	}
}

const jsonType = "application/json; charset=utf-8"

// writeBoard sends a kept board, compressed when the client takes gzip and
// the body is over middleware.GzipMinBytes, as middleware.Gzip would send
// it (which leaves an encoded body alone), from the copy compressed once.
func writeBoard(c *gin.Context, b *cachedBoard) {
	if len(b.body) > middleware.GzipMinBytes && middleware.AcceptsGzip(c.GetHeader("Accept-Encoding")) {
		c.Header("Content-Encoding", "gzip")
		c.Header("ETag", "W/"+b.tag)
		middleware.AddVary(c.Writer.Header(), "Accept-Encoding")
		c.Data(http.StatusOK, jsonType, b.gzipped())
		return
	}
	c.Header("ETag", b.tag)
	c.Data(http.StatusOK, jsonType, b.body)
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
			writeError(c, d.log, err)
			return
		}
		v, err := d.store.RenameRoom(c.Request.Context(), me(c), roomID, name)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusOK, v.API())
	}
}

func deleteRoom(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		roomID, ok := pathID(c, d.log, "room_id")
		if !ok {
			return
		}
		if err := d.store.DeleteRoomAs(c.Request.Context(), me(c), roomID); err != nil {
			writeError(c, d.log, err)
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
			writeError(c, d.log, err)
			return
		}
		out := make([]api.Member, 0, len(ms))
		for _, m := range ms {
			out = append(out, m.API())
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
		role := p.role("role", req.Role, false)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		m, err := d.store.AddMember(c.Request.Context(), me(c), roomID, email, role)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusCreated, m.API())
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
			writeError(c, d.log, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

func updateMember(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		ids, ok := pathIDs(c, d.log, "room_id", "user_id")
		if !ok {
			return
		}
		var req memberRoleRequest
		if err := decode(c.Request, &req); err != nil {
			writeError(c, d.log, err)
			return
		}
		p := problems{}
		role := p.role("role", req.Role, true)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		m, err := d.store.UpdateMemberRole(c.Request.Context(), me(c), ids[0], ids[1], role)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusOK, m.API())
	}
}
