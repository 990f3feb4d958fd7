package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/syncboard/syncboard/models"
)

// decode reads a JSON object body into dst (a request DTO). It answers the
// contract's codes: 413 for a body over the limit, 400 for a body that is not
// one JSON object, is not valid UTF-8 (raw bytes, or a \u escape of half a
// surrogate pair) or has a field of the wrong JSON type. Unknown fields are
// ignored. (Its Content-Type was checked by middleware.RequireJSON.)
func decode(r *http.Request, dst any) error {
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return models.Errorf(models.CodePayloadTooLarge, "the body is larger than %d bytes", tooBig.Limit)
	}
	if err != nil {
		return models.Errorf(models.CodeBadRequest, "the body could not be read")
	}
	// encoding/json would replace each invalid byte with U+FFFD: a password
	// of eight 0xFF bytes would then match one of eight 0x80 bytes.
	if !utf8.Valid(body) {
		return models.Errorf(models.CodeBadRequest, "the body is not valid UTF-8")
	}
	// JSON's own whitespace only: bytes.TrimSpace would also accept Unicode
	// spaces (U+00A0, U+0085) that JSON does not allow.
	trimmed := bytes.Trim(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return models.Errorf(models.CodeBadRequest, "the body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		return models.Errorf(models.CodeBadRequest, "the body is not valid JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return models.Errorf(models.CodeBadRequest, "the body must hold exactly one JSON object")
	}
	if loneSurrogate(trimmed) {
		return models.Errorf(models.CodeBadRequest, "the body has a \\u escape of an unpaired UTF-16 surrogate, which is not valid UTF-8")
	}
	return setFields(fields, dst)
}

// loneSurrogate reports whether the JSON text b (already known to be valid
// JSON) has a \u escape of a UTF-16 surrogate that is not half of a pair,
// such as "\ud800": it stands for no character, and encoding/json would
// silently decode it as U+FFFD. A pair ("\ud83d\ude00") is one character.
func loneSurrogate(b []byte) bool {
	inString := false
	for i := 0; i < len(b); i++ {
		switch {
		case !inString:
			inString = b[i] == '"'
		case b[i] == '"':
			inString = false
		case b[i] == '\\':
			i++ // valid JSON: an escape always has its next byte
			if b[i] != 'u' {
				continue
			}
			r := hex4(b[i+1 : i+5])
			i += 4
			switch {
			case r < 0xD800 || r > 0xDFFF:
			case r >= 0xDC00: // a low half with no high half before it
				return true
			case i+6 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' && isLowSurrogate(hex4(b[i+3:i+7])):
				i += 6
			default: // a high half with no low half after it
				return true
			}
		}
	}
	return false
}

func isLowSurrogate(r rune) bool { return r >= 0xDC00 && r <= 0xDFFF }

// hex4 decodes the four hex digits of a \u escape (valid JSON has them).
func hex4(h []byte) rune {
	var r rune
	for _, c := range h {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// setFields fills the fields of the DTO *dst from the object's members whose
// names match a json tag exactly. encoding/json would also match "NAME" or
// "nAme" to "name"; the contract says unknown fields are ignored, and a
// field in another case is an unknown field.
func setFields(fields map[string]json.RawMessage, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		raw, ok := fields[name]
		if name == "" || name == "-" || !ok {
			continue
		}
		if err := json.Unmarshal(raw, v.Field(i).Addr().Interface()); err != nil {
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				return models.Errorf(models.CodeBadRequest, "field %q must be a JSON %s", name, jsonKind(typeErr.Type.Kind().String()))
			}
			return models.Errorf(models.CodeBadRequest, "field %q is not valid JSON", name)
		}
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "integer"
	default:
		return "number"
	}
}

// problems collects validation failures, one message per field, and becomes
// a 422 validation_failed error naming every bad field.
type problems map[string]string

func (p problems) add(field, format string, args ...any) {
	if _, ok := p[field]; !ok {
		p[field] = fmt.Sprintf(format, args...)
	}
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &models.Error{Code: models.CodeValidationFailed, Message: "the request breaks a rule; see fields", Fields: p}
}

// text checks a trimmed text field: valid UTF-8, no NUL, and a length in
// characters (runes) between lo and hi. It returns the trimmed value.
func (p problems) text(field, value string, lo, hi int) string {
	v := strings.TrimSpace(value)
	switch n := utf8.RuneCountInString(v); {
	case !utf8.ValidString(v):
		p.add(field, "must be valid UTF-8")
	case strings.ContainsRune(v, 0):
		p.add(field, "must not contain NUL characters")
	case n < lo && lo == 1:
		p.add(field, "must not be empty")
	case n < lo:
		p.add(field, "must be at least %d characters", lo)
	case n > hi:
		p.add(field, "must be at most %d characters", hi)
	}
	return v
}

// required is text for a field that must be present.
func (p problems) required(field string, value *string, lo, hi int) string {
	if value == nil {
		p.add(field, "is required")
		return ""
	}
	return p.text(field, *value, lo, hi)
}

// nullableText is a JSON field that may be absent (Set false), null (Set,
// Value nil) or a string: for fields where null means "clear it".
type nullableText struct {
	Set   bool
	Value *string
}

// UnmarshalJSON is called only for a field that is present (setFields).
func (n *nullableText) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Value = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: "non-string", Type: reflect.TypeOf("")}
	}
	n.Value = &s
	return nil
}

// timestamp checks an RFC 3339 timestamp (nil stays nil) and returns it in
// UTC, to the microsecond PostgreSQL keeps.
func (p problems) timestamp(field string, value *string) *time.Time {
	if value == nil {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(*value))
	if err != nil {
		p.add(field, "must be an RFC 3339 timestamp, such as 2026-12-24T17:00:00Z, or null")
		return nil
	}
	if t.Year() < 1 || t.Year() > 9999 {
		p.add(field, "must be a year from 1 to 9999")
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}
