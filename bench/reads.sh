#!/usr/bin/env bash
# The read targets of issue 11, each against the database's own limit for the same query,
# measured in the same run at the same concurrency on a seeded city:
#   1. `GET /api/v1/personnel/{id}` with a JWT  vs  pgbench's prepared primary-key lookup of
#      the row, and vs the service's own statement (the row, the CIT flag, the two lists);
#      then over every person in turn, with the personnel details cache on (the default) and
#      off (`CIT_READ_CACHE_SECONDS=0`, a second instance), against the same PK lookup;
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

source bench/common.sh

echo "SELECT * FROM personnel WHERE id = '$person';" >"$work/personnel.sql"
# What the service's one statement for the detail reads besides the row
# (`personnel::model::find_with_training`).
cat >"$work/detail.sql" <<EOF
SELECT p.*,
       (SELECT json_build_object('list', coalesce(json_agg(c ORDER BY c.id DESC), '[]'),
                                 'cit', coalesce(json_agg(c.id) FILTER (WHERE t.counts_as_cit), '[]'))
          FROM certifications c JOIN certification_types t ON t.id = c.certification_type_id
         WHERE c.personnel_id = p.id),
       (SELECT coalesce(json_agg(e ORDER BY e.id DESC), '[]') FROM enrollments e WHERE e.personnel_id = p.id)
  FROM personnel p WHERE p.id = '$person';
EOF
# The page the service reads (its columns, filter, order and one row past the page).
echo "SELECT * FROM calls WHERE mental_health = true ORDER BY id DESC LIMIT 51;" >"$work/calls.sql"

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

measure "GET /api/v1/personnel/{id}, JWT" "$work/personnel.sql" "/api/v1/personnel/$person" "$admin" "${PERF_OUT:-}"
detail_tps=$(pgbench_tps "$work/detail.sql")
python3 -c "print(f'  the detail\'s own statement:   {$detail_tps:>8,} tps; the service reaches {$rps / $detail_tps:.2f} of it')"
peer_report "$rps" "/api/v1/personnel/$person" "$admin"
pk_tps=$last_tps

# The same read over every person in turn (each detail is read from the database once, then
# served from the personnel details cache until a change), and with that cache off
# (CIT_READ_CACHE_SECONDS=0, a second instance on the same database): every read then sends
# the detail's statement.
psql "$server/$database" -AtXc "SELECT id FROM personnel ORDER BY id" |
    awk 'BEGIN { print "ids = {" } { print "  \"" $1 "\"," } END { print "}" }' >"$work/people.lua"
cat >>"$work/people.lua" <<'EOF'
local n = 0
function request()
  n = n + 1
  return wrk.format(nil, "/api/v1/personnel/" .. ids[n % #ids + 1])
end
EOF
people=$(psql "$server/$database" -AtXc "SELECT count(*) FROM personnel")
read -r every_rps every_p99 every_errors _ < <(wrk_run -s "$work/people.lua" -H "Authorization: Bearer $admin" "$base/")
uncached_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATABASE_URL="$server/$database" CIT_BIND="127.0.0.1:$uncached_port" CIT_JWT_SECRET="$secret" \
    CIT_READ_CACHE_SECONDS=0 CIT_TRUSTED_PROXIES=127.0.0.1 RUST_LOG=warn "$binary" serve >"$work/uncached.log" 2>&1 &
uncached=$!
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$uncached_port/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done
read -r off_rps off_p99 off_errors _ < <(wrk_run -s "$work/people.lua" -H "Authorization: Bearer $admin" "http://127.0.0.1:$uncached_port/")
kill "$uncached"
wait "$uncached" 2>/dev/null || true
python3 - "$pk_tps" "$people" "$every_rps" "$every_p99" "$every_errors" "$off_rps" "$off_p99" "$off_errors" <<'EOF'
import sys
pk, people, every, every_p99, every_errors, off, off_p99, off_errors = sys.argv[1:]
pk, every, off = float(pk), float(every), float(off)
print(f"  every person in turn ({people}): {every:>8,.0f} req/s   p50/p90/p99 {every_p99}   errors {every_errors}; {every / pk:.2f} of the PK lookup")
print(f"  the same, details cache off:  {off:>8,.0f} req/s   p50/p90/p99 {off_p99}   errors {off_errors}; {off / pk:.2f} of the PK lookup")
EOF

page="/api/v1/calls?mental_health=true&limit=50"
measure "GET $page, JWT" "$work/calls.sql" "$page" "$supervisor" "${PERF_CALLS_OUT:-}"
peer_report "$rps" "$page" "$supervisor"
echo "resident set: idle (started, ready) $idle_rss; after the loads $(rss VmRSS); at most $(rss VmHWM)"
