package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/api"
)

const (
	defaultEventPage = 100
	maxEventPage     = 1000
)

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
		since := querySince(c, p)
		limit := queryInt(c, p, "limit", defaultEventPage, 1, maxEventPage)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		from := int64(0)
		if since != nil {
			from = *since
		}
		events, version, err := d.store.Events(c.Request.Context(), me(c), roomID, from, limit)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		page := api.EventPage{Events: make([]api.Event, 0, len(events)), Version: version}
		for _, e := range events {
			page.Events = append(page.Events, e.API())
		}
		c.JSON(http.StatusOK, page)
	}
}
