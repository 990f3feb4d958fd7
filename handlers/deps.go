package handlers

// Helpers shared by the handler files: path IDs, the signed-in user, the
// dependencies of the board handlers, and query numbers.

import (
	"log/slog"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/syncboard/syncboard/auth"
	"github.com/syncboard/syncboard/models"
)

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

// pathIDs reads several UUID path parameters, answering 404 at the first
// that is not one.
func pathIDs(c *gin.Context, log *slog.Logger, names ...string) ([]uuid.UUID, bool) {
	ids := make([]uuid.UUID, len(names))
	for i, name := range names {
		id, ok := pathID(c, log, name)
		if !ok {
			return nil, false
		}
		ids[i] = id
	}
	return ids, true
}

// me is the signed-in user's ID (routes behind middleware.Authenticate).
func me(c *gin.Context) uuid.UUID {
	u, _ := auth.UserFrom(c.Request.Context())
	return u.ID
}

// boardDeps are what the room, member, column, card and event handlers
// share.
type boardDeps struct {
	store  *models.Store
	log    *slog.Logger
	boards *boardCache
}

// pathAndBody reads the UUID path parameter param and decodes the body into
// req. When either is bad it has already answered, and ok is false.
func (d boardDeps) pathAndBody(c *gin.Context, param string, req any) (id uuid.UUID, ok bool) {
	if id, ok = pathID(c, d.log, param); !ok {
		return uuid.Nil, false
	}
	if err := decode(c.Request, req); err != nil {
		writeError(c, d.log, err)
		return uuid.Nil, false
	}
	return id, true
}

// queryInt reads the optional query parameter name as a whole number from
// lo to hi (def when absent); a bad value is a problem of that field, never
// clamped.
func queryInt(c *gin.Context, p problems, name string, def, lo, hi int) int {
	raw, ok := c.GetQuery(name)
	if !ok {
		return def
	}
	n, err := parseDigits(raw)
	if err != nil || n < lo || n > hi {
		p.add(name, "must be a whole number from %d to %d", lo, hi)
	}
	return n
}

// queryCursor reads the optional ?cursor= of a list with decode (nil when
// absent or empty: the first page); one this API did not make is a problem
// of that field.
func queryCursor[C any](c *gin.Context, p problems, decode func(string) (C, error)) *C {
	raw := c.Query("cursor")
	if raw == "" {
		return nil
	}
	cur, err := decode(raw)
	if err != nil {
		p.add("cursor", "is not a cursor this API returned")
	}
	return &cur
}

// nextCursor is a page's next_cursor: null on the last page.
func nextCursor[C interface{ Encode() string }](next *C) *string {
	if next == nil {
		return nil
	}
	s := (*next).Encode()
	return &s
}

// querySince reads the optional ?since= room version (nil when absent).
func querySince(c *gin.Context, p problems) *int64 {
	raw, ok := c.GetQuery("since")
	if !ok {
		return nil
	}
	n, err := parseDigits(raw)
	if err != nil {
		p.add("since", "must be a version: a whole number, 0 or more")
		return nil
	}
	v := int64(n)
	return &v
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
