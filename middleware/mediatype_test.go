package middleware

import "testing"

// TestIsJSON: application/json in any case, with parameters, and a charset
// only UTF-8.
func TestIsJSON(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		contentType string
		want        bool
	}{
		{"application/json", true},
		{"APPLICATION/JSON", true},
		{"application/json; charset=utf-8", true},
		{"application/json;charset=UTF-8", true},
		{`application/json; charset="utf-8"`, true},
		{"application/json; foo=bar", true},
		{"", false},
		{"application/jsonx", false},
		{"application/json-seq", false},
		{"application/problem+json", false},
		{"text/json", false},
		{"text/plain", false},
		{"application/x-www-form-urlencoded", false},
		{"multipart/form-data; boundary=x", false},
		{"application/json; charset=latin1", false},
		{"application/json; charset=utf-16", false},
		{"application/json; charset", false},
		{"application/json, text/plain", false},
		{"application", false},
	} {
		if got := IsJSON(tt.contentType); got != tt.want {
			t.Errorf("IsJSON(%q) = %v, want %v", tt.contentType, got, tt.want)
		}
	}
}
