package handlers

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/database"
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
}

// ErrorBody is the JSON body of every 4xx and 5xx response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code    models.Code       `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// RetryAfterSeconds is sent with 503 responses: long enough for a database
// failover or restart, short enough for a client to come back soon.
const RetryAfterSeconds = "5"

// writeError writes err as the contract's error body and aborts the chain.
// Errors that are not a *models.Error with a known code are bugs or outages:
// they are logged with the request ID and reach the client as a bare 500,
// revealing nothing. (A 429's Retry-After is set by the rate limiter, which
// knows when the window reopens.)
func writeError(c *gin.Context, log *slog.Logger, err error) {
	var e *models.Error
	status, ok := 0, false
	if errors.As(err, &e) {
		status, ok = statusOf[e.Code]
	} else if database.IsUnavailable(err) {
		log.WarnContext(c.Request.Context(), "database unavailable",
			"error", err.Error(), "request_id", reqid.From(c.Request.Context()))
		e = &models.Error{Code: models.CodeUnavailable, Message: "the database cannot be reached; try again shortly"}
		status, ok = http.StatusServiceUnavailable, true
	}
	if !ok {
		log.ErrorContext(c.Request.Context(), "internal error",
			"error", err.Error(), "request_id", reqid.From(c.Request.Context()),
			"method", c.Request.Method, "route", c.FullPath())
		e = &models.Error{Code: models.CodeInternal, Message: "internal server error"}
		status = http.StatusInternalServerError
	}
	switch status {
	case http.StatusUnauthorized:
		c.Header("WWW-Authenticate", "Bearer")
	case http.StatusServiceUnavailable:
		c.Header("Retry-After", RetryAfterSeconds)
	}
	body := ErrorBody{Error: ErrorDetail{Code: e.Code, Message: e.Message}}
	if e.Code == models.CodeValidationFailed {
		body.Error.Fields = e.Fields
	}
	c.AbortWithStatusJSON(status, body)
}
