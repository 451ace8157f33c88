#!/usr/bin/env bash
# The read targets of issue 11, each against the database's own limit for the same query,
# measured in the same run at the same concurrency on a seeded city:
#   1. `GET /api/v1/personnel/{id}` with a JWT  vs  pgbench's prepared primary-key lookup of
#      the row, and vs the service's own statement (the row, the CIT flag, the two lists);
#   2. `GET /api/v1/calls?mental_health=true&limit=50` (a supervisor: no subject shown, so no
#      audit row)  vs  pgbench running the same page's SQL, prepared;
# and the same two reads of the peer (bench/peer: Node.js, Fastify, pg; PEER=0 skips it).
#
#   bench/reads.sh [BINARY]      # default: builds and uses the release binary
#
# Env: CONNECTIONS (32), SECONDS_EACH (10), SCALE (1: the demo city, 180,000 calls),
# TEST_DATABASE_SERVER (as for the tests), PERF_OUT (a path: `perf record` samples the service
# during the personnel load, PERF_CALLS_OUT during the calls page's; PERF_FLAGS adds options, e.g. `--call-graph dwarf` with a
# `cargo build --profile profiling` binary). Needs wrk (apt install wrk) and pgbench. Loopback
# only; the database is dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

server="${TEST_DATABASE_SERVER:-postgres://postgres@127.0.0.1:5432}"
connections="${CONNECTIONS:-32}"
seconds="${SECONDS_EACH:-10}"
scale="${SCALE:-1}"
binary="${1:-}"
if [ -z "$binary" ]; then
    cargo build --release --quiet --bin cit-api
    binary="$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/cit-api"
fi
command -v wrk >/dev/null || { echo "bench: needs wrk (apt install wrk)" >&2; exit 1; }

