#!/usr/bin/env python3
"""Benchmark: GET /api/v1/goals/{id}/progress with a 5-year monthly series (60 points) over
2,000 personnel and 10,000 certifications, through HTTP against the release binary.

Baselines measured in the same run, so the figures travel between machines as ratios:
  - the HTTP floor: GET /healthz through the same client and server;
  - the database floor: pgbench running the two queries the endpoint makes.

Usage: python3 bench/goal_progress.py [--requests 400] [--keep]
Needs: PostgreSQL on 127.0.0.1:5432 (user postgres, trust), pgbench, cargo.
"""
import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB = "cit_bench_progress"
SERVER = "postgres://postgres@127.0.0.1:5432"
ADMIN_PASSWORD = "benchmark first-start passphrase"
CIT_BASIC = "019b76da-a800-7000-8000-000000000001"
CIT_TELECOM = "019b76da-a800-7000-8000-000000000003"
AS_OF = "2025-12-31"
START = "2021-01-01"
TARGET_P95_MS = 25.0


def psql(sql, db=DB):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-q", "-v",
                    "ON_ERROR_STOP=1", "-c", sql], check=True, stdout=subprocess.DEVNULL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port, token=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token = token

    def request(self, method, path, body=None, content_type="application/json"):
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            headers["Content-Type"] = content_type
            if not isinstance(body, (bytes, str)):
                body = json.dumps(body)
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, data


def roster(count, rng):
    lines = ["employee_number,first_name,last_name,department,role,shift,hire_date,separation_date,designated_staff"]
    for n in range(count):
        pick = rng.random()
        if pick < 0.70:
            dept, role, designated = "police", "officer", "no"
        elif pick < 0.80:
            dept, role, designated = "police", "supervisor", "no"
        elif pick < 0.88:
            dept, role, designated = "communications", "telecommunicator", "yes"
        elif pick < 0.93:
            dept, role, designated = "social_services", "clinician", "yes"
        else:
            dept, role, designated = "fire", rng.choice(["firefighter", "paramedic"]), "no"
        hired = f"{rng.randint(1998, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        separated = ""
        if rng.random() < 0.15:
            year = max(int(hired[:4]) + 1, rng.randint(2015, 2025))
            separated = f"{min(year, 2025)}-{rng.randint(1, 12):02d}-28"
            if separated <= hired:
                separated = ""
        lines.append(f"B-{n:05d},First{n},Last{n},{dept},{role},{rng.choice('ABC')},{hired},{separated},{designated}")
    return "\n".join(lines) + "\n"


def percentile(samples, p):
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def timed(client, path, n):
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        status, _ = client.request("GET", path)
        samples.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    return samples


