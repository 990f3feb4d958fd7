package handlers

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/models"
)

const maxLabelNameChars = 50

type labelRequest struct {
	Name  *string `json:"name"`
	Color *string `json:"color"`
}

// color checks a label color: one of models.LabelColors.
func (p problems) color(field string, value *string) string {
	if value == nil {
		return ""
	}
	v := strings.TrimSpace(*value)
	if !models.ValidColor(v) {
		p.add(field, "must be one of %s", strings.Join(models.LabelColors, ", "))
	}
	return v
}

func createLabel(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req labelRequest
		roomID, ok := d.pathAndBody(c, "room_id", &req)
		if !ok {
			return
		}
		p := problems{}
		nl := models.NewLabel{Name: p.required("name", req.Name, 1, maxLabelNameChars)}
		if req.Color == nil {
			p.add("color", "is required")
		}
		nl.Color = p.color("color", req.Color)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		l, err := d.store.CreateLabel(c.Request.Context(), me(c), roomID, nl)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusCreated, l.API())
	}
}

func updateLabel(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req labelRequest
		labelID, ok := d.pathAndBody(c, "label_id", &req)
		if !ok {
			return
		}
		p := problems{}
		var up models.LabelUpdate
		if req.Name != nil {
			name := p.text("name", *req.Name, 1, maxLabelNameChars)
			up.Name = &name
		}
		if req.Color != nil {
			color := p.color("color", req.Color)
			up.Color = &color
		}
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		l, err := d.store.UpdateLabel(c.Request.Context(), me(c), labelID, up)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusOK, l.API())
	}
}

func deleteLabel(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		labelID, ok := pathID(c, d.log, "label_id")
		if !ok {
			return
		}
		if err := d.store.DeleteLabel(c.Request.Context(), me(c), labelID); err != nil {
			writeError(c, d.log, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}

// setCardLabel puts a label on a card (on) or takes it off: 200 Card.
func setCardLabel(d boardDeps, on bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ids, ok := pathIDs(c, d.log, "card_id", "label_id")
		if !ok {
			return
		}
		card, err := d.store.SetCardLabel(c.Request.Context(), me(c), ids[0], ids[1], on)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusOK, card.API())
	}
}

// setCardAssignee assigns a member to a card (on) or unassigns them: 200
// Card.
func setCardAssignee(d boardDeps, on bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ids, ok := pathIDs(c, d.log, "card_id", "user_id")
		if !ok {
			return
		}
		card, err := d.store.SetCardAssignee(c.Request.Context(), me(c), ids[0], ids[1], on)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusOK, card.API())
	}
}
