// Package migrations embeds the Atlas migration directory, so the server
// binary applies exactly the files it was built with. The atlas CLI reads the
// same folder; it lists only *.sql files and atlas.sum, so this file is
// invisible to it.
package migrations

import (
	"embed"

	"github.com/syncboard/syncboard/dbmigrate"
)

//go:embed *.sql atlas.sum
var files embed.FS

// Dir returns the embedded migration directory.
func Dir() dbmigrate.FSDir { return dbmigrate.FSDir{FS: files} }
