// Package web is SyncBoard's browser client: index.html and the flat
// assets/ folder (ES modules, CSS, an icon), embedded in the binary. The
// client has no build step and uses only the public API. It also embeds
// docs/, the Redoc bundle that renders the API reference at /docs.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"
	"sync"
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

	gzipOnce sync.Once
	gzip     []byte
	gzipETag string
}

// NewFile makes a File of content, with its content ETag.
func NewFile(name, contentType string, content []byte) *File {
	sum := sha256.Sum256(content)
	return &File{Name: name, ContentType: contentType, ETag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`, Content: content}
}

// Gzip returns the file compressed at gzip.BestCompression and that
// variant's ETag (the content ETag with "-gzip" inside the quotes: a strong
// tag names one representation, and the gzip bytes are another), or nil
// when the file is not text or compressing does not make it smaller.
// The file is compressed on the first call only; later calls share the
// bytes.
func (f *File) Gzip() ([]byte, string) {
	f.gzipOnce.Do(func() {
		if !compressible(f.ContentType) {
			return
		}
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = w.Write(f.Content)
		if err := w.Close(); err != nil || b.Len() >= len(f.Content) {
			return
		}
		f.gzip = b.Bytes()
		f.gzipETag = strings.TrimSuffix(f.ETag, `"`) + `-gzip"`
	})
	return f.gzip, f.gzipETag
}

// compressible: text, JSON, JavaScript and SVG compress; images and fonts
// in binary formats are compressed already.
func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.HasPrefix(contentType, "application/json") ||
		strings.HasPrefix(contentType, "application/javascript") || strings.HasPrefix(contentType, "image/svg+xml")
}

// Files are the client's files by URL path ("/" for the page, then
// "/assets/<name>").
type Files map[string]*File

// Load returns every embedded file of the client. They are read once per
// process and shared (the embedded files never change), so each file is
// compressed at most once however many routers are built.
func Load() (Files, error) { return loadAll() }

var loadAll = sync.OnceValues(func() (Files, error) {
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
})

// Redoc returns Redoc's standalone bundle, the script of the /docs page,
// shared like Load's files.
func Redoc() (*File, error) { return loadRedoc() }

var loadRedoc = sync.OnceValues(func() (*File, error) { return load(redoc, "docs/redoc.standalone.js") })

func load(fsys embed.FS, name string) (*File, error) {
	b, err := fsys.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		return nil, fmt.Errorf("web: no content type for %s", name)
	}
	return NewFile(name, ct, b), nil
}