def pgbench_latency(type_ids):
    script = (
        f"SELECT id, department, role, shift, hire_date, separation_date, designated_staff "
        f"FROM personnel WHERE hire_date <= '{AS_OF}';\n"
        f"SELECT personnel_id, issued_on, expires_on, revoked_at::date FROM certifications "
        f"WHERE certification_type_id = ANY('{{{','.join(type_ids)}}}'::uuid[]) AND issued_on <= '{AS_OF}';\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
        path = f.name
    out = subprocess.run(["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-M", "prepared",
                          "-f", path, "-T", "10", "-c", "1", DB],
                         check=True, capture_output=True, text=True).stdout
    os.unlink(path)
    for line in out.splitlines():
        if line.startswith("latency average"):
            return float(line.split("=")[1].split()[0])
    raise RuntimeError(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    rng = random.Random(42)

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    # Where cargo puts the binary (CARGO_TARGET_DIR may move it out of the project).
    target = json.loads(subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                                       cwd=ROOT, check=True, capture_output=True).stdout)["target_directory"]
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", db="postgres")
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"{SERVER}/{DB}", CIT_BIND=f"127.0.0.1:{port}",
               CIT_ADMIN_PASSWORD=ADMIN_PASSWORD, CIT_JWT_SECRET="b" * 40, RUST_LOG="warn")
    server = subprocess.Popen([os.path.join(target, "release/cit-api")], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                if Client(port).request("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        status, body = Client(port).request("POST", "/api/v1/auth/login",
                                            {"username": "admin", "password": ADMIN_PASSWORD})
        assert status == 200, body
        client = Client(port, json.loads(body)["access_token"])

        status, body = client.request("POST", "/api/v1/personnel/import", roster(2000, rng), "text/csv")
        report = json.loads(body)
        assert status == 200 and report["created"] == 2000, body
        # 10,000 certifications, five per person, issued after hire: CIT types are rare (about a
        # third of people hold one), awareness and refresher certificates common; awareness
        # certificates expire after two years; about 1% are revoked.
        psql(f"""
            INSERT INTO certifications (id, personnel_id, certification_type_id, certificate_number,
                                        issued_on, expires_on, revoked_at, revoked_reason)
            SELECT gen_random_uuid(), p.id, t.id, p.employee_number || '-' || g,
                   d.issued, CASE WHEN t.code = 'MH_AWARENESS' THEN d.issued + 730 END,
                   CASE WHEN (hashtext(p.id::text) + g) % 97 = 0 THEN now() END,
                   CASE WHEN (hashtext(p.id::text) + g) % 97 = 0 THEN 'benchmark' END
              FROM personnel p
              CROSS JOIN generate_series(1, 5) g
              JOIN LATERAL (SELECT p.hire_date + (abs(hashtext(p.id::text || g)) % 3000) AS issued) d ON true
              JOIN LATERAL (SELECT abs(hashtext(p.id::text || 'type' || g)) % 100 AS roll) r ON true
              JOIN certification_types t ON t.code = CASE
                   WHEN r.roll < 6 THEN 'CIT_BASIC' WHEN r.roll < 9 THEN 'CIT_TELECOM'
                   WHEN r.roll < 59 THEN 'MH_AWARENESS' ELSE 'CIT_REFRESHER' END
        """)
        status, body = client.request("POST", "/api/v1/goals", {
            "name": "benchmark goal", "certification_type_ids": [CIT_BASIC, CIT_TELECOM],
            "population": {"roles": ["officer"], "include_designated_staff": True},
            "target_share": 0.2, "start_date": START, "deadline": "2027-12-31"})
        assert status == 201, body
        goal = json.loads(body)["id"]
        path = f"/api/v1/goals/{goal}/progress?as_of={AS_OF}"
        status, body = client.request("GET", path)
        progress = json.loads(body)
        assert status == 200 and len(progress["series"]) == 60, body[:300]

        timed(client, path, 30)  # warm-up
        timed(client, "/healthz", 30)
        samples = timed(client, path, args.requests)
        floor = timed(client, "/healthz", args.requests)
        db_ms = pgbench_latency([CIT_BASIC, CIT_TELECOM])

        # Throughput with 4 concurrent clients for 5 seconds (2 server workers on 2 cores).
        done = []
        stop = time.perf_counter() + 5
        def worker():
            c = Client(port, client.token)
            n = 0
            while time.perf_counter() < stop:
                c.request("GET", path)
                n += 1
            done.append(n)
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        throughput = sum(done) / 5

        p50, p95, p99 = (percentile(samples, p) for p in (50, 95, 99))
        h50, h95 = percentile(floor, 50), percentile(floor, 95)
        print(f"goal progress: 2,000 personnel, 10,000 certifications, {len(progress['series'])} monthly points")
        print(f"  population {progress['population']}, certified {progress['certified']}, share {progress['share']:.3f}")
        print(f"  requests measured: {len(samples)} sequential, keep-alive")
        print(f"  progress latency  p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  p99 {p99:6.2f} ms  max {max(samples):6.2f} ms")
        print(f"  /healthz (HTTP floor) p50 {h50:6.2f} ms  p95 {h95:6.2f} ms")
        print(f"  pgbench, the endpoint's two queries: {db_ms:.2f} ms per pair")
        print(f"  ratios: p95 / pgbench pair = {p95 / db_ms:.2f}x; p50 / healthz p50 = {p50 / h50:.1f}x")
        print(f"  throughput, 4 concurrent clients: {throughput:.0f} req/s")
        verdict = "PASS" if p95 < TARGET_P95_MS else "FAIL"
        print(f"  target p95 < {TARGET_P95_MS:.0f} ms: {verdict}")
    finally:
        server.terminate()
        server.wait()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", db="postgres")


if __name__ == "__main__":
    sys.exit(main())
