package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/models"
)

// maxQueryChars bounds a search's text: enough for any real query, and a
// tsquery of thousands of terms is work nobody should be able to ask for.
const maxQueryChars = 200

// search answers GET /api/search?q=&limit=&cursor=: the caller's cards,
// in every room they belong to, that match q, best first.
func search(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := problems{}
		q := ""
		if raw, ok := c.GetQuery("q"); ok {
			q = p.text("q", raw, 1, maxQueryChars)
		} else {
			p.add("q", "is required")
		}
		limit := queryInt(c, p, "limit", defaultPageSize, 1, maxPageSize)
		after := queryCursor(c, p, models.DecodeSearchCursor)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		hits, next, err := d.store.Search(c.Request.Context(), me(c), q, limit, after)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		page := api.SearchPage{Items: make([]api.SearchHit, 0, len(hits))}
		for _, h := range hits {
			page.Items = append(page.Items, h.API())
		}
		page.NextCursor = nextCursor(next)
		c.JSON(http.StatusOK, page)
	}
}
