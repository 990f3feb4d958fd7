// Command atlas-loader prints the schema that the GORM models describe, as
// SQL, for the atlas CLI (see atlas.hcl).
//
// With no arguments it writes the SQL to standard output, which is what the
// `external_schema` data source reads. With -out FILE it writes the SQL to
// FILE and prints its file:// URL instead: community builds of the atlas CLI
// refuse `external_schema`, but accept `data "external"` plus that URL.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/syncboard/syncboard/internal/schemaload"
)

func main() {
	out := flag.String("out", "", "write the SQL to this file and print its file:// URL")
	flag.Parse()
	if err := run(*out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "atlas-loader:", err)
		os.Exit(1)
	}
}

func run(out string, stdout io.Writer) error {
	stmts, err := schemaload.SQL()
	if err != nil {
		return err
	}
	if out == "" {
		_, err = io.WriteString(stdout, stmts)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, []byte(stmts), 0o644); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "file://%s", filepath.ToSlash(out))
	return err
}
