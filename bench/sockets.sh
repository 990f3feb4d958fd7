#!/usr/bin/env bash
# SyncBoard's WebSocket fan-out at scale: one server instance in production
# mode on a fresh database, SOCKETS sockets (10,000) over ROOMS rooms (100),
# cards moved through the API at RATE per second (20) for BENCH_DURATION
# (20s). Prints bench/sockets' RESULT line: commit-to-receipt p50/p99, the
# server's memory per socket, and whether every socket got every event of
# its room exactly once, in order.
#
#   bench/sockets.sh
#
# Environment: POSTGRES_URL (default postgres://postgres@127.0.0.1:5432),
# BENCH_PORT (18190), SOCKETS, ROOMS, RATE, BENCH_DURATION; COLUMNS and CARDS size each room's
# board (issue 19's large board: COLUMNS=8 CARDS=500); SYNCBOARD_BIN runs another server binary
# (a before-and-after).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
port="${BENCH_PORT:-18190}"
sockets="${SOCKETS:-10000}"
rooms="${ROOMS:-100}"
rate="${RATE:-20}"
dur="${BENCH_DURATION:-20s}"
columns="${COLUMNS:-2}"
cards="${CARDS:-0}"
bin="${SYNCBOARD_BIN:-./bin/syncboard}"
db="syncboard_sockets_$(date +%s)"
out=bench/out
mkdir -p "$out"

# Each socket is a file descriptor on both ends (this script runs both).
ulimit -n "$(( sockets * 2 + 1024 ))" 2>/dev/null || ulimit -n "$(ulimit -Hn)"

server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  psql "$pg_url/postgres" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

make -s build
go build -o bin/bench-sockets ./bench/sockets
psql "$pg_url/postgres" -qAtc "CREATE DATABASE \"$db\"" >/dev/null
# One user holds every socket here, so the per-user cap is lifted; the
# seeding user's bcrypt cost does not matter to what is measured.
DATABASE_URL="$pg_url/$db?sslmode=disable&search_path=public" HTTP_ADDR="127.0.0.1:$port" \
  APP_ENV=production JWT_SECRET="bench-secret-bench-secret-bench-secret-0123" GIN_MODE=release \
  PPROF_ADDR="127.0.0.1:$((port + 1))" LOG_LEVEL=warn BCRYPT_COST=4 AUTH_RATE_LIMIT=1000000 WS_MAX_PER_USER="$(( sockets + 100 ))" ENV_FILE=/dev/null \
  "$bin" >"$out/sockets-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$out/sockets-server.log" >&2; exit 1; }
  sleep 0.2
done
echo "bench: $sockets sockets over $rooms rooms, $rate moves/s for $dur"
./bin/bench-sockets -url "http://127.0.0.1:$port" -pid "$server_pid" -sockets "$sockets" -rooms "$rooms" \
  -rate "$rate" -duration "$dur" -columns "$columns" -cards "$cards" | tee "$out/sockets-scale.txt"
echo "server peak RSS (VmHWM): $(awk '/^VmHWM/ {print int($2/1024)}' "/proc/$server_pid/status") MiB"
