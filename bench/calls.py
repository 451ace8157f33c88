#!/usr/bin/env python3
"""Benchmark: calls for service, through the release binary, each figure next to the
database's own cost for the same work measured in the same run.

1. Batch ingest: POST /api/v1/calls/batch of 5,000 new calls (median of --runs batches), and the
   same batch re-sent (all unchanged, no new rows). Baseline: the same 5,000 rows, responders as
   stored included, upserted into a table shaped like `calls` (same columns, unique key and
   indexes) by one INSERT ... SELECT FROM unnest(...) ON CONFLICT statement sent by psql
   (server time, \\timing). Beside it, the same batches sent to the peer (bench/peer: Node.js,
   Fastify, pg, one upsert of the calls as sent; skipped without node or with --no-peer).
2. Import: `cit-api import-calls` of a --import-rows row CSV in the canonical layout. Baseline:
   psql's \\copy of the same file into an unlogged table.
3. Metrics over --calls calls (inserted by SQL): GET /api/v1/metrics/calls (12 months),
   /metrics/repeat-calls and /metrics/outcomes (a year), p50/p95 of 50 sequential requests
   each, next to the same SQL over `calls` timed in psql.

Usage: python3 bench/calls.py [--runs 5] [--import-rows 100000] [--calls 1000000] [--keep]
Needs: PostgreSQL on 127.0.0.1:5432 (user postgres, trust), psql, cargo.
"""
import argparse
import csv
import http.client
import io
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB = "cit_bench_calls"
SERVER = "postgres://postgres@127.0.0.1:5432"
ADMIN_PASSWORD = "benchmark first-start passphrase"
DISPOSITIONS = ["resolved_on_scene", "referral", "mobile_crisis", "voluntary_transport",
                "involuntary_petition", "er_transport", "arrest", "citation"]
FORCES = ["none", "presence", "verbal", "hands_on", "restraint"]


def psql(sql, db=DB, timing=False):
    args = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qAtX", "-v", "ON_ERROR_STOP=1"]
    if timing:
        args += ["-c", "\\timing on"]
    out = subprocess.run(args + ["-c", sql], check=True, capture_output=True, text=True).stdout
    if timing:
        return out, sum(float(m) for m in re.findall(r"Time: ([0-9.]+) ms", out)) / 1000
    return out


def psql_file(path, db=DB):
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qAtX", "-v",
                          "ON_ERROR_STOP=1", "-f", path], check=True, capture_output=True,
                         text=True).stdout
    return sum(float(m) for m in re.findall(r"Time: ([0-9.]+) ms", out)) / 1000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def request(self, method, path, body=None, token=None):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()


def call(n, rng, prefix):
    day = rng.randint(0, 364)
    return {
        "source": "rms",
        "incident_number": f"{prefix}-{n}",
        "received_at": f"2025-{1 + day // 31 % 12:02d}-{1 + day % 28:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00-06:00",
        "call_type": "PIC",
        "call_source": "911",
        "location": {"address": f"{rng.randint(1, 99)}00 BLOCK MAIN ST", "beat": f"B{rng.randint(1, 30)}",
                     "district": f"D{rng.randint(1, 6)}"},
        "mental_health": rng.random() < 0.7,
        "crisis_types": ["suicide"] if rng.random() < 0.3 else [],
        "responders": [{"employee_number": f"P-{rng.randint(0, 199):04d}", "role": "primary"},
                       {"employee_number": f"P-{rng.randint(200, 259):04d}", "role": "backup"}],
        "subject": {"external_id": f"S-{rng.randint(0, 3000)}"} if rng.random() < 0.6 else None,
        "dispositions": [rng.choice(DISPOSITIONS)],
        "force_level": rng.choice(FORCES),
        "subject_injured": rng.random() < 0.05,
        "officer_injured": rng.random() < 0.03,
    }


def sql_array(values, kind):
    def lit(v):
        if v is None:
            return "NULL"
        if isinstance(v, bool):
            return "true" if v else "false"
        return "'" + str(v).replace("'", "''") + "'"
    return f"ARRAY[{','.join(lit(v) for v in values)}]::{kind}[]"


