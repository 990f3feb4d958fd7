package handlers

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

// Archive and restore take no body: the path names what goes or comes
// back, and the Store decides where (the end of the sequence).

// cardAction answers a change to one card named by the path with the card.
func cardAction(d boardDeps, do func(ctx context.Context, userID, cardID uuid.UUID) (models.Card, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		cardID, ok := pathID(c, d.log, "card_id")
		if !ok {
			return
		}
		card, err := do(c.Request.Context(), me(c), cardID)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusOK, card.API())
	}
}

// columnAction answers a change to one column named by the path with the
// column.
func columnAction(d boardDeps, do func(ctx context.Context, userID, columnID uuid.UUID) (models.Column, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		columnID, ok := pathID(c, d.log, "column_id")
		if !ok {
			return
		}
		col, err := do(c.Request.Context(), me(c), columnID)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusOK, col.API())
	}
}

func listArchive(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		roomID, ok := pathID(c, d.log, "room_id")
		if !ok {
			return
		}
		a, err := d.store.Archived(c.Request.Context(), me(c), roomID)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusOK, a.API())
	}
}
