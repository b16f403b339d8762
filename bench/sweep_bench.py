#!/usr/bin/env python3
"""Sweep throughput of `backtestd sweep` against what a trader does without
it, measured in the same run.

    python3 bench/sweep_bench.py [--build build] [--loop 40]

On 2 years of synthetic GC 1h bars (12,000), for a dual_sma grid and a
supply_demand_zones random space: configurations per second of one
`backtestd sweep` process (on every core), against a sequential loop of
`backtestd run` processes over the first --loop configurations of the same
space (one process per configuration, its whole wall time), and against the
ideal the issue names, cores / single-run engine time, with the engine time
of the strategy's default configuration from bench/engine_bench (in process,
warm). Rates count completed configurations (not the skipped ones).
Then a walk-forward over 5 years of bars against the same folds scripted
as separate sweep and run processes.
"""
import argparse
import json
import os
import re
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}

SPACES = {
    "dual_sma grid": {
        "symbol": "GC", "strategy": "dual_sma",
        "space": {"method": "grid", "params": {"fast_period": {"from": 5, "to": 60, "step": 5},
                                               "slow_period": {"from": 20, "to": 300, "step": 20}}}},
    "supply_demand_zones random": {
        "symbol": "GC", "strategy": "supply_demand_zones",
        "space": {"method": "random", "samples": 200, "seed": 3,
                  "params": {"atr_period": {}, "stop_atr_mult": {"min": 0.5, "max": 3}}}},
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--loop", type=int, default=40, help="configurations run one process each")
    args = ap.parse_args()
    exe = os.path.join(args.build, "backtestd")
    cores = os.cpu_count()
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "gc.csv")
        subprocess.run([exe, "gen-data", "--symbol", "GC", "--bars", "12000", "--seed", "42",
                        "--out", data], check=True, env=CLEAN_ENV)
        print("%-28s %8s %9s %9s %13s %9s %9s %12s" % (
            "space", "configs", "sweep/s", "1 thread", "process loop/s", "ratio", "ideal/s",
            "sweep/ideal"))
        for name, spec in SPACES.items():
            spec_path = os.path.join(tmp, "spec.json")
            with open(spec_path, "w") as f:
                json.dump(spec, f)

            def sweep_rate(threads):
                best = 0.0
                for _ in range(3):  # the best of three sweeps
                    out = subprocess.run([exe, "sweep", "--data", data, "--spec", spec_path,
                                          "--threads", str(threads)],
                                         capture_output=True, text=True, check=True,
                                         env=CLEAN_ENV).stdout
                    d = json.loads(out)
                    best = max(best, d["sweep"]["completed"] / (d["timing"]["sweep_ms"] / 1000.0))
                return best, d

            rate, doc = sweep_rate(cores)
            one, _ = sweep_rate(1)
            completed = [r for r in doc["results"] if r["status"] == "completed"]
            loop = completed[:args.loop]
            t0 = time.perf_counter()
            for r in loop:
                params = dict(spec.get("params", {}), **r["params"])
                subprocess.run([exe, "run", "--data", data, "--symbol", "GC", "--strategy",
                                spec["strategy"], "--params", json.dumps(params)],
                               capture_output=True, text=True, check=True, env=CLEAN_ENV)
            loop_rate = len(loop) / (time.perf_counter() - t0)
            bench = subprocess.run([os.path.join(args.build, "bench", "engine_bench"), "--strategy",
                                    spec["strategy"], "--bars", "12000"],
                                   capture_output=True, text=True, check=True, env=CLEAN_ENV).stdout
            engine_ms = float(re.search(r"median\s+([0-9.]+) ms", bench).group(1))
            ideal = cores * 1000.0 / engine_ms
            print("%-28s %8d %9.0f %9.0f %13.1f %8.1fx %9.0f %12.2f" % (
                name, doc["sweep"]["configurations"], rate, one, loop_rate, rate / loop_rate, ideal,
                rate / ideal))
        print("\nsweep/s: completed configurations per second of sweeping (the best of 3 sweeps "
              "on %d threads; 1 thread: the same on one);\nratio: sweep/s over the process loop; "
              "ideal: %d cores / engine_bench's median engine time at 12,000 bars." % (cores, cores))
        walk_forward(exe, tmp)
        queued_sweeps(exe, tmp, data)


