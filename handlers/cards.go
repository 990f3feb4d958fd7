package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// columnRequest is the body of both creating and changing a column.
type columnRequest struct {
	Name     *string `json:"name"`
	Position *int    `json:"position"`
}

type createCardRequest struct {
	Title       *string `json:"title"`
	Description *string `json:"description"`
	Position    *int    `json:"position"`
}

// updateCardRequest has no position: a position sent here is an unknown
// field, ignored; moving is POST /api/cards/{id}/move.
type updateCardRequest struct {
	Title       *string      `json:"title"`
	Description *string      `json:"description"`
	DueAt       nullableText `json:"due_at"` // null clears the due date
	DueComplete *bool        `json:"due_complete"`
}

type moveCardRequest struct {
	ColumnID *string `json:"column_id"`
	Position *int    `json:"position"`
}

// position checks an optional position: 0 or more (past the end is clamped
// by the Store).
func (p problems) position(field string, v *int) {
	if v != nil && *v < 0 {
		p.add(field, "must be 0 or more")
	}
}

func createColumn(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req columnRequest
		roomID, ok := d.pathAndBody(c, "room_id", &req)
		if !ok {
			return
		}
		p := problems{}
		name := p.required("name", req.Name, 1, maxNameChars)
		p.position("position", req.Position)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		col, err := d.store.CreateColumn(c.Request.Context(), me(c), roomID, name, req.Position)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusCreated, col.API())
	}
}

func updateColumn(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req columnRequest
		columnID, ok := d.pathAndBody(c, "column_id", &req)
		if !ok {
			return
		}
		p := problems{}
		var up models.ColumnUpdate
		if req.Name != nil {
			name := p.text("name", *req.Name, 1, maxNameChars)
			up.Name = &name
		}
		p.position("position", req.Position)
		up.Position = req.Position
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		col, err := d.store.UpdateColumn(c.Request.Context(), me(c), columnID, up)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusOK, col.API())
	}
}

func deleteColumn(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		columnID, ok := pathID(c, d.log, "column_id")
		if !ok {
			return
		}
		if err := d.store.DeleteColumn(c.Request.Context(), me(c), columnID); err != nil {
			writeError(c, d.log, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

func createCard(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req createCardRequest
		columnID, ok := d.pathAndBody(c, "column_id", &req)
		if !ok {
			return
		}
		p := problems{}
		nc := models.NewCard{Title: p.required("title", req.Title, 1, maxTitleChars), Position: req.Position}
		if req.Description != nil {
			nc.Description = p.text("description", *req.Description, 0, maxDescriptionChars)
		}
		p.position("position", req.Position)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		card, err := d.store.CreateCard(c.Request.Context(), me(c), columnID, nc)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusCreated, card.API())
	}
}

func getCard(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		cardID, ok := pathID(c, d.log, "card_id")
		if !ok {
			return
		}
		card, err := d.store.Card(c.Request.Context(), me(c), cardID)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusOK, card.API())
	}
}

func updateCard(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req updateCardRequest
		cardID, ok := d.pathAndBody(c, "card_id", &req)
		if !ok {
			return
		}
		p := problems{}
		var up models.CardUpdate
		if req.Title != nil {
			title := p.text("title", *req.Title, 1, maxTitleChars)
			up.Title = &title
		}
		if req.Description != nil {
			desc := p.text("description", *req.Description, 0, maxDescriptionChars)
			up.Description = &desc
		}
		if req.DueAt.Set {
			up.SetDue, up.DueAt = true, p.timestamp("due_at", req.DueAt.Value)
		}
		up.DueComplete = req.DueComplete
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		card, err := d.store.UpdateCard(c.Request.Context(), me(c), cardID, up)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusOK, card.API())
	}
}

func moveCard(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req moveCardRequest
		cardID, ok := d.pathAndBody(c, "card_id", &req)
		if !ok {
			return
		}
		p := problems{}
		var to uuid.UUID
		switch {
		case req.ColumnID == nil:
			p.add("column_id", "is required")
		default:
			var err error
			if to, err = uuid.Parse(*req.ColumnID); err != nil {
				p.add("column_id", "must be a column ID")
			}
		}
		if req.Position == nil {
			p.add("position", "is required")
		}
		p.position("position", req.Position)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		card, err := d.store.MoveCard(c.Request.Context(), me(c), cardID, to, *req.Position)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusOK, card.API())
	}
}

func deleteCard(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		cardID, ok := pathID(c, d.log, "card_id")
		if !ok {
			return
		}
		if err := d.store.DeleteCard(c.Request.Context(), me(c), cardID); err != nil {
			writeError(c, d.log, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}
