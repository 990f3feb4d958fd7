// Package openapi holds SyncBoard's OpenAPI 3.1 document (openapi.yaml, the
// one written by hand) and serves it as JSON.
package openapi

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/goccy/go-yaml"
)

//go:embed openapi.yaml
var spec []byte

// YAML returns the document as written.
func YAML() []byte { return spec }

var (
	jsonOnce sync.Once
	jsonDoc  []byte
	jsonErr  error
)

// JSON returns the document as JSON, converted once.
func JSON() ([]byte, error) {
	jsonOnce.Do(func() {
		jsonDoc, jsonErr = yaml.YAMLToJSON(spec)
		if jsonErr != nil {
			jsonErr = fmt.Errorf("openapi.yaml: %w", jsonErr)
		}
	})
	return jsonDoc, jsonErr
}
