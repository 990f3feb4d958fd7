package handlers

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/middleware"
	"github.com/syncboard/syncboard/models"
	"github.com/syncboard/syncboard/web"
)

// ContentSecurityPolicy is sent with the web client's files. Scripts and
// styles come only from this origin (no inline code, no eval), the page
// talks only to its own origin (CSP Level 3 lets 'self' cover the
// same-origin WebSocket), forms never submit by themselves (a page whose
// script failed cannot send a password in a URL), no site may frame it,
// and Trusted Types forbid assigning strings to innerHTML and its kin, so
// user content can only ever reach the page as text.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; manifest-src 'self'; base-uri 'none'; " +
	"form-action 'none'; frame-ancestors 'none'; " +
	"require-trusted-types-for 'script'; trusted-types 'none'"

// webFile serves one file of the web client: the page at "/", an asset at
// "/assets/:name". Files revalidate on every use (no-cache with a content
// ETag answered by 304), so a deploy never mixes old and new modules:
// hashed names would need every module's imports rewritten, a build step
// the client does not have (docs/DESIGN.md, "Compression").
func webFile(files web.Files, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		key := "/"
		if name := c.Param("name"); name != "" {
			key = "/assets/" + name
		}
		f, ok := files[key]
		if !ok {
			writeError(c, log, models.Errorf(models.CodeNotFound, "no such file: %s", c.Request.URL.Path))
			return
		}
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		writeFile(c, f)
	}
}

// writeFile answers with an embedded file, nosniff, no-cache and its content
// ETag, or with 304 when the request already has that ETag. A client that
// accepts gzip gets the file's precompressed bytes (compressed once, on
// first use) under their own strong ETag.
func writeFile(c *gin.Context, f *web.File) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	body, tag, encoding := f.Content, f.ETag, ""
	if gz, gzTag := f.Gzip(); gz != nil {
		middleware.AddVary(h, "Accept-Encoding")
		if middleware.AcceptsGzip(c.GetHeader("Accept-Encoding")) {
			body, tag, encoding = gz, gzTag, "gzip"
		}
	}
	h.Set("ETag", tag)
	// Only If-None-Match: ranges are not worth their code here (and would
	// bring a 206 the document does not list).
	if etagMatches(c.GetHeader("If-None-Match"), tag) {
		c.Status(http.StatusNotModified)
		return
	}
	if encoding != "" {
		h.Set("Content-Encoding", encoding)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Data(http.StatusOK, f.ContentType, body)
}
