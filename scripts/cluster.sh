#!/usr/bin/env bash
# make cluster: deploy/docker-compose.yml's topology without Docker, and a
# rolling restart under load.
#
# On a fresh database it starts Debian's PgBouncer (transaction pooling),
# two instances of bin/syncboard (DATABASE_URL through PgBouncer with
# DB_POOLER=pgbouncer, DATABASE_DIRECT_URL to PostgreSQL, DRAIN_DELAY=3s) and
# Debian's HAProxy with deploy/haproxy.cfg in front. Then, at once:
#   - newman runs the Postman collection against HAProxy (CLUSTER_ITERATIONS
#     times, default 2), with --bail: one failed request fails the run;
#   - cmd/wswatch keeps a room socket open through HAProxy while it renames a
#     card every 50 ms, reconnecting with ?since= when its socket closes;
#   - each instance in turn gets SIGTERM, exits, and is started again.
# It prints newman's summary, wswatch's line (changes, socket events,
# reconnects, the instance behind each socket, gaps) and HAProxy's counters
# (requests, retries, redispatches, 5xx per instance). Any failure, gap or
# 5xx fails it. Whatever happens, everything it started is stopped and the
# database dropped.
#
# Ports (CLUSTER_PORT, default 18460, and the next ones): PgBouncer +0, the
# instances +1 and +2, HAProxy +10, HAProxy's statistics +11.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
bin="${SYNCBOARD_BIN:-bin/syncboard}"
port="${CLUSTER_PORT:-18460}"
iterations="${CLUSTER_ITERATIONS:-2}"
pgb_port=$port api_port=($((port + 1)) $((port + 2))) lb_port=$((port + 10)) stats_port=$((port + 11))
db="syncboard_cluster_$(date +%s)_${RANDOM}"
dir="$(mktemp -d "${TMPDIR:-/tmp}/syncboard-cluster.XXXXXX")"
chmod 755 "$dir" # PgBouncer, run as nobody when we are root, reads it
pids=()
api_pid=("" "")
status=0

find_bin() { command -v "$1" 2>/dev/null || { [[ -x /usr/sbin/$1 ]] && echo "/usr/sbin/$1"; } || true; }
pgbouncer_bin="$(find_bin pgbouncer)"
haproxy_bin="$(find_bin haproxy)"
if [[ -z "$pgbouncer_bin" || -z "$haproxy_bin" ]]; then
  echo "cluster: needs Debian's pgbouncer and haproxy (apt-get install pgbouncer haproxy)" >&2
  exit 2
fi
[[ -x "$bin" ]] || { echo "cluster: $bin is missing; run make build" >&2; exit 2; }
./scripts/npm-deps.sh
go build -o "$dir/wswatch" ./cmd/wswatch

