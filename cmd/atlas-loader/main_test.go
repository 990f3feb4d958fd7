package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestLoaderLinksOnlyTheModels: what atlas.hcl runs loads the models and
// nothing of the server's migration machinery. The atlas CLI starts it on
// every `migrate diff`, so it should build fast and never touch a database
// on its own. (pgx is still linked: atlas-provider-gorm imports every GORM
// driver, gorm.io/driver/postgres among them; nothing of ours pulls it in.)
func TestLoaderLinksOnlyTheModels(t *testing.T) {
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(gobin); err != nil {
		gobin = "go"
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	ours := map[string]bool{}
	for _, pkg := range strings.Fields(string(out)) {
		if rest, ok := strings.CutPrefix(pkg, "github.com/syncboard/syncboard/"); ok {
			ours[rest] = true
		}
		for _, banned := range []string{"ariga.io/atlas/sql/migrate", "ariga.io/atlas/sql/postgres"} {
			if pkg == banned {
				t.Errorf("the loader links %s: planning and applying belong to other packages", pkg)
			}
		}
	}
	for pkg := range ours {
		switch pkg {
		case "cmd/atlas-loader", "internal/schemaload", "models", "api":
		default:
			t.Errorf("the loader links %s; it should link only the models and their loader", pkg)
		}
	}
	if !ours["models"] {
		t.Errorf("go list -deps did not list the models: %s", bytes.TrimSpace(out))
	}
}