def stored_responders(call, roster):
    """The call's responders as the ingest stores them (ResponderBody): matched against the
    roster, CIT-certified when the bench certified them (employee numbers below P-0060)."""
    return [{"employee_number": r["employee_number"], "role": r["role"],
             "personnel_id": roster.get(r["employee_number"]),
             "cit_certified_at_call": r["employee_number"] in roster
             and r["employee_number"] < "P-0060"} for r in call["responders"]]


def baseline_upsert(calls, path, roster):
    """One INSERT ... SELECT FROM unnest(...) ON CONFLICT of the same rows into calls_base,
    responders and their CIT flag included (the GIN index on responders is written for them)."""
    responders = [stored_responders(c, roster) for c in calls]
    cols = {
        "responders": ([json.dumps(r) for r in responders], "jsonb"),
        "cit_on_scene": ([any(r["cit_certified_at_call"] for r in rs) for rs in responders], "bool"),
        "source": ([c["source"] for c in calls], "text"),
        "incident_number": ([c["incident_number"] for c in calls], "text"),
        "received_at": ([c["received_at"] for c in calls], "timestamptz"),
        "call_type": ([c["call_type"] for c in calls], "text"),
        "call_source": ([c["call_source"] for c in calls], "text"),
        "address": ([c["location"]["address"] for c in calls], "text"),
        "beat": ([c["location"]["beat"] for c in calls], "text"),
        "district": ([c["location"]["district"] for c in calls], "text"),
        "mental_health": ([c["mental_health"] for c in calls], "bool"),
        "crisis_types": (["{" + ",".join(c["crisis_types"]) + "}" for c in calls], "text"),
        "dispositions": (["{" + ",".join(c["dispositions"]) + "}" for c in calls], "text"),
        "force_level": ([c["force_level"] for c in calls], "text"),
        "subject_injured": ([c["subject_injured"] for c in calls], "bool"),
        "officer_injured": ([c["officer_injured"] for c in calls], "bool"),
    }
    names = ", ".join(cols)
    arrays = ", ".join(sql_array(v, k) for v, k in cols.values())
    sql = (f"\\timing on\nINSERT INTO calls_base (id, {names}, received_on, content_digest, "
           "created_at, updated_at) "
           f"SELECT gen_random_uuid(), {names.replace('crisis_types', 'crisis_types::crisis_type[]').replace('dispositions', 'dispositions::disposition[]').replace('call_source', 'call_source::call_source').replace('force_level', 'force_level::force_level')}, "
           "received_at::date, sha256(incident_number::bytea), now(), now() "
           f"FROM unnest({arrays}) AS v({names}) ORDER BY source, incident_number "
           "ON CONFLICT (source, incident_number) DO UPDATE SET received_at = EXCLUDED.received_at, "
           "dispositions = EXCLUDED.dispositions, force_level = EXCLUDED.force_level, "
           "version = calls_base.version + 1 "
           "WHERE (calls_base.received_at, calls_base.dispositions, calls_base.force_level) "
           "IS DISTINCT FROM (EXCLUDED.received_at, EXCLUDED.dispositions, EXCLUDED.force_level);\n")
    with open(path, "w") as f:
        f.write(sql)


CANONICAL = ["source", "incident_number", "received_at", "dispatched_at", "arrived_at", "cleared_at",
             "call_type", "call_type_description", "priority", "call_source", "address", "beat",
             "district", "latitude", "longitude", "mental_health", "crisis_types", "cit_requested",
             "responders", "subject_external_id", "subject_year_of_birth", "subject_veteran",
             "dispositions", "force_level", "subject_injured", "officer_injured", "weapon_involved"]


