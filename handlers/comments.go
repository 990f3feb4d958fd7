package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/models"
)

const maxCommentChars = 5_000

type commentRequest struct {
	Body *string `json:"body"`
}

func listComments(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		cardID, ok := pathID(c, d.log, "card_id")
		if !ok {
			return
		}
		p := problems{}
		limit := queryInt(c, p, "limit", defaultPageSize, 1, maxPageSize)
		after := queryCursor(c, p, models.DecodeCommentCursor)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		comments, next, err := d.store.Comments(c.Request.Context(), me(c), cardID, limit, after)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		page := api.CommentPage{Items: make([]api.Comment, 0, len(comments))}
		for _, cm := range comments {
			page.Items = append(page.Items, cm.API())
		}
		page.NextCursor = nextCursor(next)
		c.JSON(http.StatusOK, page)
	}
}

func createComment(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req commentRequest
		cardID, ok := d.pathAndBody(c, "card_id", &req)
		if !ok {
			return
		}
		p := problems{}
		body := p.required("body", req.Body, 1, maxCommentChars)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		cm, err := d.store.CreateComment(c.Request.Context(), me(c), cardID, body)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusCreated, cm.API())
	}
}

func updateComment(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req commentRequest
		commentID, ok := d.pathAndBody(c, "comment_id", &req)
		if !ok {
			return
		}
		p := problems{}
		body := p.required("body", req.Body, 1, maxCommentChars)
		if err := p.err(); err != nil {
			writeError(c, d.log, err)
			return
		}
		cm, err := d.store.UpdateComment(c.Request.Context(), me(c), commentID, body)
		if err != nil {
			writeError(c, d.log, err)
			return
		}
		c.JSON(http.StatusOK, cm.API())
	}
}

func deleteComment(d boardDeps) gin.HandlerFunc {
	return func(c *gin.Context) {
		commentID, ok := pathID(c, d.log, "comment_id")
		if !ok {
			return
		}
		if err := d.store.DeleteComment(c.Request.Context(), me(c), commentID); err != nil {
			writeError(c, d.log, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}
