package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// relativePath is a path that climbs with ../ (at the start of a word, so
// ".../x" and "/a/../b" inside URLs are not paths of this checkout).
var relativePath = regexp.MustCompile(`(?:^|[^\w./-])((?:\.\./)+[\w.\-/]*[\w\-/])`)

// vendored files are third-party code kept byte-identical to a pinned
// package (scripts/check-redoc.sh): their strings are not paths of this
// checkout (Redoc's bundle returns a relative reference climbing to
// "dictionary" as an example value).
var vendored = map[string]bool{"web/docs/redoc.standalone.js": true}

// TestNoReferencesOutsideTheRepository: the repository stands alone. Every
// ../ path written in a tracked file, read from that file's folder, names a
// file or folder of this checkout; a reference to something that only some
// checkouts have next to them (a "shared" folder one level up) fails.
func TestNoReferencesOutsideTheRepository(t *testing.T) {
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	files := repositoryFiles(t)
	if len(files) < 50 {
		t.Fatalf("found only %d files; is this the repository root?", len(files))
	}
	for _, name := range files {
		if vendored[filepath.ToSlash(name)] {
			continue
		}
		content, err := os.ReadFile(name)
		if err != nil || bytes.IndexByte(content, 0) >= 0 {
			continue // deleted in the working tree, or binary
		}
		for i, line := range strings.Split(string(content), "\n") {
			for _, m := range relativePath.FindAllStringSubmatch(line, -1) {
				ref := m[1]
				target := filepath.Join(root, filepath.Dir(name), filepath.FromSlash(ref))
				rel, err := filepath.Rel(root, target)
				switch {
				case err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)):
					t.Errorf("%s:%d: %s points outside the repository", name, i+1, ref)
				default:
					if _, err := os.Stat(target); err != nil {
						t.Errorf("%s:%d: %s (read from %s/) names nothing in the repository", name, i+1, ref, filepath.Dir(name))
					}
				}
			}
		}
	}
}

// repositoryFiles lists the tracked files, or, without git (an unpacked
// archive), every file but the ignored kinds.
func repositoryFiles(t *testing.T) []string {
	t.Helper()
	if out, err := exec.Command("git", "ls-files", "-z").Output(); err == nil {
		return strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	}
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "bin", "test-results", ".atlas":
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && d.Name() != ".env" {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
