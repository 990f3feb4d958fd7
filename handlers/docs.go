package handlers

import (
	"crypto/rand"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/openapi"
	"github.com/syncboard/syncboard/web"
)

// openapiJSON serves the OpenAPI document like the web client's files: the
// same for every caller, so "no-cache" rather than the API's "private,
// no-cache", revalidated with a content ETag answered by 304, and
// precompressed once rather than on every request.
func openapiJSON(doc []byte) gin.HandlerFunc {
	f := web.NewFile("openapi.json", "application/json", doc)
	return func(c *gin.Context) { writeFile(c, f) }
}

// docsPolicy is the Content-Security-Policy of the /docs page; %s is the
// response's nonce. Redoc's bundle is the only script, from this origin;
// it fetches /openapi.json and nothing else (telemetry is off in the
// page's markup, so no connection to Redocly is even tried). Its
// styled-components insert <style> elements, which carry the nonce they
// read from the page's csp-nonce meta tag, so no other inline style (one
// in a description of the document, say) applies. Its icon font is a
// data: URL. Left out on purpose: eval (Redoc probes for it and then runs
// its search on the page instead of in a blob: worker), and images (the
// only one it asks for is a "Redocly" logo on a CDN, which an offline page
// must not load and which Redoc hides when it fails).
const docsPolicy = "default-src 'none'; script-src 'self'; style-src 'nonce-%s'; " +
	"font-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// docsPage renders /openapi.json with the embedded Redoc: the <redoc>
// element's attributes are its whole configuration, so the page needs no
// script of its own. %s is the response's nonce.
const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="csp-nonce" nonce="%s">
<title>SyncBoard API</title>
<script type="module" src="/docs/redoc.standalone.js"></script>
</head>
<body>
<redoc spec-url="/openapi.json" disable-telemetry="true"></redoc>
</body>
</html>
`

// docs serves the page with a nonce of its own, which is why it is never
// cached: a stored copy would reuse a nonce.
func docs() gin.HandlerFunc {
	return func(c *gin.Context) {
		nonce := rand.Text()
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", fmt.Sprintf(docsPolicy, nonce))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		c.Data(http.StatusOK, "text/html; charset=utf-8", fmt.Appendf(nil, docsPage, nonce))
	}
}

// redocBundle serves Redoc's bundle like the web client's files: revalidated
// on every use against its content ETag, so an upgrade is seen at once and
// an unchanged 2 MB file costs a 304.
func redocBundle(f *web.File) gin.HandlerFunc {
	return func(c *gin.Context) { writeFile(c, f) }
}

func specJSON() ([]byte, error) { return openapi.JSON() }
