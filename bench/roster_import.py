#!/usr/bin/env python3
"""Benchmark: POST /api/v1/personnel/import of a 100,000-line roster, through HTTP against the
release binary: a first import (all created), the same file again (all unchanged), and a file
changing every line's shift (all updated).

Baseline measured in the same run, so the figures travel between machines as ratios: the
database's own bulk load, psql's \\copy of the same CSV into a table shaped like `personnel`.

Usage: python3 bench/roster_import.py [--lines 100000] [--keep]
Needs: PostgreSQL on 127.0.0.1:5432 (user postgres, trust), psql, cargo.
"""
import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB = "cit_bench_roster"
SERVER = "postgres://postgres@127.0.0.1:5432"
ADMIN_PASSWORD = "benchmark first-start passphrase"
HEADER = "employee_number,first_name,last_name,department,role,shift,hire_date,separation_date,designated_staff"


def psql(sql, db=DB):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qAtX", "-v",
                           "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True,
                          text=True).stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, token=None, content_type="application/json"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = content_type
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def roster(count, rng, shifts="ABC"):
    lines = [HEADER]
    for n in range(count):
        pick = rng.random()
        if pick < 0.75:
            dept, role, designated = "police", "officer", "no"
        elif pick < 0.85:
            dept, role, designated = "communications", "telecommunicator", "yes"
        else:
            dept, role, designated = "fire", "firefighter", "no"
        hired = f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        lines.append(f"R-{n:06d},First{n},Last{n},{dept},{role},{rng.choice(shifts)},{hired},,{designated}")
    return ("\n".join(lines) + "\n").encode()


def timed_import(port, token, body):
    started = time.perf_counter()
    status, data = request(port, "POST", "/api/v1/personnel/import", body, token, "text/csv")
    elapsed = time.perf_counter() - started
    assert status == 200, data[:300]
    return elapsed, json.loads(data)


def copy_baseline(body):
    psql("DROP TABLE IF EXISTS roster_copy; CREATE UNLOGGED TABLE roster_copy "
         "(employee_number text, first_name text, last_name text, department text, role text, "
         "shift text, hire_date date, separation_date date, designated_staff text)")
    with tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False) as f:
        f.write(body)
        path = f.name
    started = time.perf_counter()
    psql(f"\\copy roster_copy FROM '{path}' WITH (FORMAT csv, HEADER true)")
    elapsed = time.perf_counter() - started
    os.unlink(path)
    psql("DROP TABLE roster_copy")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    rng = random.Random(7)

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    target = json.loads(subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"],
                                       cwd=ROOT, check=True, capture_output=True).stdout)["target_directory"]
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", db="postgres")
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"{SERVER}/{DB}", CIT_BIND=f"127.0.0.1:{port}",
               CIT_ADMIN_PASSWORD=ADMIN_PASSWORD, CIT_JWT_SECRET="b" * 40, RUST_LOG="warn")
    log = open(os.environ.get("SERVICE_LOG", os.devnull), "w")
    server = subprocess.Popen([os.path.join(target, "release/cit-api")], env=env,
                              stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                if request(port, "GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        status, body = request(port, "POST", "/api/v1/auth/login",
                               json.dumps({"username": "admin", "password": ADMIN_PASSWORD}))
        assert status == 200, body
        token = json.loads(body)["access_token"]

        first = roster(args.lines, random.Random(7))
        changed = roster(args.lines, random.Random(7), shifts="XYZ")
        created_s, report = timed_import(port, token, first)
        assert report["created"] == args.lines and not report["errors"], report["errors"][:3]
        same_s, report = timed_import(port, token, first)
        assert report["unchanged"] == args.lines, report
        changed_s, report = timed_import(port, token, changed)
        assert report["updated"] == args.lines, report
        copy_s = copy_baseline(first)
        versions = psql("SELECT count(*) FROM personnel WHERE version = 2")

        mib = len(first) / 2**20
        print(f"roster import: {args.lines:,} lines, {mib:.1f} MiB of CSV")
        print(f"  first import (all created):      {created_s:6.2f} s  ({args.lines / created_s:,.0f} lines/s)")
        print(f"  the same file (all unchanged):   {same_s:6.2f} s")
        print(f"  every shift changed (updated):   {changed_s:6.2f} s  (rows at version 2: {versions.strip()})")
        print(f"  baseline, psql \\copy of the CSV: {copy_s:6.2f} s")
        print(f"  ratios to \\copy: created {created_s / copy_s:.1f}x, unchanged {same_s / copy_s:.1f}x, "
              f"updated {changed_s / copy_s:.1f}x")
    finally:
        server.terminate()
        server.wait()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", db="postgres")


if __name__ == "__main__":
    sys.exit(main())