def walk_forward(exe, tmp):
    """5 years of 1h bars (30,000), 10 folds of 6,000 train and 2,400 test
    bars, 60 dual_sma configurations a fold: one `backtestd walk-forward`
    process (the median of 5) against the same folds scripted as a trader
    would without it, one `backtestd sweep` process per train window and
    one `backtestd run` process per test window."""
    data = os.path.join(tmp, "gc5y.csv")
    subprocess.run([exe, "gen-data", "--symbol", "GC", "--bars", "30000", "--seed", "3",
                    "--start", "2019-01-02", "--out", data], check=True, env=CLEAN_ENV)
    space = {"method": "grid", "params": {
        "fast_period": [5, 10, 15, 20, 30, 40],
        "slow_period": [50, 60, 80, 100, 150, 200, 250, 300, 400, 500]}}
    spec = {"symbol": "GC", "strategy": "dual_sma", "space": space,
            "windows": {"train": 6000, "test": 2400}}
    spec_path = os.path.join(tmp, "wf.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    walls, doc = [], None
    for _ in range(5):
        t0 = time.perf_counter()
        out = subprocess.run([exe, "walk-forward", "--data", data, "--spec", spec_path],
                             capture_output=True, text=True, check=True, env=CLEAN_ENV).stdout
        walls.append(time.perf_counter() - t0)
        doc = json.loads(out)
    walls.sort()
    wall = walls[len(walls) // 2]
    t0 = time.perf_counter()
    for fold in doc["folds"]:
        train = {"symbol": "GC", "strategy": "dual_sma", "space": space,
                 "start": fold["train"]["from"], "end": fold["train"]["to"]}
        with open(spec_path, "w") as f:
            json.dump(train, f)
        best = json.loads(subprocess.run(
            [exe, "sweep", "--data", data, "--spec", spec_path], capture_output=True, text=True,
            check=True, env=CLEAN_ENV).stdout)["best"]
        subprocess.run([exe, "run", "--data", data, "--symbol", "GC", "--strategy", "dual_sma",
                        "--params", json.dumps(best["params"]), "--from", fold["test"]["from"],
                        "--to", fold["test"]["to"]],
                       capture_output=True, text=True, check=True, env=CLEAN_ENV)
    scripted = time.perf_counter() - t0
    print("\nwalk-forward, 30,000 bars, %d folds x %d configurations: %.0f ms whole process "
          "(median of 5; %.0f ms walking), scripted as %d sweep + %d run processes: %.0f ms "
          "(%.1fx); target < 2,000 ms" % (
              len(doc["folds"]), doc["walk_forward"]["configurations_per_fold"], wall * 1000,
              doc["timing"]["walk_forward_ms"], len(doc["folds"]), len(doc["folds"]),
              scripted * 1000, scripted / wall))


# Larger spaces for queued sweeps, whose submission and chunk claims are
# fixed costs that a 180-configuration sweep would mostly measure.
QUEUED_SPACES = {
    "dual_sma grid": {
        "symbol": "GC", "strategy": "dual_sma",
        "space": {"method": "grid", "params": {"fast_period": {"from": 2, "to": 60, "step": 1},
                                               "slow_period": {"from": 10, "to": 400, "step": 5}}}},
    "supply_demand_zones random": {
        "symbol": "GC", "strategy": "supply_demand_zones",
        "space": {"method": "random", "samples": 2000, "seed": 3,
                  "params": {"atr_period": {}, "stop_atr_mult": {"min": 0.5, "max": 3}}}},
}


def queued_sweeps(exe, tmp, data):
    """Queued sweeps on a fresh server (embedded PostgreSQL, 2 workers):
    configurations per second from the submission to the sweep's
    completion, every configuration's parameters, metrics and daily returns
    stored, against `backtestd sweep` on the same bars and space in the same
    run (the best of 3 each)."""
    import socket
    import urllib.request
    # The embedded PostgreSQL runs as its own user: it must reach the directory.
    os.chmod(tmp, 0o755)
    var = os.path.join(tmp, "var")
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    key = subprocess.check_output([exe, "keys", "create", "--user", "bench", "--tier", "enterprise",
                                   "--data-dir", var],
                                  stderr=subprocess.DEVNULL, env=CLEAN_ENV).decode().strip()
    server = subprocess.Popen([exe, "serve", "--listen", "127.0.0.1:%d" % port, "--data-dir", var,
                               "--workers", "2", "--rate-limit", "1000000"],
                              stderr=subprocess.DEVNULL, env=CLEAN_ENV)

    def call(method, path, body=None, ctype=None):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=body,
                                     method=method, headers={"X-API-Key": key})
        if ctype:
            req.add_header("Content-Type", ctype)
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, e.read()
    try:
        for _ in range(400):
            try:
                if call("GET", "/healthz")[0] == 200:
                    break
            except Exception:
                time.sleep(0.05)
        with open(data, "rb") as f:
            status, _ = call("POST", "/v1/market-data?symbol=GC&timeframe=1h", f.read(), "text/csv")
        assert status == 201, status
        print("\nqueued sweeps (server, 2 workers, results stored):")
        print("%-28s %8s %12s %12s %9s" % ("space", "configs", "queued/s", "CLI/s", "ratio"))
        for name, spec in QUEUED_SPACES.items():
            cli = 0.0
            spec_path = os.path.join(tmp, "spec.json")
            with open(spec_path, "w") as f:
                json.dump(spec, f)
            for _ in range(3):
                d = json.loads(subprocess.run([exe, "sweep", "--data", data, "--spec", spec_path],
                                              capture_output=True, text=True, check=True,
                                              env=CLEAN_ENV).stdout)
                cli = max(cli, d["sweep"]["completed"] / (d["timing"]["sweep_ms"] / 1000.0))
            body = dict(spec, start="2023-01-02T00:00:00Z", end="2024-12-31T16:00:00Z")
            best = 0.0
            for _ in range(3):
                t0 = time.perf_counter()
                status, sub = call("POST", "/v1/sweeps", json.dumps(body).encode(),
                                   "application/json")
                assert status == 202, sub
                while True:
                    _, doc = call("GET", "/v1/sweeps/" + sub["sweep_id"])
                    if doc["status"] not in ("queued", "running"):
                        break
                    time.sleep(0.02)  # a client polling 50 times a second
                wall = time.perf_counter() - t0
                assert doc["status"] == "completed", doc
                best = max(best, doc["counts"]["completed"] / wall)
            print("%-28s %8d %12.0f %12.0f %8.2fx" % (name, doc["configurations"], best, cli,
                                                       best / cli))
        print("queued/s: completed configurations per second from POST /v1/sweeps to its "
              "completion (the best of 3); CLI/s: `backtestd sweep` on the same bars.")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
