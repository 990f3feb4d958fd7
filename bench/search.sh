#!/usr/bin/env bash
# Search benchmark: builds the server, starts it on a fresh database, and
# runs bench/search: the searching users register through the API, 100,000
# cards over 1,000 boards are bulk-loaded with SQL, then GET /api/search is
# measured at 32 connections for a member of 10 boards and a member of all
# 1,000 (p50, p99), with EXPLAIN (ANALYZE, BUFFERS) of the Store's statement.
#
#   bench/search.sh        # about 2 minutes
#
# Environment: POSTGRES_URL (default postgres://postgres@127.0.0.1:5432),
# BENCH_PORT (18190), BENCH_DURATION (20s per scenario), BENCH_CONNECTIONS (32).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
port="${BENCH_PORT:-18190}"
dur="${BENCH_DURATION:-20s}"
conns="${BENCH_CONNECTIONS:-32}"
db="syncboard_bench_search_$(date +%s)"
out=bench/out
mkdir -p "$out"
command -v psql >/dev/null || { echo "bench: psql is missing (postgresql-client)" >&2; exit 2; }

server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  psql "$pg_url/postgres" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

make -s build
go build -o bin/bench-search ./bench/search
echo "bench: starting the server on :$port (database $db)"
psql "$pg_url/postgres" -qAtc "CREATE DATABASE \"$db\"" >/dev/null
db_url="$pg_url/$db?sslmode=disable&search_path=public"
# Production mode, as bench/run.sh; bcrypt at its minimum (only three
# accounts register, and this is not about logins).
DATABASE_URL="$db_url" HTTP_ADDR="127.0.0.1:$port" \
  APP_ENV=production JWT_SECRET="bench-secret-bench-secret-bench-secret-0123" GIN_MODE=release \
  LOG_LEVEL=warn BCRYPT_COST=4 AUTH_RATE_LIMIT=1000000 ENV_FILE=/dev/null \
  ./bin/syncboard >"$out/search-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$out/search-server.log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null

./bin/bench-search -url "http://127.0.0.1:$port" -db "$db_url" -c "$conns" -d "$dur" | tee "$out/search.txt"
