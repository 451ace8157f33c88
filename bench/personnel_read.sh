#!/usr/bin/env bash
# Authenticated `GET /api/v1/personnel/{id}` against the database's own primary-key lookup of
# the same row, measured in the same run at the same concurrency (issue 11's first target).
#
#   bench/personnel_read.sh [BINARY]      # default: builds and uses the release binary
#
# Env: CONNECTIONS (32), SECONDS_EACH (10), TEST_DATABASE_SERVER (as for the tests), PERF_OUT
# (a path: `perf record` samples the service during the load; build it with
# `cargo build --profile profiling` and pass that binary).
# Needs wrk (apt install wrk) and pgbench (PostgreSQL's client tools). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

server="${TEST_DATABASE_SERVER:-postgres://postgres@127.0.0.1:5432}"
connections="${CONNECTIONS:-32}"
seconds="${SECONDS_EACH:-10}"
binary="${1:-}"
if [ -z "$binary" ]; then
    cargo build --release --quiet --bin cit-api
    binary="$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/cit-api"
fi
command -v wrk >/dev/null || { echo "bench: needs wrk (apt install wrk)" >&2; exit 1; }

# CPU time (clock ticks) used so far by the service and by every PostgreSQL process.
cpu_ticks() {
    local service_ticks postgres_ticks=0 pid
    service_ticks=$(awk '{ print $14 + $15 }' "/proc/$service/stat")
    for pid in $(pgrep -x postgres); do
        postgres_ticks=$((postgres_ticks + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$service_ticks $postgres_ticks"
}

database="cit_bench_read_$$"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password="bench passphrase $$"
work=$(mktemp -d)
cleanup() {
    if [ -n "${service:-}" ]; then kill "$service" 2>/dev/null || true; wait "$service" 2>/dev/null || true; fi
    psql "$server/postgres" -qXc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

DATABASE_URL="$server/$database" CIT_BIND="127.0.0.1:$port" CIT_ADMIN_USERNAME=admin \
    CIT_ADMIN_PASSWORD="$password" RUST_LOG=warn "$binary" serve >"$work/service.log" 2>&1 &
service=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    curl -fs "$base/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done

token=$(curl -fs "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\": \"admin\", \"password\": \"$password\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
python3 - "$work/roster.csv" <<'EOF'
import sys
with open(sys.argv[1], "w") as out:
    out.write("employee_number,first_name,last_name,department,role,shift,hire_date\n")
    for n in range(1, 1001):
        out.write(f"P-{n},First{n},Last{n},police,officer,A,2015-01-01\n")
EOF
curl -fs -o /dev/null "$base/api/v1/personnel/import" -H "authorization: Bearer $token" \
    -H 'content-type: text/csv' --data-binary "@$work/roster.csv"
id=$(psql "$server/$database" -AtXc "SELECT id FROM personnel WHERE employee_number = 'P-500'")

# The database's own limit: the same row by primary key, prepared, same concurrency.
echo "SELECT * FROM personnel WHERE id = '$id';" >"$work/lookup.sql"
pg_tps=$(pgbench -n -M prepared -c "$connections" -j 2 -T "$seconds" -f "$work/lookup.sql" \
    "$server/$database" 2>/dev/null | awk '/^tps/ { print int($3) }')

if [ -n "${PERF_OUT:-}" ]; then
    # Samples the service (not wrk or PostgreSQL) while it is under load, with call graphs.
    perf record -q -F 999 ${PERF_FLAGS:-} -p "$service" -o "$PERF_OUT" -- sleep "$seconds" &
    perf_pid=$!
fi
cpu_before=$(cpu_ticks)
wrk -t 2 -c "$connections" -d "${seconds}s" --latency -H "Authorization: Bearer $token" \
    "$base/api/v1/personnel/$id" >"$work/wrk.txt"
cpu_after=$(cpu_ticks)
if [ -n "${perf_pid:-}" ]; then wait "$perf_pid"; fi
rps=$(awk '/^Requests\/sec/ { print int($2) }' "$work/wrk.txt")
p99=$(awk '$1 == "99%" { print $2 }' "$work/wrk.txt")
errors=$(awk '/Non-2xx|Socket errors/' "$work/wrk.txt")

echo "personnel read, $connections connections, ${seconds} s each"
echo "  pgbench primary-key lookup (prepared): $pg_tps tps"
echo "  GET /api/v1/personnel/{id} with a JWT:  $rps req/s, p99 $p99${errors:+ ($errors)}"
python3 - "$rps" "$pg_tps" "$seconds" $cpu_before $cpu_after "$(getconf CLK_TCK)" <<'EOF'
import sys
rps, pg_tps, seconds, s0, p0, s1, p1, hz = map(float, sys.argv[1:])
print(f"  ratio to the database: {rps / pg_tps:.2f}")
cores = lambda ticks: ticks / hz / seconds
print(f"  CPU during the load: service {cores(s1 - s0):.2f} cores, PostgreSQL {cores(p1 - p0):.2f} cores;"
      f" per request: service {(s1 - s0) / hz / (rps * seconds) * 1e6:.0f} µs,"
      f" PostgreSQL {(p1 - p0) / hz / (rps * seconds) * 1e6:.0f} µs")
EOF
