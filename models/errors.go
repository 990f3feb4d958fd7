package models

import (
	"errors"
	"fmt"
)

// Code names a class of failure. Codes are part of the public API: they are
// the "code" of the error body that clients branch on.
type Code string

// The codes of the API contract.
const (
	CodeBadRequest         Code = "bad_request"
	CodeUnauthorized       Code = "unauthorized"
	CodeInvalidCredentials Code = "invalid_credentials"
	CodeForbidden          Code = "forbidden"
	CodeNotFound           Code = "not_found"
	CodeMethodNotAllowed   Code = "method_not_allowed"
	CodeEmailTaken         Code = "email_taken"
	CodeAlreadyMember      Code = "already_member"
	CodeOwnerCannotLeave   Code = "owner_cannot_leave"
	CodeResyncRequired     Code = "resync_required"
	CodePayloadTooLarge    Code = "payload_too_large"
	CodeValidationFailed   Code = "validation_failed"
	CodeRateLimited        Code = "rate_limited"
	CodeInternal           Code = "internal"
	CodeUnavailable        Code = "unavailable"

	// CodeUnsupportedMediaType: a request body sent without Content-Type:
	// application/json.
	CodeUnsupportedMediaType Code = "unsupported_media_type"
	CodeLabelExists          Code = "label_exists"
	// CodeLastOwner: demoting the last owner of a room.
	CodeLastOwner Code = "last_owner"
)

// Error is SyncBoard's one error type: a code, a message safe to show a
// client, for validation failures the problem with each field, and
// optionally the cause, which is logged and never shown.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	Err     error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s", e.Code, e.Message)
	if len(e.Fields) > 0 {
		s += fmt.Sprintf(" %v", e.Fields)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// CodeInternal for any other error: an error nobody classified is a bug.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
