package handlers

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/openapi"
)

// openapiJSON serves the OpenAPI document like the web client's files: the
// same for every caller, so "no-cache" rather than the API's "private,
// no-cache", revalidated with a content ETag answered by 304.
func openapiJSON(doc []byte) gin.HandlerFunc {
	sum := sha256.Sum256(doc)
	tag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-cache")
		c.Header("ETag", tag)
		if etagMatches(c.GetHeader("If-None-Match"), tag) {
			c.Status(http.StatusNotModified)
			return
		}
		c.Data(http.StatusOK, "application/json", doc)
	}
}

// docsPage renders /openapi.json with Redoc, loaded from a CDN at a pinned
// version (the project commits no third-party code).
const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SyncBoard API</title>
<style>body { margin: 0; }</style>
</head>
<body>
<redoc spec-url="/openapi.json"></redoc>
<script src="https://cdn.jsdelivr.net/npm/redoc@2.5.4/bundles/redoc.standalone.js"></script>
</body>
</html>
`

// docs serves docsPage, the same for every caller ("no-cache", like the
// web client's files).
func docs() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(docsPage))
	}
}

func specJSON() ([]byte, error) { return openapi.JSON() }
