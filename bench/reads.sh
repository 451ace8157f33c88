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

page="/api/v1/calls?mental_health=true&limit=50"
measure "GET $page, JWT" "$work/calls.sql" "$page" "$supervisor" "${PERF_CALLS_OUT:-}"
peer_report "$rps" "$page" "$supervisor"
echo "resident set: idle (started, ready) $idle_rss; after the loads $(rss VmRSS); at most $(rss VmHWM)"
