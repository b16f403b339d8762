#!/usr/bin/env python3
"""An evaluation program's cycle through the server, against the same
walk-forwards scripted as one process each, measured in the same run.

    python3 bench/program_bench.py [--build build] [--bars 30000] [--workers 2]

On 5 years of synthetic GC 1h bars (29,000 on the CME calendar from 2020), for each
strategy: a program of 60 Latin-hypercube configurations with full
walk-forward (train 180 days, test 60 days, over the whole 5 years) is
created over the API and one cycle started; the figure is the wall time
from POST .../cycles to its scorecard (every walk-forward queued, run by
the server's workers and scored). The reference is the same 60
walk-forwards run by `backtestd walk-forward` one process after another
(what a trader scripts without programs), and the orchestration
specification's budget of 4 hours. Then a replay of a 64-configuration
dual_sma grid program's promotion process (2 years of look-back, the
default gate and rules) over the last year of the data, weekly cycles,
timed from its request to its result.
"""
import argparse
import json
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}

TEMPLATES = {
    "dual_sma": {"fast_period": {"min": 5, "max": 40}, "slow_period": {"min": 50, "max": 200}},
    "supply_demand_zones": {"atr_period": {"min": 10, "max": 30},
                            "stop_atr_mult": {"min": 0.5, "max": 3}},
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--bars", type=int, default=29000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    exe = os.path.abspath(os.path.join(args.build, "backtestd"))
    with tempfile.TemporaryDirectory(prefix="bt_program_bench_") as tmp:
        os.chmod(tmp, 0o755)  # the embedded PostgreSQL runs as its own user
        data = os.path.join(tmp, "gc.csv")
        subprocess.run([exe, "gen-data", "--symbol", "GC", "--bars", str(args.bars), "--seed", "42", "--start", "2020-01-02",
                        "--out", data], check=True, env=CLEAN_ENV)
        var = os.path.join(tmp, "var")
        key = subprocess.run([exe, "keys", "create", "--user", "bench", "--tier", "enterprise",
                              "--data-dir", var], check=True, capture_output=True,
                             env=CLEAN_ENV).stdout.decode().strip()
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        base = "http://127.0.0.1:%d" % port
        log = open(os.path.join(tmp, "serve.log"), "w")
        server = subprocess.Popen([exe, "serve", "--listen", "127.0.0.1:%d" % port, "--data-dir", var,
                                   "--workers", str(args.workers), "--rate-limit", "1000000",
                                   "--quota-enterprise", "1000000", "--program-interval-ms", "200"],
                                  stdout=subprocess.DEVNULL, stderr=log, env=CLEAN_ENV)
        try:
            for _ in range(600):
                try:
                    urllib.request.urlopen(base + "/healthz")
                    break
                except Exception:
                    time.sleep(0.1)

            def call(method, path, body=None, ctype="application/json"):
                data_ = body.encode() if isinstance(body, str) else body
                headers = {"X-API-Key": key}
                if body is not None:
                    headers["Content-Type"] = ctype
                req = urllib.request.Request(base + path, data=data_, method=method, headers=headers)
                try:
                    with urllib.request.urlopen(req) as r:
                        return json.loads(r.read() or b"null")
                except urllib.error.HTTPError as e:
                    raise SystemExit("%s %s: %d %s" % (method, path, e.code, e.read().decode()))

            with open(data, "rb") as f:
                call("POST", "/v1/market-data?symbol=GC&timeframe=1h", f.read(), "text/csv")
            dataset = call("GET", "/v1/market-data/GC/1h")
            print("data: %d bars, %s to %s; %d workers" % (dataset["bars"], dataset["from"][:10],
                                                            dataset["to"][:10], args.workers))
            print("%-22s %8s %12s %14s %9s %14s" % ("program", "configs", "cycle (s)",
                                                     "process loop", "ratio", "vs 4 h budget"))
            programs = {}
            for strategy, space in TEMPLATES.items():
                spec = {"name": "bench " + strategy, "symbol": "GC",
                        "templates": [{"strategy": strategy, "params": {}, "space": space}],
                        "generator": {"method": "latin_hypercube", "samples": 60, "seed": 1},
                        "windows": {"train": "180d", "test": "60d"}, "lookback_days": 1825}
                program = call("POST", "/v1/programs", json.dumps(spec))["program_id"]
                programs[strategy] = (program, spec)
                t0 = time.monotonic()
                cycle = call("POST", "/v1/programs/%s/cycles" % program)
                while True:
                    card = call("GET", "/v1/programs/%s/scorecards/1" % program)
                    if card["status"] == "completed":
                        break
                    time.sleep(0.05)
                cycle_s = time.monotonic() - t0
                # The reference: each configuration's walk-forward as its own process.
                t0 = time.monotonic()
                for e in card["entries"]:
                    axis = next(iter(space))
                    wf = {"symbol": "GC", "timeframe": "1h", "strategy": strategy,
                          "params": e["params"], "start": cycle["from"], "end": cycle["as_of"],
                          "space": {"method": "grid", "params": {axis: [e["params"][axis]]}},
                          "windows": {"train": "180d", "test": "60d"}}
                    spec_path = os.path.join(tmp, "wf.json")
                    with open(spec_path, "w") as f:
                        json.dump(wf, f)
                    subprocess.run([exe, "walk-forward", "--data", data, "--spec", spec_path,
                                    "--threads", "1"], check=True, stdout=subprocess.DEVNULL,
                                   env=CLEAN_ENV)
                loop_s = time.monotonic() - t0
                print("%-22s %8d %12.2f %14.2f %9.2f %13.0fx" % (
                    strategy, len(card["entries"]), cycle_s, loop_s, loop_s / cycle_s,
                    4 * 3600 / cycle_s))
            # The replay: a grid, whose configurations recur every cycle
            # (random draws move on, so none could stay in the top).
            grid = {"name": "bench grid", "symbol": "GC",
                    "templates": [{"strategy": "dual_sma", "params": {},
                                   "space": {"fast_period": {"from": 5, "to": 40, "step": 5},
                                             "slow_period": {"from": 60, "to": 200, "step": 20}}}],
                    "generator": {"method": "grid"}, "windows": {"train": "180d", "test": "60d"},
                    "lookback_days": 730}
            program = call("POST", "/v1/programs", json.dumps(grid))["program_id"]
            last = dataset["to"][:10]
            year_ago = "%04d%s" % (int(last[:4]) - 1, last[4:])
            t0 = time.monotonic()
            replay = call("POST", "/v1/programs/%s/replay" % program, json.dumps({"from": year_ago}))
            while True:
                r = call("GET", "/v1/programs/%s/replays/%s" % (program, replay["replay_id"]))
                if r["status"] in ("completed", "failed"):
                    break
                time.sleep(0.1)
            replay_s = time.monotonic() - t0
            res = r.get("result") or {}
            print("replay of a dual_sma grid from %s: %d weekly cycles x %d configurations in %.2f s "
                  "(%.0f walk-forwards/s); %s promotions, 90-day survival %s" % (
                      year_ago, replay["cycles"], replay["configurations_per_cycle"], replay_s,
                      replay["cycles"] * replay["configurations_per_cycle"] / replay_s,
                      res.get("promotions"), res.get("survival_rate")))
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
