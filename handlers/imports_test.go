package handlers

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestHandlersLeaveTheDatabaseToTheStore: the HTTP layer reaches data only
// through models.Store and learns about outages only from its error codes,
// so no handler file imports the database package, GORM or the driver.
func TestHandlersLeaveTheDatabaseToTheStore(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case path == "github.com/syncboard/syncboard/database",
				strings.HasPrefix(path, "gorm.io/"),
				strings.HasPrefix(path, "github.com/jackc/"):
				t.Errorf("%s imports %s: handlers go through the Store", name, path)
			}
		}
	}
}
