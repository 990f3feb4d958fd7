#!/usr/bin/env bash
# SyncBoard's load benchmark: seeds a board of 8 columns x 50 cards, one of
# 8 x 500 and 200 other users through the API, measures the server with wrk
# at 32 connections (and the large board at one), measures the limits of
# this machine in the same run (pgbench, prepared, running the statements a
# request needs; one bcrypt hash), and prints the results as ratios to those
# limits. A second instance with BOARD_CACHE_MB=0 measures the board's cold
# path.
#
#   bench/run.sh            # needs wrk (apt-get install wrk) and pgbench (PostgreSQL's)
#
# Environment: POSTGRES_URL (default postgres://postgres@127.0.0.1:5432),
# BENCH_PORT (18090), BENCH_DURATION (10s), BENCH_CONNECTIONS (32),
# BCRYPT_COST (12, the server default).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
port="${BENCH_PORT:-18090}"
dur="${BENCH_DURATION:-10s}"
conns="${BENCH_CONNECTIONS:-32}"
cost="${BCRYPT_COST:-12}"
db="syncboard_bench_$(date +%s)"
pgdb="${db}_pgbench"
out=bench/out
mkdir -p "$out"
PATH="$PATH:$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -n1)"
for tool in wrk pgbench psql; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (wrk: apt-get install wrk; pgbench/psql: postgresql-client)" >&2; exit 2; }
done

server_pid=""
uncached_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [[ -n "$uncached_pid" ]] && kill -TERM "$uncached_pid" 2>/dev/null && wait "$uncached_pid" 2>/dev/null || true
  psql "$pg_url/postgres" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  psql "$pg_url/postgres" -qAtc "DROP DATABASE IF EXISTS \"$pgdb\" WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

make -s build
echo "bench: starting the server on :$port (database $db, bcrypt cost $cost)"
psql "$pg_url/postgres" -qAtc "CREATE DATABASE \"$db\"" >/dev/null
serve() { # port log [VAR=value...]: a server in production mode on the bench database
  local p=$1 log=$2; shift 2
  env DATABASE_URL="$pg_url/$db?sslmode=disable&search_path=public" HTTP_ADDR="127.0.0.1:$p" \
    APP_ENV=production JWT_SECRET="bench-secret-bench-secret-bench-secret-0123" GIN_MODE=release \
    LOG_LEVEL=warn BCRYPT_COST="$cost" AUTH_RATE_LIMIT=1000000 WS_MAX_PER_USER=100000 ENV_FILE=/dev/null "$@" \
    ./bin/syncboard >"$log" 2>&1 &
}
ready() { # port pid log
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; exit 1; }
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null
}
serve "$port" "$out/server.log" PPROF_ADDR="127.0.0.1:$((port + 1))" METRICS_ADDR="127.0.0.1:$((port + 3))"
server_pid=$!
ready "$port" "$server_pid" "$out/server.log"
# A second instance without the board cache, for the board's cold path.
uncached=$((port + 2))
serve "$uncached" "$out/server-uncached.log" BOARD_CACHE_MB=0 MIGRATE_ON_START=false PPROF_ADDR="127.0.0.1:$((port + 4))"
uncached_pid=$!
ready "$uncached" "$uncached_pid" "$out/server-uncached.log"

echo "bench: seeding through the API (201 registrations at cost $cost, a board of 8 x 50 cards and one of 8 x 500)"
go run ./bench/seed -url "http://127.0.0.1:$port" -out "$out/seed.lua"
rss() { awk '/^VmRSS/ {print int($2/1024)}' "/proc/$server_pid/status"; }
hwm() { awk '/^VmHWM/ {print int($2/1024)}' "/proc/$server_pid/status"; }
rest_mb=$(rss)

run_wrk() { # script [name [port [connections]]]
  local c=${4:-$conns}
  BENCH_NAME="${2:-}" wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"$dur" --timeout 15s --latency -s "bench/wrk/$1.lua" "http://127.0.0.1:${3:-$port}" | grep '^RESULT'
}
: >"$out/results.txt"
for s in board board_gzip board304 me moves login; do
  echo "bench: wrk $s"
  # A CPU profile of the server during each run, as evidence of what limits it.
  curl -fsS -o "$out/cpu-$s.pprof" "http://127.0.0.1:$((port + 1))/debug/pprof/profile?seconds=$((${dur%s} - 2))" &
  prof=$!
  run_wrk "$s" | tee -a "$out/results.txt"
  wait "$prof" || true
