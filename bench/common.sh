# Shared by the benchmark scripts that load the service over HTTP (reads.sh, load.sh): seeds a
# fresh database with the demo city, starts the release binary on it, logs in, and defines the
# measuring functions. Sourced, not run; the caller has `set -euo pipefail` and is in the
# project's root. Env: CONNECTIONS (32), SECONDS_EACH (10), SCALE (1), TEST_DATABASE_SERVER.
# Leaves: $server $database $base $service $work $password $secret $admin $supervisor $person
# $idle_rss and the functions cpu_ticks, login, rss, pgbench_tps, load, report.

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

database="cit_bench_${BENCH_NAME:-reads}_$$"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password="bench passphrase $$"
secret="bench-secret-$$-$(date +%s%N)-0123456789abcdef"
work=$(mktemp -d)
source bench/autogroup.sh
cleanup() {
    autogroup_restore
    if [ -n "${service:-}" ]; then kill "$service" 2>/dev/null || true; wait "$service" 2>/dev/null || true; fi
    if [ -n "${peer:-}" ]; then kill "$peer" 2>/dev/null || true; wait "$peer" 2>/dev/null || true; fi
    psql "$server/postgres" -qXc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
autogroup_off

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
    CIT_ADMIN_PASSWORD="$password" CIT_TRUSTED_PROXIES=127.0.0.1 RUST_LOG=warn "$binary" serve >"$work/service.log" 2>&1 &
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


# Runs pgbench on a script; prints tps.
pgbench_tps() {
    pgbench -n -M prepared -c "$connections" -j 2 -T "$seconds" -f "$1" "$server/$database" 2>/dev/null |
        awk '/^tps/ { print int($3) }'
}

# Runs wrk with the given arguments (2 threads, C or CONNECTIONS connections, D or
# SECONDS_EACH seconds); prints "req/s p50/p90/p99 errors cpu-before cpu-after". Errors are
# non-2xx answers and socket errors.
wrk_run() {
    local before after out="$work/wrk-$BASHPID.txt"
    before=$(cpu_ticks)
    wrk -t 2 -c "${C:-$connections}" -d "${D:-$seconds}s" --latency "$@" >"$out"
    after=$(cpu_ticks)
    local rps p99 errors
    rps=$(awk '/^Requests\/sec/ { print int($2) }' "$out")
    p99=$(awk '$1 == "50%" { p50 = $2 } $1 == "90%" { p90 = $2 } $1 == "99%" { print p50 "/" p90 "/" $2 }' "$out")
    # "Non-2xx or 3xx responses: N" and "Socket errors: connect N, read N, write N, timeout N".
    errors=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(/[^0-9 ]/, " "); for (i = 1; i <= NF; i++) n += $i } END { print n + 0 }' "$out")
    echo "$rps $p99 $errors $before $after"
}

# wrk_run on a path (at BASE, default the service) with a bearer token.
load() {
    wrk_run -H "Authorization: Bearer $2" "${BASE:-$base}$1"
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


# One read: the database's limit for SQL_FILE, the service on PATH with TOKEN (sampled by
# `perf` into PROFILE when one is given). Leaves the service's req/s in $rps.
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
    last_tps=$tps
}