stop_pid() { # SIGTERM, then SIGKILL after 30 s
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  for pid in "${api_pid[@]}" "${pids[@]}"; do [[ -n "$pid" ]] && stop_pid "$pid"; done
  psql "$pg_url/postgres" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || echo "cluster: could not drop $db" >&2
  if [[ $rc -ne 0 ]]; then
    for f in "$dir"/*.log; do echo "== the last lines of $f" >&2; tail -n 30 "$f" >&2; done
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_ready() { # url, what
  for _ in $(seq 1 300); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1/readyz")" == 200 ]] && return 0
    sleep 0.2
  done
  echo "cluster: $2 ($1) did not become ready in 60 s" >&2
  return 1
}

psql "$pg_url/postgres" -qAtc "CREATE DATABASE \"$db\""
cat >"$dir/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=5432
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $pgb_port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 500
EOF
echo '"postgres" ""' >"$dir/userlist.txt"
chmod 644 "$dir"/*.ini "$dir"/userlist.txt
as_user=()
[[ $(id -u) -ne 0 ]] || as_user=(-u nobody)
"$pgbouncer_bin" "${as_user[@]}" "$dir/pgbouncer.ini" >"$dir/pgbouncer.log" 2>&1 &
pids+=($!)

start_api() { # index
  local i=$1
  DATABASE_URL="postgres://postgres@127.0.0.1:$pgb_port/$db?sslmode=disable" \
    DATABASE_DIRECT_URL="$pg_url/$db?sslmode=disable&search_path=public" \
    DB_POOLER=pgbouncer \
    HTTP_ADDR="127.0.0.1:${api_port[$i]}" \
    APP_ENV=development GIN_MODE=release LOG_LEVEL=info \
    JWT_SECRET="cluster-secret-shared-by-both-instances-0123456789" \
    BCRYPT_COST=4 AUTH_RATE_LIMIT=100000 AUTH_RATE_WINDOW=1m \
    DRAIN_DELAY=3s SHUTDOWN_TIMEOUT=20s \
    ENV_FILE=/nonexistent \
    "$bin" >>"$dir/api$((i + 1)).log" 2>&1 &
  api_pid[$i]=$!
}
start_api 0
wait_ready "http://127.0.0.1:${api_port[0]}" api1 # it applies the migrations
start_api 1
wait_ready "http://127.0.0.1:${api_port[1]}" api2

LB_BIND="127.0.0.1:$lb_port" STATS_BIND="127.0.0.1:$stats_port" \
  API1_ADDR="127.0.0.1:${api_port[0]}" API2_ADDR="127.0.0.1:${api_port[1]}" \
  "$haproxy_bin" -db -f deploy/haproxy.cfg >"$dir/haproxy.log" 2>&1 &
pids+=($!)
lb="http://127.0.0.1:$lb_port"
wait_ready "$lb" HAProxy
echo "cluster: PgBouncer :$pgb_port, api1 :${api_port[0]}, api2 :${api_port[1]}, HAProxy $lb (stats http://127.0.0.1:$stats_port/stats), database $db"

"$dir/wswatch" -base "$lb" >"$dir/wswatch.out" 2>"$dir/wswatch.log" &
watch_pid=$!
# newman in the background, so the restarts run meanwhile.
npx --no-install newman run postman/syncboard.postman_collection.json \
  -e postman/local.postman_environment.json --env-var "baseUrl=$lb" \
  -n "$iterations" --bail --reporters cli >"$dir/newman.out" 2>&1 &
newman_pid=$!

# The rolling restart: each instance stopped with SIGTERM while the
# collection runs, then started again.
restarts=0
for i in 0 1; do
  sleep 3
  kill -0 "$newman_pid" 2>/dev/null || { echo "cluster: newman ended before api$((i + 1))'s restart; raise CLUSTER_ITERATIONS" >&2; break; }
  echo "cluster: SIGTERM to api$((i + 1)) (pid ${api_pid[$i]}) at $(date -u +%T)"
  kill -TERM "${api_pid[$i]}"
  wait "${api_pid[$i]}" || { echo "cluster: api$((i + 1)) exited with $?" >&2; status=1; }
  echo "cluster: api$((i + 1)) stopped at $(date -u +%T); starting it again"
  start_api "$i"
  wait_ready "http://127.0.0.1:${api_port[$i]}" "api$((i + 1))"
  restarts=$((restarts + 1))
  echo "cluster: api$((i + 1)) ready again at $(date -u +%T)"
  # Back in HAProxy's rotation before the other one goes.
  for _ in $(seq 1 100); do
    curl -s "http://127.0.0.1:$stats_port/stats;csv" | grep -q "^api,api$((i + 1)),.*,UP," && break
    sleep 0.2
  done
done

wait "$newman_pid" || status=$?
sed -n '/┌/,/┘/p' "$dir/newman.out"
[[ $status -eq 0 ]] || { grep -n -B3 -A12 'failure' "$dir/newman.out" | tail -n 40; }
kill -TERM "$watch_pid"
wait "$watch_pid" || status=1
cat "$dir/wswatch.out"
grep 'reconnecting' "$dir/wswatch.log" || true

# HAProxy's counters: per instance, requests, 5xx, retries, redispatches.
curl -s "http://127.0.0.1:$stats_port/stats;csv" | awk -F, '
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  $1 == "api" { printf "haproxy: %-8s requests=%s 5xx=%s retries=%s redispatches=%s connection_errors=%s\n",
    $2, $col["stot"], $col["hrsp_5xx"], $col["wretr"], $col["wredis"], $col["econ"] }' | tee "$dir/haproxy.stats"
if grep -E '5xx=[1-9]' "$dir/haproxy.stats" | grep -q BACKEND; then
  echo "cluster: HAProxy answered 5xx" >&2
  status=1
fi
grep -h 'level=ERROR' "$dir"/api*.log | head -n 5 || true
echo "cluster: $restarts restarts; exit $status"
exit "$status"