def canonical_csv(count, rng):
    """The canonical layout (mappings/canonical.toml): every column, empty where unknown."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CANONICAL)
    for n in range(count):
        c = call(n, rng, "I")
        row = {
            "source": c["source"], "incident_number": c["incident_number"],
            "received_at": c["received_at"], "call_type": c["call_type"],
            "call_source": c["call_source"], "address": c["location"]["address"],
            "beat": c["location"]["beat"], "district": c["location"]["district"],
            "mental_health": "yes" if c["mental_health"] else "no",
            "crisis_types": " ".join(c["crisis_types"]),
            "responders": " ".join(f"{r['employee_number']}:{r['role']}" for r in c["responders"]),
            "subject_external_id": (c["subject"] or {}).get("external_id", ""),
            "dispositions": " ".join(c["dispositions"]), "force_level": c["force_level"],
            "subject_injured": "yes" if c["subject_injured"] else "no",
            "officer_injured": "yes" if c["officer_injured"] else "no",
        }
        writer.writerow([row.get(column, "") for column in CANONICAL])
    return out.getvalue()


def start_peer(database_url, secret):
    """The Node.js peer on the same database (bench/peer), and its port; None without node."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None, None
    peer_dir = os.path.join(ROOT, "bench/peer")
    subprocess.run(["npm", "ci", "--silent", "--prefix", peer_dir], check=True, capture_output=True)
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, PORT=str(port), JWT_SECRET=secret,
               POOL_SIZE=str(2 * os.cpu_count()))
    process = subprocess.Popen(["node", os.path.join(peer_dir, "server.js")], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("the peer did not start")


def latencies(client, path, token, count=50):
    for _ in range(5):
        client.request("GET", path, token=token)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        status, body = client.request("GET", path, token=token)
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, body[:300]
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    rng = random.Random(11)

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    target = json.loads(subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                                       cwd=ROOT, check=True, capture_output=True).stdout)["target_directory"]
    binary = os.path.join(target, "release/cit-api")
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", db="postgres")
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"{SERVER}/{DB}", CIT_BIND=f"127.0.0.1:{port}",
               CIT_ADMIN_PASSWORD=ADMIN_PASSWORD, CIT_JWT_SECRET="b" * 40, RUST_LOG="warn")
    server = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peer = None
    try:
        client = None
        for _ in range(200):
            try:
                client = Client(port)
                if client.request("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        status, body = client.request("POST", "/api/v1/auth/login",
                                      json.dumps({"username": "admin", "password": ADMIN_PASSWORD}))
        assert status == 200, body
        token = json.loads(body)["access_token"]
        status, body = client.request("POST", "/api/v1/api-keys",
                                      json.dumps({"name": "rms", "roles": ["integration"]}), token)
        key = json.loads(body)["key"]
        roster = "employee_number,first_name,last_name,department,role,hire_date\n" + "".join(
            f"P-{n:04d},F{n},L{n},police,officer,2015-01-05\n" for n in range(200))
        client.conn.request("POST", "/api/v1/personnel/import", body=roster.encode(),
                            headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"})
        assert client.conn.getresponse().read()
        psql("INSERT INTO certifications (id, personnel_id, certification_type_id, certificate_number, "
             "issued_on) SELECT gen_random_uuid(), id, '019b76da-a800-7000-8000-000000000001', "
             "'B-' || employee_number, '2024-01-01' FROM personnel WHERE employee_number < 'P-0060'")
        psql("CREATE TABLE calls_base (LIKE calls INCLUDING ALL)")
        roster_ids = dict(line.split("|") for line in
                          psql("SELECT employee_number, id FROM personnel").split())

        # 1. Batches.
        created, resent, base_new, base_same = [], [], [], []
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(args.runs):
                calls = [call(n, rng, f"B{run}") for n in range(5000)]
                body = json.dumps({"calls": calls}).encode()
                started = time.perf_counter()
                status, data = client.request("POST", "/api/v1/calls/batch", body, key)
                created.append(time.perf_counter() - started)
                report = json.loads(data)
                assert status == 200 and report["created"] == 5000, data[:300]
                before = psql("SELECT count(*) FROM calls").strip()
                started = time.perf_counter()
                status, data = client.request("POST", "/api/v1/calls/batch", body, key)
                resent.append(time.perf_counter() - started)
                assert json.loads(data)["unchanged"] == 5000, data[:300]
                assert psql("SELECT count(*) FROM calls").strip() == before, "a re-sent batch adds no row"
                path = os.path.join(tmp, "upsert.sql")
                baseline_upsert(calls, path, roster_ids)
                base_new.append(psql_file(path))
                base_same.append(psql_file(path))
        mib = len(body) / 2**20
        c, r = statistics.median(created), statistics.median(resent)
        bn, bs = statistics.median(base_new), statistics.median(base_same)
        print(f"batch of 5,000 calls ({mib:.1f} MiB JSON), median of {args.runs}:")
        print(f"  new calls:      {c * 1000:7.0f} ms   baseline upsert {bn * 1000:5.0f} ms   ratio {c / bn:.2f}x")
        print(f"  re-sent batch:  {r * 1000:7.0f} ms   baseline upsert {bs * 1000:5.0f} ms   ratio {r / bs:.2f}x")

        # The peer, on the same database, with the same key and the same shape of batches.
        if not args.no_peer:
            peer, peer_port = start_peer(f"{SERVER}/{DB}", "b" * 40)
        if peer is not None:
            peer_client = Client(peer_port)
            peer_new, peer_same = [], []
            for run in range(args.runs):
                calls = [call(n, random.Random(100 + run), f"N{run}") for n in range(5000)]
                body = json.dumps({"calls": calls}).encode()
                for times, expected in ((peer_new, "created"), (peer_same, "unchanged")):
                    started = time.perf_counter()
                    status, data = peer_client.request("POST", "/api/v1/calls/batch", body, key)
                    times.append(time.perf_counter() - started)
                    assert status == 200 and json.loads(data)[expected] == 5000, data[:300]
            pn, ps = statistics.median(peer_new), statistics.median(peer_same)
            print(f"  peer (Node.js, Fastify, pg; one upsert of the calls as sent): new {pn * 1000:.0f} ms, "
                  f"re-sent {ps * 1000:.0f} ms; cit-api takes {c / pn:.2f}x and {r / ps:.2f}x its time")

        # 2. Import.
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "calls.csv")
            with open(path, "w") as f:
                f.write(canonical_csv(args.import_rows, random.Random(5)))
            started = time.perf_counter()
            out = subprocess.run([binary, "import-calls", path, "--mapping",
                                  os.path.join(ROOT, "mappings/canonical.toml")],
                                 env=env, check=True, capture_output=True, text=True).stdout
            imported = time.perf_counter() - started
            assert f"{args.import_rows} created" in out, out[-500:]
            psql("CREATE UNLOGGED TABLE import_copy (" + ", ".join(f"{c} text" for c in CANONICAL) + ")")
            started = time.perf_counter()
            psql(f"\\copy import_copy FROM '{path}' WITH (FORMAT csv, HEADER true)")
            copied = time.perf_counter() - started
        print(f"import-calls of {args.import_rows:,} rows: {imported:.2f} s "
              f"({args.import_rows / imported:,.0f} rows/s); \\copy {copied:.2f} s; ratio {imported / copied:.1f}x")

        # 3. Metrics over many calls.
        psql(f"""INSERT INTO calls (id, source, incident_number, received_at, received_on,
                   mental_health, dispositions, force_level, subject_injured, officer_injured,
                   cit_on_scene, subject_id, content_digest, created_at, updated_at)
                 SELECT gen_random_uuid(), 'bulk', 'M-' || n, at, (at AT TIME ZONE 'America/Chicago')::date,
                        n % 10 < 3, ARRAY[(ARRAY['arrest','referral','er_transport','involuntary_petition',
                        'resolved_on_scene'])[1 + n % 5]]::disposition[],
                        (ARRAY['none','verbal','hands_on'])[1 + n % 3]::force_level,
                        n % 29 = 0, n % 41 = 0, n % 4 = 0, NULL, '\\x00', now(), now()
                   FROM (SELECT n, timestamptz '2021-01-01' + (n * interval '1 minute') * 2.6 AS at
                           FROM generate_series(1, {args.calls}) AS n) AS g""")
        psql("INSERT INTO subjects (id, source, external_id, created_at, updated_at) "
             "SELECT gen_random_uuid(), 'bulk', 'X-' || n, now(), now() FROM generate_series(1, 20000) n")
        psql("UPDATE calls SET subject_id = s.id FROM subjects s WHERE calls.source = 'bulk' "
             "AND calls.mental_health AND s.external_id = 'X-' || (1 + abs(hashtext(calls.incident_number)) % 20000)")
        psql("SELECT rebuild_call_days()")  # the bulk load bypassed the service's per-day counts
        psql("VACUUM ANALYZE calls")
        total = psql("SELECT count(*), min(received_on), max(received_on) FROM calls").strip()
        # The plain SQL over every call (what the per-day counts spare the endpoint).
        month_sql = ("SELECT date_trunc('month', received_on)::date, count(*), count(*) FILTER (WHERE mental_health), "
                     "count(*) FILTER (WHERE mental_health AND cit_on_scene), count(*) FILTER (WHERE mental_health AND 'arrest' = ANY (dispositions)) "
                     "FROM calls WHERE received_on BETWEEN '2025-01-01' AND '2025-12-31' GROUP BY 1")
        repeat_sql = ("SELECT count(*), count(*) FILTER (WHERE n >= 2), count(*) FILTER (WHERE n >= 7) FROM "
                      "(SELECT subject_id, count(*) n FROM calls WHERE subject_id IS NOT NULL AND "
                      "received_on > '2024-12-31' AND received_on <= '2025-12-31' GROUP BY subject_id) t")
        outcome_sql = ("SELECT cit_on_scene, count(*), count(*) FILTER (WHERE 'arrest' = ANY (dispositions)), "
                       "count(*) FILTER (WHERE force_level IN ('hands_on', 'restraint', 'weapon')), "
                       "count(*) FILTER (WHERE subject_injured), count(*) FILTER (WHERE officer_injured), "
                       "count(*) FILTER (WHERE 'er_transport' = ANY (dispositions)), "
                       "count(*) FILTER (WHERE 'involuntary_petition' = ANY (dispositions)) "
                       "FROM calls WHERE mental_health AND received_on BETWEEN '2025-01-01' AND '2025-12-31' "
                       "GROUP BY cit_on_scene")
        sql_month = min(psql(month_sql, timing=True)[1] for _ in range(5))
        sql_outcomes = min(psql(outcome_sql, timing=True)[1] for _ in range(5))
        sql_repeat = min(psql(repeat_sql, timing=True)[1] for _ in range(5))
        client = Client(port)  # the keep-alive connection idled out during the bulk load
        status, body = client.request("POST", "/api/v1/auth/login",
                                      json.dumps({"username": "admin", "password": ADMIN_PASSWORD}))
        token = json.loads(body)["access_token"]
        analyst_calls = latencies(client, "/api/v1/metrics/calls?from=2025-01-01&to=2025-12-31", token)
        analyst_repeat = latencies(client, "/api/v1/metrics/repeat-calls?as_of=2025-12-31", token)
        analyst_outcomes = latencies(client, "/api/v1/metrics/outcomes?from=2025-01-01&to=2025-12-31", token)
        print(f"metrics over {total} (calls, first day, last day):")
        print(f"  metrics/calls (12 months):  p50 {analyst_calls[0]:6.1f} ms  p95 {analyst_calls[1]:6.1f} ms   "
              f"SQL alone {sql_month * 1000:6.1f} ms")
        print(f"  metrics/repeat-calls:       p50 {analyst_repeat[0]:6.1f} ms  p95 {analyst_repeat[1]:6.1f} ms   "
              f"SQL alone {sql_repeat * 1000:6.1f} ms")
        print(f"  metrics/outcomes (a year):  p50 {analyst_outcomes[0]:6.1f} ms  p95 {analyst_outcomes[1]:6.1f} ms   "
              f"SQL alone {sql_outcomes * 1000:6.1f} ms")
    finally:
        if peer is not None:
            peer.terminate()
            peer.wait()
        server.terminate()
        server.wait()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", db="postgres")


if __name__ == "__main__":
    sys.exit(main())
