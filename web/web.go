// Package web is SyncBoard's browser client: index.html and the flat
// assets/ folder (ES modules, CSS, an icon), embedded in the binary. The
// client has no build step and uses only the public API. It also embeds
// docs/, the Redoc bundle that renders the API reference at /docs.
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

// redoc is Redoc's standalone bundle, a copy of the pinned npm package's
// file (make redoc-check compares them), so /docs needs no CDN.
//
//go:embed docs/redoc.standalone.js
var redoc embed.FS

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

// Load reads every embedded file of the client once.
func Load() (Files, error) {
	out := Files{}
	add := func(urlPath, name string) error {
		f, err := load(files, name)
		if err != nil {
			return err
		}
		out[urlPath] = f
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

// Redoc returns Redoc's standalone bundle, the script of the /docs page.
func Redoc() (File, error) { return load(redoc, "docs/redoc.standalone.js") }

func load(fsys embed.FS, name string) (File, error) {
	b, err := fsys.ReadFile(name)
	if err != nil {
		return File{}, fmt.Errorf("web: %w", err)
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		return File{}, fmt.Errorf("web: no content type for %s", name)
	}
	sum := sha256.Sum256(b)
	return File{Name: name, ContentType: ct, ETag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`, Content: b}, nil
}
