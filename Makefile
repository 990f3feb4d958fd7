# SyncBoard: the commands a developer needs. `make help` lists them.
SHELL := /bin/bash
GO    ?= go

.PHONY: help run build test check-db lint migrate-diff migrate-check migrate-hash migrate-apply migrate-status migrate-down migrate-history migrate-lint clean-testdbs postman openapi-lint redoc-check fuzz e2e cluster

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

run: build ## serve on HTTP_ADDR (default :8080), creating and migrating the database first
	@$(GO) build -o bin/dbcheck ./cmd/dbcheck && ./bin/dbcheck -app
	./bin/syncboard

build: ## build a static binary into bin/syncboard
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/syncboard .

# dbcheck starts the compose db service when nothing answers on 127.0.0.1:5432
# and Docker can (a machine with only Docker); otherwise it only checks.
check-db: ## say in one line whether the test PostgreSQL answers
	@$(GO) build -o bin/dbcheck ./cmd/dbcheck && ./bin/dbcheck

test: check-db ## run the whole suite (race detector on) against a real PostgreSQL
	$(GO) test -race -count=1 ./...

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

migrate-diff: ## write the next migration from models/: make migrate-diff name=add_labels
	$(GO) run ./cmd/atlasgo diff $(name)

migrate-check: ## fail if models/ and migrations/ differ
	$(GO) run ./cmd/atlasgo check

migrate-hash: ## rewrite migrations/atlas.sum after a reviewed hand edit
	$(GO) run ./cmd/atlasgo hash

migrate-apply: build ## apply pending migrations to DATABASE_URL
	./bin/syncboard migrate apply

migrate-status: build ## show applied and pending migrations of DATABASE_URL
	./bin/syncboard migrate status

# Arguments pass through: make migrate-down args="2 --dry-run".
migrate-down: build ## revert the newest applied migration of DATABASE_URL (refuses to lose data): make migrate-down args="[N | --to V] [--allow-data-loss] [--dry-run]"
	./bin/syncboard migrate down $(args)

migrate-history: build ## every migration of DATABASE_URL: when applied, how long it took, pending ones (args=--json)
	./bin/syncboard migrate history $(args)

migrate-lint: ## Atlas's analyzers over the newest migration, or those added since a git ref: make migrate-lint [base=origin/main]
	$(GO) run ./cmd/atlasgo $(if $(base),-base $(base)) lint

# pgtestdb names a template testdb_tpl_<hash> and each test's clone
# testdb_tpl_<hash>_inst_<id>; clones go first, and a template must stop being
# one before it can be dropped. The next test run rebuilds the template.
clean-testdbs: ## drop the databases kept by failed tests, and the test templates
	@psql "$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}" -Atc \
	  "SELECT datname FROM pg_database WHERE datname LIKE 'testdb\_tpl\_%' ORDER BY datistemplate, datname" | \
	  while read -r db; do psql "$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}" -q \
	    -c "ALTER DATABASE \"$$db\" IS_TEMPLATE false" -c "DROP DATABASE \"$$db\" WITH (FORCE)" && echo "dropped $$db"; done

postman: build ## run the Postman collection with newman against a server on a fresh database
	./scripts/postman.sh

cluster: build ## two instances behind Debian's HAProxy, through Debian's PgBouncer, on a fresh database; the Postman collection and a socket run through it while each instance is restarted (deploy/, scripts/cluster.sh)
	./scripts/cluster.sh

openapi-lint: ## lint openapi/openapi.yaml with Redocly (pinned in package-lock.json)
	@./scripts/npm-deps.sh
	REDOCLY_TELEMETRY=off npx --no-install redocly lint openapi/openapi.yaml

redoc-check: ## check that web/docs/redoc.standalone.js is the pinned redoc package's file, byte for byte
	./scripts/check-redoc.sh

CHROMIUM_PATH ?= /usr/bin/chromium
e2e: build ## browser tests of the web client in headless Chromium against a real server, axe-core on every state; screenshots in test-results/
	@[ -x "$(CHROMIUM_PATH)" ] || { echo "e2e: no Chromium at $(CHROMIUM_PATH); install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH"; exit 2; }
	@./scripts/npm-deps.sh
	@rm -f test-results/server-*.log
	CHROMIUM_PATH=$(CHROMIUM_PATH) node --test --test-concurrency=1 web/test/state.test.mjs web/test/boardcontroller.test.mjs web/test/session.test.mjs web/test/roving.test.mjs web/test/follow.test.mjs web/test/api.test.mjs web/test/details.test.mjs web/test/thread.test.mjs web/test/search.test.mjs web/test/presence.test.mjs web/test/roomlist.test.mjs e2e/board.test.mjs e2e/catchup.test.mjs e2e/livelist.test.mjs e2e/presence.test.mjs e2e/details.test.mjs e2e/sessions.test.mjs e2e/roles.test.mjs e2e/invites.test.mjs e2e/archive.test.mjs e2e/bigboard.test.mjs e2e/search.test.mjs e2e/a11y.test.mjs e2e/cors.test.mjs e2e/docs.test.mjs || \
	  { for f in test-results/server-*.log; do [ -f "$$f" ] && { echo "== the last lines of $$f"; tail -n 40 "$$f"; }; done; exit 1; }

FUZZTIME ?= 10s
FUZZPKGS ?= ./handlers ./models
fuzz: ## run every fuzz target of FUZZPKGS for FUZZTIME each (default 10s); seeds in <package>/testdata/fuzz
	@for pkg in $(FUZZPKGS); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
	    $(GO) test -run XXX -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done
