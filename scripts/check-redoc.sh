#!/usr/bin/env bash
# Checks that web/docs/redoc.standalone.js and web/docs/LICENSE.redoc, the one
# piece of third-party code the repository holds (GET /docs serves it), are
# byte for byte the files of the pinned npm package: `make redoc-check`.
# With --write it copies them from the package instead, after the pin below
# has been changed (README, "API documents", says how).
#
# The package is fetched with `npm pack`, not installed: `npm install redoc@3.0.1`
# fails (ETARGET: its dependency @redocly/redoc-opentelemetry@^0.5.1 has no
# such version on the registry), and installed it would also pull in React,
# React Router and styled-components as peers, none of which the standalone
# bundle needs (it carries its own copies). So the pin lives here rather than
# in package.json: the version, and the integrity of its tarball as a lock
# file would record it (`npm view redoc@<version> dist.integrity`).
set -euo pipefail
cd "$(dirname "$0")/.."

version="3.0.1"
integrity="sha512-KDfoKaYW19LCl4YStgBnwlaNjYEFfs5zCNt1s1WZ2YM5u8d26Yuzd2l43fZO851ZsgIMe/D640fDJkD8eaRQKQ=="

write=false
case "${1:-}" in
  "") ;;
  --write) write=true ;;
  *) echo "usage: $0 [--write]" >&2; exit 2 ;;
esac

tmp="$(mktemp -d "${TMPDIR:-/tmp}/syncboard-redoc.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

npm pack --silent --pack-destination "$tmp" "redoc@$version" >/dev/null
tarball="$tmp/redoc-$version.tgz"
got="sha512-$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
if [[ "$got" != "$integrity" ]]; then
  echo "redoc-check: redoc@$version's tarball has integrity $got, want $integrity" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$tmp" package/bundles/redoc.standalone.js package/LICENSE

status=0
for pair in "bundles/redoc.standalone.js:web/docs/redoc.standalone.js" "LICENSE:web/docs/LICENSE.redoc"; do
  from="$tmp/package/${pair%%:*}"
  to="${pair#*:}"
  if $write; then
    cp "$from" "$to"
    echo "redoc-check: wrote $to from redoc@$version"
  elif ! cmp -s "$from" "$to"; then
    echo "redoc-check: $to differs from ${pair%%:*} of redoc@$version; run scripts/check-redoc.sh --write, or restore it" >&2
    status=1
  fi
done
if ! $write && [[ $status -eq 0 ]]; then
  echo "redoc-check: web/docs matches redoc@$version"
fi
exit $status