done
echo "bench: wrk board, not cached"
curl -fsS -o "$out/cpu-board_uncached.pprof" "http://127.0.0.1:$((port + 4))/debug/pprof/profile?seconds=$((${dur%s} - 2))" &
prof=$!
run_wrk board board_uncached "$uncached" | tee -a "$out/results.txt"
wait "$prof" || true
echo "bench: wrk the large board (8 x 500 cards), one connection, not cached and cached"
run_wrk board_large board_large "$uncached" 1 | tee -a "$out/results.txt"
run_wrk board_large_gzip board_large_gzip "$uncached" 1 | tee -a "$out/results.txt"
run_wrk board_large board_large_cached "$port" 1 | tee -a "$out/results.txt"
echo "bench: the board during a login flood"
BENCH_NAME=flood wrk -t1 -c16 -d"$dur" -s bench/wrk/login.lua "http://127.0.0.1:$port" >/dev/null &
flood=$!
sleep 1
run_wrk board board_during_flood | tee -a "$out/results.txt"
wait "$flood" || true
load_mb=$(hwm)

echo "bench: 1,000 sockets on one room, 20 moves/s"
go run ./bench/sockets -url "http://127.0.0.1:$port" -pid "$server_pid" -sockets 1000 -rate 20 -duration "$dur" | tee "$out/sockets.txt"
# Measured as production runs it, metrics on: keep the server's own view of every run.
curl -fsS -o "$out/metrics.txt" "http://127.0.0.1:$((port + 3))/metrics" || true

echo "bench: limits (pgbench, bcrypt)"
ids=$(psql "$pg_url/$db" -qAt -F' ' -c "SELECT r.id, r.created_by FROM rooms r WHERE r.name = 'benchmark board'")
room=${ids% *}; user=${ids#* }
labels=$(psql "$pg_url/$db" -qAt -c "SELECT count(*) > 0 FROM labels WHERE room_id = '$room'")
col1=$(psql "$pg_url/$db" -qAt -c "SELECT id FROM columns WHERE room_id = '$room' ORDER BY id LIMIT 1")
col2=$(psql "$pg_url/$db" -qAt -c "SELECT id FROM columns WHERE room_id = '$room' ORDER BY id DESC LIMIT 1")
card=$(psql "$pg_url/$db" -qAt -c "SELECT id FROM cards WHERE column_id = '$col2' ORDER BY position LIMIT 1")
tps() { awk '/^tps = / {print $3; exit}'; }
secs=${dur%s}
pg_board=$(pgbench -n -M prepared -c "$conns" -j 2 -T "$secs" -f bench/pgbench/board.sql \
  -D room="$room" -D user="$user" -D labels="$labels" "$pg_url/$db" 2>/dev/null | tps)
pg_move=$(pgbench -n -M prepared -c "$conns" -j 2 -T "$secs" -f bench/pgbench/move.sql \
  -D room="$room" -D user="$user" -D card="$card" -D col1="$col1" -D col2="$col2" "$pg_url/$db" 2>/dev/null | tps)
psql "$pg_url/postgres" -qAtc "CREATE DATABASE \"$pgdb\"" >/dev/null
pgbench -q -i -s 10 "$pg_url/$pgdb" >/dev/null 2>&1
pg_select=$(pgbench -n -S -M prepared -c "$conns" -j 2 -T "$secs" "$pg_url/$pgdb" 2>/dev/null | tps)
bcrypt_ms=$(go test -run XXX -bench '^BenchmarkHash$' -benchtime 5x ./auth | awk '/^BenchmarkHash/ {printf "%.1f", $3/1e6}')
cores=$(nproc)

get() { awk -v n="$1" -v k="$2" '$2 == n { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$out/results.txt"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
holds() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == ">=") ? (v >= t) : (v <= t); print ok ? "yes" : "**no**" }'; }

