package openapi

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// apiGuide is the users' guide to the API, whose endpoint tables must list
// exactly the operations of this document.
const apiGuide = "../docs/API.md"

var (
	// guideRow is a table row whose first cell is `METHOD /path`, with an
	// optional query string that is not part of the operation.
	guideRow = regexp.MustCompile("^\\|\\s*`(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (/[^`?\\s]*)(?:\\?[^`]*)?`\\s*\\|")
	// pathParam is a path parameter; its name does not matter for matching.
	pathParam = regexp.MustCompile(`\{[^}/]+\}`)
)

// operationKey is "METHOD /path" with every path parameter written {}, so
// the guide may name a parameter differently from the document.
func operationKey(method, path string) string {
	return strings.ToUpper(method) + " " + pathParam.ReplaceAllString(path, "{}")
}

// guideOperations returns the operations in the tables of the guide, each
// with the line it is on.
func guideOperations(t *testing.T, guide []byte) map[string]int {
	t.Helper()
	ops := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(guide))
	for line := 1; sc.Scan(); line++ {
		m := guideRow.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		key := operationKey(m[1], m[2])
		if first, ok := ops[key]; ok {
			t.Errorf("%s:%d: %s is listed twice (first on line %d); give each operation one row", apiGuide, line, key, first)
			continue
		}
		ops[key] = line
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", apiGuide, err)
	}
	return ops
}

// TestAPIGuideListsEveryOperation: every `METHOD /path` row in the tables of
// docs/API.md is an operation of openapi.yaml, and every operation of
// openapi.yaml has a row, so the guide neither invents nor forgets an
// endpoint.
func TestAPIGuideListsEveryOperation(t *testing.T) {
	guide, err := os.ReadFile(apiGuide)
	if err != nil {
		t.Fatalf("the API guide: %v", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(YAML())
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[operationKey(method, path)] = true
		}
	}
	listed := guideOperations(t, guide)

	var extra, missing []string
	for key, line := range listed {
		if !documented[key] {
			extra = append(extra, fmt.Sprintf("%s (line %d)", key, line))
		}
	}
	for key := range documented {
		if _, ok := listed[key]; !ok {
			missing = append(missing, key)
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	if len(extra) > 0 {
		t.Errorf("%s lists operations that openapi.yaml does not have:\n  %s", apiGuide, strings.Join(extra, "\n  "))
	}
	if len(missing) > 0 {
		t.Errorf("operations of openapi.yaml with no row in a table of %s (first cell `METHOD /path`):\n  %s",
			apiGuide, strings.Join(missing, "\n  "))
	}
	if len(documented) < 20 {
		t.Errorf("openapi.yaml has only %d operations; did it load?", len(documented))
	}
}

// TestGuideRow pins what counts as an endpoint row of the guide.
func TestGuideRow(t *testing.T) {
	tests := []struct {
		line string
		want string // "" for no match
	}{
		{"| `POST /api/rooms` | `{name}` | 201 |", "POST /api/rooms"},
		{"|`GET /api/rooms/{room_id}/events?since=N`| x |", "GET /api/rooms/{}/events"},
		{"| `DELETE /api/rooms/{id}/members/{user}` | | 204 |", "DELETE /api/rooms/{}/members/{}"},
		{"| `GET /` | page |", "GET /"},
		{"| 404 | `not_found` | no such thing |", ""},
		{"Call `GET /api/rooms` first.", ""},
		{"| see `GET /api/rooms` | x |", ""},
	}
	for _, tt := range tests {
		var got string
		if m := guideRow.FindStringSubmatch(tt.line); m != nil {
			got = operationKey(m[1], m[2])
		}
		if got != tt.want {
			t.Errorf("row %q: got %q, want %q", tt.line, got, tt.want)
		}
	}
}
