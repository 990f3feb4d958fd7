package handlers

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/syncboard/syncboard/models"
)

const (
	defaultEventPage = 100
	maxEventPage     = 1000
)

// EventResponse is the contract's Event.
type EventResponse struct {
	Version int64           `json:"version"`
	Type    string          `json:"type"`
	ActorID *uuid.UUID      `json:"actor_id"`
	At      time.Time       `json:"at"`
	Data    json.RawMessage `json:"data"`
}

// EventPage is the answer of the polling endpoint.
type EventPage struct {
	Events  []EventResponse `json:"events"`
	Version int64           `json:"version"`
}

func newEventResponse(e models.RoomEvent) EventResponse {
	return EventResponse{Version: e.Version, Type: e.Type, ActorID: e.ActorID, At: e.At.UTC(), Data: e.Data}
}

// listEvents answers GET /api/rooms/{id}/events?since=N&limit=: the events
// after version N in order, or 410 resync_required when they are no longer
// all kept.
func listEvents(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		roomID, ok := pathID(c, d.log, "room_id")
		if !ok {
			return
		}
		p := problems{}
		var since int64
		if raw, ok := c.GetQuery("since"); ok {
			n, err := parseDigits(raw)
			if err != nil {
				p.add("since", "must be a version: a whole number, 0 or more")
			}
			since = int64(n)
		}
		limit := defaultEventPage
		if raw, ok := c.GetQuery("limit"); ok {
			n, err := parseDigits(raw)
			if err != nil || n < 1 || n > maxEventPage {
				p.add("limit", "must be a whole number from 1 to %d", maxEventPage)
			}
			limit = n
		}
		if err := p.err(); err != nil {
			d.fail(c, err)
			return
		}
		events, version, err := d.store.Events(c.Request.Context(), me(c), roomID, since, limit)
		if err != nil {
			d.fail(c, err)
			return
		}
		page := EventPage{Events: make([]EventResponse, 0, len(events)), Version: version}
		for _, e := range events {
			page.Events = append(page.Events, newEventResponse(e))
		}
		c.JSON(http.StatusOK, page)
	}
}
