#!/usr/bin/env bash
# Runs the Postman collection with newman against a real server on a fresh
# database: `make postman` (which builds bin/syncboard first).
#
# The server gets a database of its own (created by the server itself, as in
# development), an address the kernel picks (HTTP_ADDR=127.0.0.1:0, read back
# from its "listening" log line, so two runs never race for a port), a cheap
# bcrypt cost and an auth rate limit the collection cannot reach. Whatever
# happens, the server is stopped and the database dropped; the exit status
# is newman's (any failed assertion fails the run).
#
# Environment: POSTGRES_URL (default postgres://postgres@127.0.0.1:5432) is
# the PostgreSQL server to use; SYNCBOARD_BIN (default bin/syncboard) the
# server binary; NEWMAN_ARGS extra newman options (e.g. "--verbose").
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
bin="${SYNCBOARD_BIN:-bin/syncboard}"
db="syncboard_postman_$(date +%s)_${RANDOM}${RANDOM}"
log="$(mktemp "${TMPDIR:-/tmp}/syncboard-postman.XXXXXX.log")"
server_pid=""
newman_pid=""

if [[ ! -x "$bin" ]]; then
  echo "postman: $bin is missing; run make build (or make postman)" >&2
  exit 2
fi
./scripts/npm-deps.sh

cleanup() {
  local status=$?
  if [[ -n "$newman_pid" ]]; then
    kill -TERM "$newman_pid" 2>/dev/null || true
    wait "$newman_pid" 2>/dev/null || true
  fi
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    # Graceful shutdown first; a server that hangs is killed after 10 s.
    for _ in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if ! psql "$pg_url/postgres" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null; then
    echo "postman: could not drop database $db" >&2
  fi
  if [[ $status -ne 0 ]]; then
    echo "postman: failed (exit $status); the last lines of the server log ($log):" >&2
    tail -n 40 "$log" >&2 || true
  else
    rm -f "$log"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "postman: starting $bin on database $db"
DATABASE_URL="$pg_url/$db?sslmode=disable&search_path=public" \
  HTTP_ADDR=127.0.0.1:0 \
  APP_ENV=development \
  GIN_MODE=release \
  LOG_LEVEL=info \
  BCRYPT_COST=4 \
  AUTH_RATE_LIMIT=100000 \
  AUTH_RATE_WINDOW=1m \
  MIGRATE_ON_START=true \
  "$bin" >"$log" 2>&1 &
server_pid=$!

# Wait (at most 60 s) for the listening line, then for /readyz to answer 200.
addr=""
deadline=$((SECONDS + 60))
while [[ -z "$addr" ]]; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "postman: the server exited before listening" >&2
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "postman: the server did not start listening within 60 s" >&2
    exit 1
  fi
  addr="$(sed -n 's/.*msg=listening addr=\([^ ]*\).*/\1/p' "$log" | head -n 1)"
  [[ -n "$addr" ]] || sleep 0.2
done
base_url="http://$addr"
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base_url/readyz")" == 200 ]]; do
  if ! kill -0 "$server_pid" 2>/dev/null || ((SECONDS >= deadline)); then
    echo "postman: $base_url/readyz did not answer 200 within 60 s" >&2
    exit 1
  fi
  sleep 0.2
done
echo "postman: server ready at $base_url"

# newman runs in the background so that a signal to this script runs the
# traps at once (bash defers them while a foreground child runs).
status=0
# shellcheck disable=SC2086 # NEWMAN_ARGS is a list of options
npx --no-install newman run postman/syncboard.postman_collection.json \
  -e postman/local.postman_environment.json \
  --env-var "baseUrl=$base_url" \
  --bail ${NEWMAN_ARGS:-} &
newman_pid=$!
wait "$newman_pid" || status=$?
newman_pid=""
exit "$status"
