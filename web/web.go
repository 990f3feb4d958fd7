// Package web is SyncBoard's browser client: index.html and the flat
// assets/ folder (ES modules, CSS, an icon), embedded in the binary. The
// client has no build step and uses only the public API.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"io/fs"
	"mime"
	"path"
)

//go:embed index.html assets
var files embed.FS

// File is one embedded file, ready to serve.
type File struct {
	Name        string
	ContentType string
	// ETag is a strong validator derived from the content, so a browser
	// revalidates with one cheap request after every deploy and never
	// runs a stale module next to a new one.
	ETag    string
	Content []byte
}

// Files are the client's files by URL path ("/" for the page, then
// "/assets/<name>").
type Files map[string]File

// Load reads every embedded file once.
func Load() (Files, error) {
	out := Files{}
	add := func(urlPath, name string) error {
		b, err := files.ReadFile(name)
		if err != nil {
			return fmt.Errorf("web: %w", err)
		}
		ct := mime.TypeByExtension(path.Ext(name))
		if ct == "" {
			return fmt.Errorf("web: no content type for %s", name)
		}
		sum := sha256.Sum256(b)
		out[urlPath] = File{Name: name, ContentType: ct, ETag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`, Content: b}
		return nil
	}
	if err := add("/", "index.html"); err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(files, "assets")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() {
			return nil, fmt.Errorf("web: assets/%s: the assets folder is flat", e.Name())
		}
		if err := add("/assets/"+e.Name(), "assets/"+e.Name()); err != nil {
			return nil, err
		}
	}
	return out, nil
}
