package handlers

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/api"
	"github.com/syncboard/syncboard/internal/reqid"
	"github.com/syncboard/syncboard/models"
)

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[models.Code]int{
	models.CodeBadRequest:         http.StatusBadRequest,
	models.CodeUnauthorized:       http.StatusUnauthorized,
	models.CodeInvalidCredentials: http.StatusUnauthorized,
	models.CodeForbidden:          http.StatusForbidden,
	models.CodeNotFound:           http.StatusNotFound,
	models.CodeMethodNotAllowed:   http.StatusMethodNotAllowed,
	models.CodeEmailTaken:         http.StatusConflict,
	models.CodeAlreadyMember:      http.StatusConflict,
	models.CodeOwnerCannotLeave:   http.StatusConflict,
	models.CodeResyncRequired:     http.StatusGone,
	models.CodePayloadTooLarge:    http.StatusRequestEntityTooLarge,
	models.CodeValidationFailed:   http.StatusUnprocessableEntity,
	models.CodeRateLimited:        http.StatusTooManyRequests,
	models.CodeInternal:           http.StatusInternalServerError,
	models.CodeUnavailable:        http.StatusServiceUnavailable,

	models.CodeUnsupportedMediaType: http.StatusUnsupportedMediaType,
	models.CodeLabelExists:          http.StatusConflict,
	models.CodeLastOwner:            http.StatusConflict,
}

// RetryAfterSeconds is sent with 503 responses: long enough for a database
// failover or restart, short enough for a client to come back soon.
const RetryAfterSeconds = "5"

// writeError is the one place an error becomes a response: the contract's
// error body, with the status of its code, and the chain aborted. The Store
// and the auth package return *models.Error for every outcome they know
// (outages included, as CodeUnavailable); anything else is a bug, logged
// with the request ID and answered as a bare 500 that reveals nothing. An
// error's cause is logged, never sent. (A 429's Retry-After is set by the
// rate limiter, which knows when the window reopens.)
func writeError(c *gin.Context, log *slog.Logger, err error) {
	ctx := c.Request.Context()
	var e *models.Error
	status, ok := 0, false
	if errors.As(err, &e) {
		status, ok = statusOf[e.Code]
	}
	switch {
	case !ok:
		log.ErrorContext(ctx, "internal error", "error", err.Error(), "request_id", reqid.From(ctx),
			"method", c.Request.Method, "route", c.FullPath())
		e, status = &models.Error{Code: models.CodeInternal, Message: "internal server error"}, http.StatusInternalServerError
	case e.Code == models.CodeUnavailable && e.Err != nil:
		log.WarnContext(ctx, "unavailable", "error", err.Error(), "request_id", reqid.From(ctx))
	case e.Code == models.CodeUnauthorized && e.Err != nil:
		log.DebugContext(ctx, "authentication refused", "reason", e.Err.Error(), "request_id", reqid.From(ctx))
	}
	switch status {
	case http.StatusUnauthorized:
		c.Header("WWW-Authenticate", "Bearer")
	case http.StatusServiceUnavailable:
		c.Header("Retry-After", RetryAfterSeconds)
	}
	body := api.ErrorBody{Error: api.ErrorDetail{Code: string(e.Code), Message: e.Message}}
	if e.Code == models.CodeValidationFailed {
		body.Error.Fields = e.Fields
	}
	c.AbortWithStatusJSON(status, body)
}
