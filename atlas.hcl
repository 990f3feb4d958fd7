# Atlas project file. The GORM models in models/ are the desired schema;
# migrations/ holds the versioned migrations Atlas generates from them.
#
#   atlas migrate diff --env gorm <name>      # write the next migration from models/
#   atlas migrate apply --env local           # apply migrations/ to DATABASE_URL
#   atlas migrate status --env local
#
# Without the atlas CLI, `make migrate-diff name=<name>` and
# `syncboard migrate apply|status` do the same through Atlas's Go library,
# writing the same files and the same atlas_schema_revisions table.
# Community builds of the CLI refuse external_schema: use
# atlas.community.hcl there (see README).

locals {
  # An empty database Atlas may create and drop objects in. search_path binds
  # it to one schema, so generated statements are not schema-qualified.
  dev_url = getenv("ATLAS_DEV_URL") != "" ? getenv("ATLAS_DEV_URL") : "postgres://postgres@127.0.0.1:5432/syncboard_dev?sslmode=disable&search_path=public"
  # The database to migrate: the server's own DATABASE_URL.
  db_url = getenv("DATABASE_URL") != "" ? getenv("DATABASE_URL") : "postgres://postgres@127.0.0.1:5432/syncboard?sslmode=disable&search_path=public"
}

# The models as SQL, printed by a small Go program (faster than the
# provider's standalone loader, which relinks on every run).
data "external_schema" "gorm" {
  program = ["go", "run", "-mod=mod", "./cmd/atlas-loader"]
}

env "gorm" {
  src = data.external_schema.gorm.url
  dev = local.dev_url
  url = local.db_url
  migration {
    dir = "file://migrations"
  }
}

# Applying and inspecting needs no Go toolchain: only the migration files.
env "local" {
  url = local.db_url
  dev = local.dev_url
  migration {
    dir = "file://migrations"
  }
}
