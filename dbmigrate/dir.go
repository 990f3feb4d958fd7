package dbmigrate

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"ariga.io/atlas/sql/migrate"
)

// FSDir is a read-only Atlas migration directory over an fs.FS, such as the
// migrations embedded in the server binary. It lists and hashes files exactly
// as Atlas's LocalDir does, so atlas.sum validates the same way.
type FSDir struct{ fs.FS }

var _ migrate.Dir = FSDir{}

// WriteFile implements migrate.Dir; an embedded directory is read-only.
func (FSDir) WriteFile(string, []byte) error {
	return errors.New("dbmigrate: the embedded migration directory is read-only")
}

// Files implements migrate.Dir: the .sql files, ordered by name.
func (d FSDir) Files() ([]migrate.File, error) {
	names, err := fs.Glob(d.FS, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	files := make([]migrate.File, 0, len(names))
	for _, n := range names {
		b, err := fs.ReadFile(d.FS, n)
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", n, err)
		}
		files = append(files, migrate.NewLocalFile(n, b))
	}
	return files, nil
}

// Checksum implements migrate.Dir.
func (d FSDir) Checksum() (migrate.HashFile, error) {
	files, err := d.Files()
	if err != nil {
		return nil, err
	}
	return migrate.NewHashFile(files)
}
