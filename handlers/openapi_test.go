package handlers

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/syncboard/syncboard/internal/apitest"
)

var ginParam = regexp.MustCompile(`:([a-z_]+)`)

// TestRoutesMatchTheDocument: every route the router registers is an
// operation of the OpenAPI document, and every operation is a route.
func TestRoutesMatchTheDocument(t *testing.T) {
	t.Parallel()
	doc := apitest.Doc(t)
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	registered := map[string]bool{}
	for _, r := range newEngine(t, Deps{}).Routes() {
		registered[r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	var missing, extra []string
	for k := range registered {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !registered[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.yaml:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(extra) > 0 {
		t.Errorf("operations in openapi.yaml with no route:\n  %s", strings.Join(extra, "\n  "))
	}
	if len(registered) < 20 {
		t.Errorf("only %d routes registered; the router did not build", len(registered))
	}
}

// TestDocumentIsServed: /openapi.json is the document as JSON, and /docs
// is a page that renders it.
func TestDocumentIsServed(t *testing.T) {
	t.Parallel()
	r := newRouter(t, Deps{})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc.OpenAPI != "3.1.0" || len(doc.Paths) == 0 {
		t.Fatalf("/openapi.json = %d %.200s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("/openapi.json Content-Type = %q", ct)
	}
	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/docs", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `spec-url="/openapi.json"`) {
		t.Errorf("/docs = %d %.300s", rec.Code, rec.Body)
	}
}