board_rps=$(get board rps); b304_rps=$(get board_304 rps); me_rps=$(get me rps)
cold_rps=$(get board_uncached rps); large_p50=$(get board_large p50_ms); large_cached_p50=$(get board_large_cached p50_ms)
moves_rps=$(get moves rps); moves_err=$(get moves errors); login_rps=$(get logins rps)
p99=$(get board p99_ms); p99_flood=$(get board_during_flood p99_ms)
login_limit=$(awk -v c="$cores" -v ms="$bcrypt_ms" 'BEGIN { printf "%.1f", c / (ms / 1000) }')

r1=$(ratio "$board_rps" "$pg_board"); r2=$(ratio "$b304_rps" "$cold_rps"); r3=$(ratio "$me_rps" "$pg_select")
r4=$(ratio "$moves_rps" "$pg_move"); r5=$(ratio "$login_rps" "$login_limit"); r6=$(ratio "$p99_flood" "$p99")
r7=$(ratio "$cold_rps" "$pg_board")

cat <<TABLE

Run of $(date -u +%Y-%m-%d) at commit $(git rev-parse --short HEAD), $cores cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)),
PostgreSQL $(psql "$pg_url/postgres" -qAtc 'SHOW server_version' | cut -d' ' -f1), wrk -c$conns -d$dur, bcrypt cost $cost.

| measure | server | limit (same run) | ratio | target | holds |
|---|---|---|---|---|---|
| full board, requests/s | $board_rps (p50 $(get board p50_ms) ms, p99 $p99 ms) | pgbench, the board's 3 statements: $pg_board tps | $r1 | >= 0.6 | $(holds "$r1" ">=" 0.6) |
| full board, cache off | $cold_rps (p50 $(get board_uncached p50_ms) ms, p99 $(get board_uncached p99_ms) ms) | the same: $pg_board tps | $r7 | (>= 0.6) | $(holds "$r7" ">=" 0.6) |
| 4,000-card board, one connection, p50 | cache off: $large_p50 ms (p99 $(get board_large p99_ms) ms); cache off, gzip (as a browser asks): $(get board_large_gzip p50_ms) ms; cached: $large_cached_p50 ms | | | < 50 ms | $(holds "$large_p50" "<=" 50) |
| full board, gzip, requests/s | $(get board_gzip rps) (p50 $(get board_gzip p50_ms) ms, p99 $(get board_gzip p99_ms) ms) | the same: $pg_board tps | $(ratio "$(get board_gzip rps)" "$pg_board") | reported | |
| board, matching If-None-Match | $b304_rps (p99 $(get board_304 p99_ms) ms) | full board loaded (cache off): $cold_rps | $r2 | >= 5 | $(holds "$r2" ">=" 5) |
| GET /api/auth/me | $me_rps (p99 $(get me p99_ms) ms) | pgbench -S, prepared: $pg_select tps | $r3 | >= 0.5 | $(holds "$r3" ">=" 0.5) |
| card moves | $moves_rps (p99 $(get moves p99_ms) ms, $moves_err errors) | pgbench move transaction: $pg_move tps | $r4 | >= 0.6, 0 errors | $(holds "$r4" ">=" 0.6) |
| logins | $login_rps (p99 $(get logins p99_ms) ms) | $cores cores / bcrypt $bcrypt_ms ms = $login_limit/s | $r5 | >= 0.9 | $(holds "$r5" ">=" 0.9) |
| board p99 during a login flood | $p99_flood ms | without the flood: $p99 ms | $r6 | <= 3 | $(holds "$r6" "<=" 3) |
| server memory (RSS) | $rest_mb MiB at rest, $load_mb MiB peak under load | | | < 64 / < 256 MiB | $(holds "$rest_mb" "<=" 64) / $(holds "$load_mb" "<=" 256) |
TABLE
echo
echo "Real time: $(sed 's/^RESULT //' "$out/sockets.txt")"
echo
echo "CPU profiles: $out/cpu-<scenario>.pprof (go tool pprof -top bin/syncboard $out/cpu-me.pprof)"