database="cit_bench_reads_$$"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password="bench passphrase $$"
secret="bench-secret-$$-$(date +%s%N)-0123456789abcdef"
work=$(mktemp -d)
cleanup() {
    if [ -n "${service:-}" ]; then kill "$service" 2>/dev/null || true; wait "$service" 2>/dev/null || true; fi
    if [ -n "${peer:-}" ]; then kill "$peer" 2>/dev/null || true; wait "$peer" 2>/dev/null || true; fi
    psql "$server/postgres" -qXc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# CPU time (clock ticks) used so far by the service and by every PostgreSQL process.
cpu_ticks() {
    local service_ticks postgres_ticks=0 pid
    service_ticks=$(awk '{ print $14 + $15 }' "/proc/$service/stat")
    for pid in $(pgrep -x postgres); do
        postgres_ticks=$((postgres_ticks + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$service_ticks $postgres_ticks"
}

psql "$server/postgres" -qXc "CREATE DATABASE $database" >/dev/null
DATABASE_URL="$server/$database" "$binary" seed-demo --scale "$scale" >"$work/seed.log" 2>&1
# Settled before measuring: no autovacuum of the fresh rows or checkpoint in the middle.
psql "$server/$database" -qXc "VACUUM (ANALYZE)" -c "CHECKPOINT" >/dev/null
DATABASE_URL="$server/$database" CIT_BIND="127.0.0.1:$port" CIT_ADMIN_USERNAME=admin CIT_JWT_SECRET="$secret" \
    CIT_ADMIN_PASSWORD="$password" RUST_LOG=warn "$binary" serve >"$work/service.log" 2>&1 &
service=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    curl -fs "$base/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done

rss() { awk -v field="$1:" '$1 == field { printf "%.0f MiB", $2 / 1024 }' "/proc/$service/status"; }
sleep 1
idle_rss=$(rss VmRSS)

login() {
    curl -fs "$base/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"username\": \"$1\", \"password\": \"$password\"}" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
admin=$(login admin)
curl -fs -o /dev/null "$base/api/v1/users" -H "authorization: Bearer $admin" \
    -H 'content-type: application/json' \
    -d "{\"username\": \"bench.supervisor\", \"display_name\": \"Bench\", \"roles\": [\"supervisor\"], \"password\": \"$password\"}"
supervisor=$(login bench.supervisor)
person=$(psql "$server/$database" -AtXc "SELECT id FROM personnel ORDER BY employee_number LIMIT 1 OFFSET 100")

echo "SELECT * FROM personnel WHERE id = '$person';" >"$work/personnel.sql"
# What the service's one statement for the detail reads besides the row
# (`personnel::model::find_with_training`).
cat >"$work/detail.sql" <<EOF
SELECT p.*, cit_certified_on(p.id, (now() AT TIME ZONE 'America/Chicago')::date, 'America/Chicago'),
       (SELECT coalesce(jsonb_agg(c ORDER BY c.id DESC), '[]') FROM certifications c WHERE c.personnel_id = p.id),
       (SELECT coalesce(jsonb_agg(e ORDER BY e.id DESC), '[]') FROM enrollments e WHERE e.personnel_id = p.id)
  FROM personnel p WHERE p.id = '$person';
EOF
# The page the service reads (its columns, filter, order and one row past the page).
echo "SELECT * FROM calls WHERE mental_health = true ORDER BY id DESC LIMIT 51;" >"$work/calls.sql"

# Runs pgbench on a script; prints tps.
pgbench_tps() {
    pgbench -n -M prepared -c "$connections" -j 2 -T "$seconds" -f "$1" "$server/$database" 2>/dev/null |
        awk '/^tps/ { print int($3) }'
}

# Runs wrk on a path with a token (at BASE, default the service); prints "req/s p50/p90/p99
# errors cpu-before cpu-after".
load() {
    local before after
    before=$(cpu_ticks)
    wrk -t 2 -c "$connections" -d "${seconds}s" --latency -H "Authorization: Bearer $2" \
        "${BASE:-$base}$1" >"$work/wrk.txt"
    after=$(cpu_ticks)
    local rps p99 errors
    rps=$(awk '/^Requests\/sec/ { print int($2) }' "$work/wrk.txt")
    p99=$(awk '$1 == "50%" { p50 = $2 } $1 == "90%" { p90 = $2 } $1 == "99%" { print p50 "/" p90 "/" $2 }' "$work/wrk.txt")
    errors=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { n += 1 } END { print n + 0 }' "$work/wrk.txt")
    echo "$rps $p99 $errors $before $after"
}

report() {
    python3 - "$@" "$seconds" "$(getconf CLK_TCK)" <<'EOF'
import sys
name, tps, rps, p99, errors, s0, p0, s1, p1, seconds, hz = sys.argv[1:]
tps, rps, s0, p0, s1, p1, seconds, hz = map(float, (tps, rps, s0, p0, s1, p1, seconds, hz))
per = lambda ticks: ticks / hz / (rps * seconds) * 1e6
print(f"{name}")
print(f"  database (pgbench, prepared): {tps:>8,.0f} tps")
print(f"  service:                      {rps:>8,.0f} req/s   p50/p90/p99 {p99}   errors {errors}")
print(f"  ratio to the database:        {rps / tps:8.2f}")
print(f"  CPU a request: service {per(s1 - s0):.0f} µs, PostgreSQL {per(p1 - p0):.0f} µs"
      f" (service {(s1 - s0) / hz / seconds:.2f} cores, PostgreSQL {(p1 - p0) / hz / seconds:.2f})")
EOF
}

# The peer (bench/peer: Node.js, Fastify, pg), on the same database and tokens; PEER=0 skips it.
if [ "${PEER:-1}" != 0 ] && command -v node >/dev/null; then
    npm ci --silent --prefix bench/peer >/dev/null
    peer_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    DATABASE_URL="$server/$database" PORT="$peer_port" JWT_SECRET="$secret" \
        POOL_SIZE="${CIT_DB_POOL_SIZE:-$(($(nproc) * 2))}" node bench/peer/server.js >"$work/peer.log" 2>&1 &
    peer=$!
    peer_base="http://127.0.0.1:$peer_port"
    for _ in $(seq 1 50); do
        curl -fs -o /dev/null -H "Authorization: Bearer $admin" "$peer_base/api/v1/personnel/$person" && break
        sleep 0.2
    done
fi

# The peer's figures for a path, next to the service's.
peer_report() {
    [ -n "${peer:-}" ] || return 0
    local service_rps=$1 path=$2 token=$3 prps pp99 perrors pcpu
    read -r prps pp99 perrors pcpu < <(BASE="$peer_base" load "$path" "$token")
    python3 -c "print(f'  peer (Node.js, Fastify, pg):  {$prps:>8,} req/s   p50/p90/p99 $pp99   errors $perrors; cit-api does {$service_rps / $prps:.2f}x')"
}

echo "$connections connections, ${seconds} s each, scale $scale ($(psql "$server/$database" -AtXc 'SELECT count(*) FROM calls') calls)"

# One read: the database's limit for SQL_FILE, the service on PATH with TOKEN (sampled by
# `perf` into PROFILE when one is given), the peer beside it. Leaves the service's req/s in $rps.
measure() {
    local name=$1 sql_file=$2 path=$3 token=$4 profile=${5:-} tps p99 errors s0 p0 s1 p1 perf_pid=
    tps=$(pgbench_tps "$sql_file")
    if [ -n "$profile" ]; then
        # Samples the service (not wrk or PostgreSQL) while it is under load.
        # shellcheck disable=SC2086
        perf record -q -F 999 ${PERF_FLAGS:-} -p "$service" -o "$profile" -- sleep "$seconds" &
        perf_pid=$!
    fi
    read -r rps p99 errors s0 p0 s1 p1 < <(load "$path" "$token")
    if [ -n "$perf_pid" ]; then wait "$perf_pid"; fi
    report "$name" "$tps" "$rps" "$p99" "$errors" "$s0" "$p0" "$s1" "$p1"
}

measure "GET /api/v1/personnel/{id}, JWT" "$work/personnel.sql" "/api/v1/personnel/$person" "$admin" "${PERF_OUT:-}"
detail_tps=$(pgbench_tps "$work/detail.sql")
python3 -c "print(f'  the detail\'s own statement:   {$detail_tps:>8,} tps; the service reaches {$rps / $detail_tps:.2f} of it')"
peer_report "$rps" "/api/v1/personnel/$person" "$admin"

page="/api/v1/calls?mental_health=true&limit=50"
measure "GET $page, JWT" "$work/calls.sql" "$page" "$supervisor" "${PERF_CALLS_OUT:-}"
peer_report "$rps" "$page" "$supervisor"
echo "resident set: idle (started, ready) $idle_rss; after the loads $(rss VmRSS); at most $(rss VmHWM)"
