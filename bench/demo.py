#!/usr/bin/env python3
"""Benchmark: the demo city and the public dashboard, through the release binary, each figure
next to a baseline measured in the same run.

1. Seeding: `cit-api seed-demo --scale S` on an empty database, wall time. Baseline: the same
   data reloaded by PostgreSQL itself (`pg_dump --data-only` of the seeded tables, restored by
   psql into a second, migrated database): the floor for writing that many rows with their
   indexes and keys.
2. The dashboard on that city: the first request (the cache empty: seven statements and the
   rendering), then --requests sequential requests (cached) as p50/p95, next to `GET /healthz`
   over the same connection (the HTTP floor).

Usage: python3 bench/demo.py [--scale 1] [--requests 500] [--no-build] [--keep]
Needs: PostgreSQL on 127.0.0.1:5432 (user postgres, trust), psql, pg_dump, cargo.
"""
import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = "postgres://postgres@127.0.0.1:5432"
DB, COPY = "cit_bench_demo", "cit_bench_demo_copy"
TABLES = ["personnel", "users", "training_sessions", "enrollments", "certifications", "partners",
          "partner_services", "subjects", "calls", "call_days", "referrals", "follow_ups"]


def psql(sql, db="postgres"):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qAtX", "-v",
                           "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed_get(conn, path):
    start = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    assert response.status == 200, (path, response.status)
    return (time.perf_counter() - start) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    binary = os.path.join(target, "release", "cit-api")
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    for db in (DB, COPY):
        psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    env = dict(os.environ, DATABASE_URL=f"{SERVER}/{DB}", CIT_LOG_FORMAT="text", RUST_LOG="warn",
               CIT_ADMIN_USERNAME="admin", CIT_ADMIN_PASSWORD="benchmark first-start passphrase")
    subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True)
    start = time.perf_counter()
    out = subprocess.run([binary, "seed-demo", "--scale", str(args.scale)], env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    seeded = time.perf_counter() - start
    print(out)
    rows = {t: int(psql(f"SELECT count(*) FROM {t}", DB)) for t in TABLES}

    # Baseline: PostgreSQL reloading the same rows into a migrated database of its own.
    subprocess.run([binary, "migrate"], env=dict(env, DATABASE_URL=f"{SERVER}/{COPY}"), check=True,
                   capture_output=True)
    psql("TRUNCATE " + ", ".join(TABLES) + " CASCADE", COPY)
    dump = subprocess.run(["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "--data-only",
                           "--disable-triggers"] + [f"--table={t}" for t in TABLES] + [DB],
                          check=True, capture_output=True).stdout
    start = time.perf_counter()
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", COPY, "-qX", "-v",
                    "ON_ERROR_STOP=1"], input=dump, check=True, capture_output=True)
    reloaded = time.perf_counter() - start

    port = free_port()
    service = subprocess.Popen([binary, "serve"], env=dict(env, CIT_BIND=f"127.0.0.1:{port}"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                timed_get(conn, "/readyz")
                break
            except (OSError, AssertionError):
                time.sleep(0.1)
        cold = timed_get(conn, "/dashboard")
        warm = sorted(timed_get(conn, "/dashboard") for _ in range(args.requests))
        floor = sorted(timed_get(conn, "/healthz") for _ in range(args.requests))
    finally:
        service.terminate()
        service.wait()
    if not args.keep:
        for db in (DB, COPY):
            psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")

    p = lambda xs, q: xs[min(len(xs) - 1, int(q * len(xs)))]
    total = sum(rows.values())
    print(f"\nrows written: {total:,} ({rows['calls']:,} calls, {rows['follow_ups']:,} follow-ups, "
          f"{rows['referrals']:,} referrals, {rows['personnel']:,} personnel)")
    print(f"seed-demo --scale {args.scale:g}: {seeded:.1f} s ({total / seeded:,.0f} rows/s)")
    print(f"baseline, the same rows reloaded by psql: {reloaded:.1f} s ({total / reloaded:,.0f} rows/s)")
    print(f"seed ÷ reload: {seeded / reloaded:.2f}×")
    print(f"dashboard, first request (cache empty): {cold:.1f} ms")
    print(f"dashboard, cached: p50 {statistics.median(warm):.2f} ms, p95 {p(warm, 0.95):.2f} ms; "
          f"/healthz p50 {statistics.median(floor):.2f} ms, p95 {p(floor, 0.95):.2f} ms; "
          f"p95 ÷ healthz p95: {p(warm, 0.95) / p(floor, 0.95):.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
