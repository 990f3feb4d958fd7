package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/syncboard/syncboard/openapi"
)

// openapiJSON serves the OpenAPI document.
func openapiJSON(doc []byte) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-cache")
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

func docs() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(docsPage))
	}
}

func specJSON() ([]byte, error) { return openapi.JSON() }
