#!/usr/bin/env bash
# Installs the pinned Node tools (newman, Redocly, playwright-core, axe-core)
# with `npm ci` when node_modules is missing or was installed from another
# package-lock.json: a checkout that gained a package (or changed a pin) since
# its last install gets it, and an up-to-date one costs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.syncboard-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
echo "npm-deps: installing the pinned Node tools (npm ci)"
npm ci --no-audit --no-fund
echo "$want" >"$stamp"
