#!/usr/bin/env bash
# The rest of issue 11's load targets, on a seeded city, each next to its own ceiling measured
# in the same run:
#   1. a read with an API key (the roster read the records management system may make,
#      `GET /api/v1/personnel?limit=1`)  vs  pgbench's prepared primary-key lookup and the
#      page's own SQL; the same read with a JWT beside it;
#   2. login throughput  vs  argon2id verifications a second on all cores with the service's
#      own parameters and code (examples/argon2_rate.rs), and what a login load does to other
#      requests' p99 (personnel reads at 8 connections, alone and beside the logins);
#   3. a mixed load, MIXED_SECONDS (60) at CONNECTIONS: 80% personnel reads by id (over every
#      person), 15% call pages, 5% batches of 20 calls with an API key (new incident numbers,
#      some repeated): every answer must be 2xx, and /metrics must show no 503 (a pool timeout
#      answers 503).
#
#   bench/load.sh [BINARY]      # default: builds and uses the release binary
#
# Env as bench/reads.sh (CONNECTIONS, SECONDS_EACH, SCALE, TEST_DATABASE_SERVER), plus
# MIXED_SECONDS, PARTS (default "key login mixed": which of the three to run), ROUNDS (3: the
# alone/beside pairs of part 2, medians reported), HASH_NICE (an experiment: renice the
# service's argon2 threads, which start at nice 19; below 19 needs root) and HASH_IDLE (an
# experiment: put them under the SCHED_IDLE policy, with chrt). Needs wrk and pgbench. Loopback only; the database is dropped
# afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

parts=" ${PARTS:-key login mixed} "
if [[ $parts == *" login "* ]]; then
    # Its own build of the library (an example unifies the dev-dependencies' features): once.
    cargo build --release --quiet --example argon2_rate
    argon2_rate="$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/examples/argon2_rate"
fi

BENCH_NAME=load
source bench/common.sh

echo "$connections connections, ${seconds} s each, scale $scale ($(psql "$server/$database" -AtXc 'SELECT count(*) FROM calls') calls)"

key=$(curl -fs "$base/api/v1/api-keys" -H "authorization: Bearer $admin" -H 'content-type: application/json' \
    -d '{"name": "bench rms", "roles": ["integration"]}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')

# 1. An API key's read.
if [[ $parts == *" key "* ]]; then
echo "SELECT * FROM personnel WHERE id = '$person';" >"$work/personnel.sql"
# The roster page the service reads (`personnel::model::list`: the CIT flag of each row, one
# row past the page).
cat >"$work/roster.sql" <<EOF
SELECT p.*, cit_certified_on(p.id, (now() AT TIME ZONE 'America/Chicago')::date, 'America/Chicago')
  FROM personnel p ORDER BY p.id DESC LIMIT 2;
EOF
roster="/api/v1/personnel?limit=1"
measure "GET $roster, API key" "$work/personnel.sql" "$roster" "$key"
key_rps=$rps
roster_tps=$(pgbench_tps "$work/roster.sql")
read -r jwt_rps jwt_p99 _ < <(load "$roster" "$admin")
python3 -c "print(f'  the page\'s own SQL:           {$roster_tps:>8,} tps; the service reaches {$key_rps / $roster_tps:.2f} of it')"
echo "  the same read with the admin's JWT (full bodies, not numbers only): $jwt_rps req/s   p50/p90/p99 $jwt_p99"
fi

# 2. Logins against argon2.
if [[ $parts == *" login "* ]]; then
curl -fs -o /dev/null "$base/api/v1/users" -H "authorization: Bearer $admin" \
    -H 'content-type: application/json' \
    -d "{\"username\": \"bench.login\", \"display_name\": \"Bench\", \"roles\": [\"analyst\"], \"password\": \"$password\"}"
cat >"$work/login.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username": "bench.login", "password": "$password"}'
-- Each login from an address of its own (the service trusts the loopback proxy's
-- X-Forwarded-For), as staff log in from their own machines: the per-address throttle's row is
-- then not one row every login queues on.
local n = 0
function request()
  n = n + 1
  wrk.headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), n % 250 + 1)
  return wrk.format()
end
EOF
if [ -n "${HASH_IDLE:-}" ]; then
    # An experiment: the hashing threads under SCHED_IDLE.
    for task in /proc/"$service"/task/*; do
        if [[ $(cat "$task/comm") == argon2-* ]]; then
            chrt --idle -p 0 "${task##*/}"
        fi
    done
fi
if [ -n "${HASH_NICE:-}" ]; then
    # An experiment: the hashing threads (argon2-N) at another priority.
    reniced=0
    for task in /proc/"$service"/task/*; do
        if [[ $(cat "$task/comm") == argon2-* ]]; then
            renice -n "$HASH_NICE" -p "${task##*/}" >/dev/null
            reniced=$((reniced + 1))
        fi
    done
    [ "$reniced" -gt 0 ] || { echo "bench: HASH_NICE: no argon2 thread found" >&2; exit 1; }
fi
[ "${ROUNDS:-3}" -ge 1 ] || { echo "bench: ROUNDS must be at least 1" >&2; exit 1; }
ceiling=$("$argon2_rate" "$seconds" | awk '{ print $1 }')
read -r login_rps login_p99 login_errors _ < <(C=8 wrk_run -s "$work/login.lua" "$base/api/v1/auth/login")
# Reads alone, then beside the logins, ROUNDS (3) times in turn: one window's p99 on a shared
# VM swings by a factor of three, so each figure is the median of its rounds.
: >"$work/rounds.txt"
for _ in $(seq 1 "${ROUNDS:-3}"); do
    read -r alone_rps alone_p99 _ < <(C=8 load "/api/v1/personnel/$person" "$admin")
    C=8 wrk_run -s "$work/login.lua" "$base/api/v1/auth/login" >"$work/logins-beside.txt" &
    logins=$!
    read -r beside_rps beside_p99 beside_errors _ < <(C=8 load "/api/v1/personnel/$person" "$admin")
    wait "$logins"
    read -r beside_login_rps _ < "$work/logins-beside.txt"
    echo "$alone_rps $alone_p99 $beside_rps $beside_p99 $beside_errors $beside_login_rps" >>"$work/rounds.txt"
