package main

import (
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/syncboard/syncboard/internal/migrateplan"
)

// TestAtlasProjectFiles parses atlas.hcl and atlas.community.hcl as the CLI
// would (HCL native syntax), evaluates their locals with the CLI's getenv,
// and checks the envs the README documents.
func TestAtlasProjectFiles(t *testing.T) {
	for file, dataSource := range map[string]string{
		"../../atlas.hcl":           "external_schema",
		"../../atlas.community.hcl": "external",
	} {
		t.Run(file, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f, diags := hclsyntax.ParseConfig(src, file, hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatalf("parse: %v", diags)
			}
			body := f.Body.(*hclsyntax.Body)
			envs := map[string]*hclsyntax.Body{}
			var locals *hclsyntax.Body
			var data []string
			for _, b := range body.Blocks {
				switch b.Type {
				case "env":
					envs[b.Labels[0]] = b.Body
				case "locals":
					locals = b.Body
				case "data":
					data = append(data, b.Labels[0])
				}
			}
			if len(data) != 1 || data[0] != dataSource {
				t.Errorf("data sources = %v, want one %q", data, dataSource)
			}
			ctx := &hcl.EvalContext{Functions: map[string]function.Function{
				"getenv": function.New(&function.Spec{
					Params: []function.Parameter{{Name: "key", Type: cty.String}},
					Type:   function.StaticReturnType(cty.String),
					Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
						return cty.StringVal(""), nil // nothing set: the defaults apply
					},
				}),
			}}
			if locals == nil {
				t.Fatal("no locals block")
			}
			dev, diags := locals.Attributes["dev_url"].Expr.Value(ctx)
			if diags.HasErrors() {
				t.Fatalf("dev_url: %v", diags)
			}
			if dev.AsString() != migrateplan.DefaultDevURL {
				t.Errorf("dev_url default = %s, want the one atlasgo uses: %s", dev.AsString(), migrateplan.DefaultDevURL)
			}
			for _, name := range []string{"gorm", "local"} {
				env, ok := envs[name]
				if !ok {
					t.Errorf("no env %q", name)
					continue
				}
				var dir string
				for _, b := range env.Blocks {
					if b.Type == "migration" {
						v, _ := b.Body.Attributes["dir"].Expr.Value(nil)
						dir = v.AsString()
					}
				}
				if dir != "file://migrations" {
					t.Errorf("env %q migration dir = %q", name, dir)
				}
			}
			if src := string(src); !strings.Contains(src, `"./cmd/atlas-loader"`) {
				t.Error("the gorm env does not load the models through ./cmd/atlas-loader")
			}
		})
	}
}
