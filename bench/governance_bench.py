#!/usr/bin/env python3
"""Governance at scale: a five-year audit log of a million entries and a
purge of a million runs, on one server (embedded PostgreSQL).

    python3 bench/governance_bench.py [--build build] [--audit 1000000] [--runs 1000000]

Audit log: --audit entries (a valid hash chain, computed here the way
domain/report/audit_chain.cpp does, written with COPY) spread evenly over
five years, 200 actors, 12 actions; then GET /v1/admin/audit as an auditor
for the queries an auditor makes (first page, one day three years back, one
actor over five years, a rare action, one object, a page deep in the log,
one actor in one month), 5 times each: median and max ms (target: < 5 s),
against a full scan of the table (SELECT count(*)) measured in the same
run; then `backtestd audit verify` over the whole chain (whole-process
seconds).

Purge: --runs finished runs 200 days old, then `backtestd purge` (1,000 rows
per transaction) while a client reads a run that stays (GET
/v1/backtest/{id}) and GET /v1/market-data back to back: the API's
p50/p99/max before and during the purge, the purge's rows/s; and the same
runs deleted by one DELETE in one transaction (the reference, re-inserted
first), with the same client.
"""
import argparse
import hashlib
import json
import os
import random
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
DAY_MS = 86_400_000


def canonical(seq, at_ms, actor, uid, kid, action, obj, details, trace):
    j = lambda v: json.dumps(v, ensure_ascii=False)
    n = lambda v: "null" if v is None else str(v)
    return ('{"seq":%d,"at_ms":%d,"actor":%s,"actor_user_id":%s,"actor_key_id":%s,"action":%s,'
            '"object":%s,"details":%s,"trace_id":%s}'
            % (seq, at_ms, j(actor), n(uid), n(kid), j(action), j(obj), j(details), j(trace)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--audit", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=1_000_000)
    args = ap.parse_args()
    exe = os.path.abspath(os.path.join(args.build, "backtestd"))
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)  # the embedded PostgreSQL runs as its own user
        var = os.path.join(tmp, "var")

        def key(user, role):
            return subprocess.check_output(
                [exe, "keys", "create", "--user", user, "--role", role, "--tier", "enterprise",
                 "--data-dir", var], stderr=subprocess.DEVNULL, env=CLEAN_ENV).decode().strip()
        auditor, trader = key("audrey", "auditor"), key("tess", "trader")
        s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
        server = subprocess.Popen(
            [exe, "serve", "--listen", "127.0.0.1:%d" % port, "--data-dir", var, "--workers", "0",
             "--purge-interval-seconds", "0", "--rate-limit", "1000000"],
            stderr=subprocess.DEVNULL, env=CLEAN_ENV)
        base = "http://127.0.0.1:%d" % port
        try:
            for _ in range(400):
                try:
                    urllib.request.urlopen(base + "/healthz")
                    break
                except Exception:
                    time.sleep(0.05)
            password = open(os.path.join(var, "pg-password")).read().strip()
            db = "host=%s/pg-run port=5432 user=backtestd dbname=backtestd password=%s" % (var, password)

            def sql(statement):
                # The server's role has a 60 s statement_timeout; a bench's
                # million-row statements may take longer.
                r = subprocess.run(["psql", db, "-qtAX", "-c",
                                    "SET statement_timeout = 0; " + statement],
                                   capture_output=True, env=CLEAN_ENV)
                if r.returncode != 0:
                    raise RuntimeError(r.stderr.decode())
                return r.stdout.decode().strip()

            def get(path, k):
                req = urllib.request.Request(base + path, headers={"X-API-Key": k})
                t = time.perf_counter()
                with urllib.request.urlopen(req) as r:
                    body = r.read()
                return (time.perf_counter() - t) * 1000, body

            # ---- the audit log ----
            print("== audit log: %d entries over five years" % args.audit)
            head_seq, head_hash = sql("SELECT seq, hash FROM audit_head").split("|")
            seq, prev = int(head_seq), head_hash
            rng = random.Random(7)
            now_ms = int(time.time() * 1000)
            start_ms = now_ms - 5 * 365 * DAY_MS
            actions = ["run.submitted"] * 40 + ["run.deleted"] * 20 + ["run.cancelled"] * 10 + \
                ["market_data.uploaded"] * 10 + ["sweep.submitted"] * 8 + \
                ["walk_forward.submitted"] * 5 + ["market_data.deleted"] * 3 + \
                ["sweep.deleted"] * 2 + ["retention.purged"] + ["key.created"]
            t0 = time.perf_counter()
            path = os.path.join(tmp, "audit.tsv")
            with open(path, "w") as out:
                for i in range(args.audit):
                    seq += 1
                    at = start_ms + (i * 5 * 365 * DAY_MS) // args.audit
                    u = rng.randrange(200)
                    action = actions[rng.randrange(len(actions))] if i % 1000 else "key.revoked"
                    obj = "run:%032x" % rng.getrandbits(128)
                    details = '{"strategy":"dual_sma@1.0.0"}'
                    trace = "%032x" % rng.getrandbits(128)
                    actor = "user%03d" % u
                    h = hashlib.sha256((prev + canonical(seq, at, actor, u + 1000, u + 2000, action,
                                                         obj, details, trace)).encode()).hexdigest()
                    out.write("%d\t%d\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n"
                              % (seq, at, actor, u + 1000, u + 2000, action, obj, details, trace,
                                 prev, h))
                    prev = h
            gen_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            with open(path, "rb") as f:
                subprocess.run(["psql", db, "-qtAX", "-c",
                                "\\copy audit_log FROM STDIN"], stdin=f, check=True,
                               env=CLEAN_ENV)
            sql("UPDATE audit_head SET seq = %d, hash = '%s'" % (seq, prev))
            subprocess.run(["psql", db, "-qtAX", "-c", "VACUUM ANALYZE audit_log"], check=True,
                           env=CLEAN_ENV)
            print("  generated in %.1f s, loaded in %.1f s" % (gen_s, time.perf_counter() - t0))
            t0 = time.perf_counter()
            sql("SELECT count(*) FROM audit_log")
            scan_ms = (time.perf_counter() - t0) * 1000
            day3 = start_ms + 2 * 365 * DAY_MS
            iso = lambda ms: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))
            some_object = sql("SELECT object FROM audit_log WHERE seq = %d" % (seq - args.audit // 2))
            queries = [
                ("first page (100)", "/v1/admin/audit"),
                ("one day, 3 years back", "/v1/admin/audit?limit=1000&from=%s&to=%s"
                 % (iso(day3), iso(day3 + DAY_MS))),
                ("one actor, 5 years, first 1000", "/v1/admin/audit?limit=1000&actor=user042"),
                ("a rare action (key.revoked)", "/v1/admin/audit?limit=1000&action=key.revoked"),
                ("one object", "/v1/admin/audit?object=" + some_object),
                ("a page 900,000 entries in", "/v1/admin/audit?limit=1000&after=%d"
                 % (seq - args.audit // 10)),
                ("one actor, one month", "/v1/admin/audit?limit=1000&actor=user042&from=%s&to=%s"
                 % (iso(day3), iso(day3 + 30 * DAY_MS))),
            ]
            print("  %-34s %10s %10s %9s" % ("query", "median ms", "max ms", "entries"))
            worst = 0
            for name, q in queries:
                times = []
                for _ in range(5):
                    ms, body = get(q, auditor)
                    times.append(ms)
                n = len(json.loads(body)["entries"])
                worst = max(worst, max(times))
                print("  %-34s %10.1f %10.1f %9d" % (name, statistics.median(times), max(times), n))
            print("  reference: a full scan of the table (SELECT count(*)) %.1f ms" % scan_ms)
            print("  slowest query %.1f ms (target: < 5000 ms)" % worst)
            t0 = time.perf_counter()
            verify = subprocess.run([exe, "audit", "verify", "--data-dir", var],
                                    capture_output=True, env=CLEAN_ENV)
            print("  audit verify: %s in %.1f s (whole process)"
                  % (verify.stdout.decode().strip(), time.perf_counter() - t0))

            # ---- the purge ----
            print("== purge: %d finished runs, 200 days old" % args.runs)
            uid = sql("SELECT id FROM users WHERE name = 'tess'")

            def insert_runs():
                t = time.perf_counter()
                sql("INSERT INTO runs (id, user_id, status, priority, symbol, timeframe, "
                    "source_timeframe, start_time, end_time, strategy, strategy_version, config_json, "
                    "params_json, execution_json, config_hash, dataset_checksum, dedupe_key, "
                    "created_at, finished_at) SELECT gen_random_uuid(), %s, 'completed', 1, 'GC', "
                    "'1h', '1h', '2023-01-02', '2024-12-31', 'dual_sma', '1.0.0', '{}', '{}', '{}', "
                    "md5(g::text), 'x', md5(g::text || random()::text), now() - interval '201 days', "
                    "now() - interval '200 days' + g * interval '1 millisecond' "
                    "FROM generate_series(1, %d) g" % (uid, args.runs))
                subprocess.run(["psql", db, "-qtAX", "-c", "VACUUM ANALYZE runs"], check=True,
                               env=CLEAN_ENV)
                return time.perf_counter() - t

            def load(duration_s=None, until=None):
                lat = []
                stop = time.time() + duration_s if duration_s else None
                while (stop and time.time() < stop) or (until and not until.is_set()):
                    for q in ("/v1/backtest/" + kept, "/v1/market-data"):
                        ms, _ = get(q, trader)
                        lat.append(ms)
                return lat

            def summary(lat):
                lat = sorted(lat)
                return "p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d requests)" % (
                    lat[len(lat) // 2], lat[int(len(lat) * 0.99)], lat[-1], len(lat))

            kept = sql("INSERT INTO runs (id, user_id, status, priority, symbol, timeframe, "
                       "source_timeframe, start_time, end_time, strategy, strategy_version, "
                       "config_json, params_json, execution_json, config_hash, dataset_checksum, "
                       "dedupe_key, created_at, finished_at) VALUES (gen_random_uuid(), %s, "
                       "'completed', 1, 'GC', '1h', '1h', '2023-01-02', '2024-12-31', 'dual_sma', "
                       "'1.0.0', '{}', '{}', '{}', 'k', 'x', 'kept', now(), now()) RETURNING id"
                       % uid).splitlines()[0]
            print("  inserted in %.1f s" % insert_runs())
            print("  API idle:                %s" % summary(load(duration_s=5)))

            def during(command):
                done = threading.Event()
                lat = []
                th = threading.Thread(target=lambda: lat.extend(load(until=done)))
                th.start()
                t = time.perf_counter()
                out = command()
                took = time.perf_counter() - t
                done.set()
                th.join()
                return took, out, lat

            took, out, lat = during(lambda: subprocess.run(
                [exe, "purge", "--data-dir", var], capture_output=True, check=True,
                env=CLEAN_ENV).stdout.decode().strip())
            print("  batched purge: %s in %.1f s (%.0f runs/s)" % (out, took, args.runs / took))
            print("  API during batched purge: %s" % summary(lat))
            print("  re-inserted in %.1f s" % insert_runs())
            took, out, lat = during(lambda: sql(
                "DELETE FROM runs WHERE status = 'completed' AND finished_at < now() - "
                "interval '90 days'"))
            print("  reference, one DELETE: %.1f s (%.0f runs/s)" % (took, args.runs / took))
            print("  API during one DELETE:    %s" % summary(lat))
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