done
python3 - "$ceiling" "$login_rps" "$login_p99" "$login_errors" "$work/rounds.txt" <<'EOF'
import statistics
import sys
ceiling, rps, p99, errors, rounds = sys.argv[1:]
ceiling, rps = float(ceiling), float(rps)


def ms(text):
    """A wrk latency ("950.00us", "1.23ms", "1.02s") in milliseconds."""
    for suffix, factor in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    raise ValueError(text)


rows = [line.split() for line in open(rounds)]
print("POST /api/v1/auth/login, 8 connections")
print(f"  argon2id on every core (same parameters and code): {ceiling:8,.1f} verifications/s")
print(f"  logins:                       {rps:>8,.0f} req/s   p50/p90/p99 {p99}   errors {errors}")
print(f"  ratio to argon2:              {rps / ceiling:8.2f}")
print(f"  personnel reads, 8 connections, alone and beside the login load, {len(rows)} rounds in turn:")
for alone, alone_p, beside, beside_p, beside_errors, logins in rows:
    print(f"    alone {float(alone):>7,.0f} req/s, p50/p90/p99 {alone_p}; beside ({float(logins):,.0f} logins/s) "
          f"{float(beside):>7,.0f} req/s, p50/p90/p99 {beside_p}, errors {beside_errors}")
a = statistics.median(ms(r[1].split("/")[2]) for r in rows)
b = statistics.median(ms(r[3].split("/")[2]) for r in rows)
print(f"  median p99: alone {a:.2f} ms, beside the logins {b:.2f} ms: x{b / a:.2f}")
EOF
fi

# 3. The mixed load.
if [[ $parts == *" mixed "* ]]; then
psql "$server/$database" -AtXc "SELECT id FROM personnel ORDER BY id" >"$work/ids.txt"
responders=$(psql "$server/$database" -AtXc "SELECT string_agg(employee_number, ',') FROM (SELECT employee_number FROM personnel WHERE department = 'police' ORDER BY employee_number LIMIT 50) p")
cat >"$work/mixed.lua" <<EOF
-- 80% personnel reads by id, 15% call pages, 5% batches of 20 calls.
local ids, responders = {}, {}
for line in io.lines("$work/ids.txt") do ids[#ids + 1] = line end
for number in string.gmatch("$responders", "[^,]+") do responders[#responders + 1] = number end
local n, prefix = 0, 0
function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  prefix = math.random(1, 1000000)
end
local function batch()
  local calls = {}
  for i = 1, 20 do
    -- The first of every batch repeats one call: a retry the ingest must take as unchanged.
    local number = (i == 1) and ("M" .. prefix .. "-0") or ("M" .. prefix .. "-" .. n .. "-" .. i)
    calls[i] = string.format('{"source": "rms", "incident_number": "%s", "received_at": "2026-11-0%dT1%d:00:00-06:00", '
      .. '"call_type": "PIC", "mental_health": %s, "crisis_types": [], "responders": [{"employee_number": "%s", "role": "primary"}], '
      .. '"dispositions": ["referral"], "force_level": "none"}',
      number, 1 + i % 9, i % 10, (i % 3 == 0) and "true" or "false", (i == 1) and responders[1] or responders[1 + (n + i) % #responders])
  end
  return '{"calls": [' .. table.concat(calls, ",") .. ']}'
end
function request()
  n = n + 1
  local slot = n % 20
  if slot == 0 then
    return wrk.format("POST", "/api/v1/calls/batch",
      {["Authorization"] = "Bearer $key", ["Content-Type"] = "application/json"}, batch())
  elseif slot <= 3 then
    return wrk.format("GET", "/api/v1/calls?mental_health=true&limit=50", {["Authorization"] = "Bearer $supervisor"})
  else
    return wrk.format("GET", "/api/v1/personnel/" .. ids[1 + (n * 7919) % #ids], {["Authorization"] = "Bearer $admin"})
  end
end
EOF
status_count() {
    curl -fs "$base/metrics" | awk -v s="status=\"$1\"" 'index($0, s) && /^http_requests_total/ { n += $NF } END { print n + 0 }'
}
calls_before=$(psql "$server/$database" -AtXc "SELECT count(*) FROM calls")
unavailable_before=$(status_count 503)
mixed_seconds="${MIXED_SECONDS:-60}"
read -r mixed_rps mixed_p99 mixed_errors _ < <(D="$mixed_seconds" wrk_run -s "$work/mixed.lua" "$base")
calls_after=$(psql "$server/$database" -AtXc "SELECT count(*) FROM calls")
echo "mixed load, $connections connections, $mixed_seconds s (80% reads by id, 15% call pages, 5% batches of 20)"
echo "  service: $mixed_rps req/s   p50/p90/p99 $mixed_p99   errors (non-2xx) $mixed_errors"
echo "  503s (pool timeouts, outages): $(( $(status_count 503) - unavailable_before )); calls stored by the batches: $((calls_after - calls_before))"
fi
echo "resident set: idle (started, ready) $idle_rss; after the loads $(rss VmRSS); at most $(rss VmHWM)"
