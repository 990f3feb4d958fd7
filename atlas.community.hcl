# Atlas project file for community builds of the atlas CLI, which refuse
# `data "external_schema"`. The loader writes the models' SQL to a file and
# prints its file:// URL; `data "external"` hands that URL to src.
#
#   atlas migrate diff --config file://atlas.community.hcl --env gorm <name>
#   atlas migrate apply --config file://atlas.community.hcl --env local

locals {
  dev_url = getenv("ATLAS_DEV_URL") != "" ? getenv("ATLAS_DEV_URL") : "postgres://postgres@127.0.0.1:5432/syncboard_dev?sslmode=disable&search_path=public"
  db_url  = getenv("DATABASE_URL") != "" ? getenv("DATABASE_URL") : "postgres://postgres@127.0.0.1:5432/syncboard?sslmode=disable&search_path=public"
}

data "external" "gorm_schema" {
  program = ["go", "run", "-mod=mod", "./cmd/atlas-loader", "-out", ".atlas/schema.sql"]
}

env "gorm" {
  src = data.external.gorm_schema
  dev = local.dev_url
  url = local.db_url
  migration {
    dir = "file://migrations"
  }
}

env "local" {
  url = local.db_url
  dev = local.dev_url
  migration {
    dir = "file://migrations"
  }
}
