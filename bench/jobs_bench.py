#!/usr/bin/env python3
"""Backtest jobs benchmark against a fresh server with embedded PostgreSQL.

    python3 bench/jobs_bench.py [--build build] [--workers N] [--runs 200]

Prints: submit -> completed latency for a standard two-year GC 1h
supply_demand_zones run on an idle server (persistence included); the
throughput of N queued runs through the workers; submission latency
percentiles; and, when wrk is installed, GET /v1/backtest/{id} latency while
the workers are busy.
"""
import argparse, json, os, shutil, socket, statistics, subprocess, sys, tempfile, threading, time, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--build", default="build")
ap.add_argument("--workers", type=int, default=2)
ap.add_argument("--runs", type=int, default=200)
ap.add_argument("--nodes", type=int, default=0, help="run the workers in N worker processes (1 worker each) "
                                                      "joined over the cluster port instead of in the server")
ap.add_argument("--keep-log", help="copy the server's log here (run_timing lines: load, engine and store ms)")
args = ap.parse_args()
binary = os.path.abspath(os.path.join(args.build, "backtestd"))

tmp = tempfile.mkdtemp(prefix="bt_jobs_")
os.chmod(tmp, 0o755)
data = os.path.join(tmp, "var")
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
base = f"http://127.0.0.1:{port}"
# An enterprise key with a quota the bench cannot reach: it measures jobs, not quotas.
key = subprocess.check_output([binary, "keys", "create", "--user", "bench", "--tier", "enterprise", "--data-dir", data], stderr=subprocess.DEVNULL).decode().strip()
log = open(os.path.join(tmp, "serve.log"), "w")
serve = [binary, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data, "--workers", str(args.workers),
         "--rate-limit", "1000000", "--quota-enterprise", "1000000", "--max-user-runs", str(max(3, args.workers, args.nodes))]
nodes = []
if args.nodes:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); cport = s.getsockname()[1]; s.close()
    token = os.path.join(tmp, "token")
    open(token, "w").write("benchmark-cluster-token-0123456789\n")
    serve[serve.index("--workers") + 1] = "0"
    serve += ["--cluster-listen", f"127.0.0.1:{cport}", "--cluster-token-file", token]
server = subprocess.Popen(serve, stderr=log)
for i in range(args.nodes):
    nodes.append(subprocess.Popen([binary, "worker", "--join", f"127.0.0.1:{cport}", "--workers", "1",
                                   "--cluster-token-file", token, "--node-id", f"bench-{i + 1}"], stderr=log))
workers_label = f"{args.nodes} worker processes" if args.nodes else f"{args.workers} workers"

def call(method, path, body=None, ctype=None):
    req = urllib.request.Request(base + path, data=body, method=method, headers={"X-API-Key": key})
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()

try:
    for _ in range(200):
        try:
            if call("GET", "/healthz")[0] == 200:
                break
        except Exception:
            time.sleep(0.05)
    time.sleep(1.0 if nodes else 0)  # let the nodes register
    csv = subprocess.check_output([binary, "gen-data", "--symbol", "GC", "--bars", "12000", "--seed", "42"])
    assert call("POST", "/v1/market-data?symbol=GC&timeframe=1h", csv, "text/csv")[0] == 201

    def body(atr, stop, priority="normal"):
        return json.dumps({"symbol": "GC", "timeframe": "1h", "start": "2023-01-02T00:00:00Z", "end": "2024-12-31T16:00:00Z",
                           "priority": priority, "params": {"atr_period": atr, "stop_atr_mult": stop}}).encode()

    def wait(run_id):
        while True:
            status = json.loads(call("GET", f"/v1/backtest/{run_id}")[1])["status"]
            if status in ("completed", "failed", "cancelled"):
                return status
            time.sleep(0.001)

    # 1. Idle-server latency, one run at a time.
    latencies = []
    for i in range(30):
        t0 = time.perf_counter()
        code, out = call("POST", "/v1/backtest", body(5 + i, 1.5), "application/json")
        assert code == 202, out
        assert wait(json.loads(out)["run_id"]) == "completed"
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    print(f"submit -> completed, 2-year GC 1h supply_demand_zones, idle server ({len(latencies)} runs): "
          f"median {statistics.median(latencies):.1f} ms, p90 {latencies[int(len(latencies) * 0.9) - 1]:.1f} ms, "
          f"min {latencies[0]:.1f} ms")

    # 2. N queued runs through the workers, with GET /v1/backtest/{id} paced
    #    at ~1,000 requests/s meanwhile (wrk: 5 connections, 4 ms between
    #    requests on each; wrk's latency excludes the pause).
    #    The probes alternate between a finished run and a queued one (low
    #    priority, behind every other run: position and ETA are forecast on
    #    each read); PROBE_PATH replaces both.
    #    The queued probe is submitted after the first third of the runs,
    #    which 4 threads submit at once so that a queue builds up; it then
    #    waits behind every later run too. The rest are submitted one at a
    #    time, and only their latency is reported.
    probe_id = json.loads(call("POST", "/v1/backtest", body(4, 1.5), "application/json")[1])["run_id"]
    wait(probe_id)
    submit_ms, ids = [], []

    def submit(i, timed=True):
        t1 = time.perf_counter()
        code, out = call("POST", "/v1/backtest", body(40 + i % 150, 1.0 + (i // 150) * 0.25), "application/json")
        if timed:
            submit_ms.append((time.perf_counter() - t1) * 1000)
        assert code == 202, out
        ids.append(json.loads(out)["run_id"])

    t0 = time.perf_counter()
    head = args.runs // 3
    threads = [threading.Thread(target=lambda k=k: [submit(i, False) for i in range(k, head, 4)]) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queued_id = json.loads(call("POST", "/v1/backtest", body(3, 1.5, "low"), "application/json")[1])["run_id"]
    script = os.path.join(tmp, "paced.lua")
    probes = [os.environ["PROBE_PATH"]] if "PROBE_PATH" in os.environ else [f"/v1/backtest/{probe_id}", f"/v1/backtest/{queued_id}"]
    open(script, "w").write(f'wrk.headers["X-API-Key"] = "{key}"\nfunction delay() return 4 end\n'
                            + "paths = {" + ", ".join(f'"{p}"' for p in probes) + "}\nn = 0\n"
                            + "function request() n = n + 1 return wrk.format(nil, paths[n % #paths + 1]) end\n")
    wrk = None
    if shutil.which("wrk"):
        wrk = subprocess.Popen(["wrk", "-t1", "-c5", "-d4s", "--latency", "-s", script, base],
                               stdout=subprocess.PIPE, text=True)
    for i in range(head, args.runs):
        submit(i)
    queued_status = json.loads(call("GET", f"/v1/backtest/{queued_id}")[1])["status"]
    statuses = [wait(r) for r in ids]
    wait(queued_id)
    elapsed = time.perf_counter() - t0
    wrk_out = wrk.communicate()[0] if wrk else ""
    assert all(s == "completed" for s in statuses), statuses
    # Worker throughput from the database: first start to last finish.
    span = float(subprocess.check_output(["psql", f"host={data}/pg-run port=5432 user=backtestd dbname=backtestd password={open(data + '/pg-password').read().strip()}", "-tAc",
        "SELECT extract(epoch FROM max(finished_at) - min(started_at)) FROM runs WHERE id IN (%s)"
        % ",".join("'%s'" % r for r in ids)]).decode().strip())
    submit_ms.sort()
    print(f"{args.runs} queued runs through {workers_label}: {span:.2f} s from first start to last finish = "
          f"{args.runs / span:.1f} runs/s ({elapsed:.2f} s wall clock including submission)")
    print(f"submission latency while runs execute ({len(submit_ms)} sequential submissions): median {statistics.median(submit_ms):.2f} ms, "
          f"p95 {submit_ms[int(len(submit_ms) * 0.95) - 1]:.2f} ms, max {submit_ms[-1]:.2f} ms")
    if queued_status != "queued":
        print(f"(the queued probe was {queued_status} after the last submission: the workers kept up)")
    if wrk_out:
        print(f"GET /v1/backtest/{{id}} paced at ~1,000 requests/s during the {args.runs} runs (wrk, 5 connections; "
              f"{'a finished and a queued run alternately' if len(probes) == 2 else probes[0]}):")
        for line in wrk_out.splitlines():
            if any(k in line for k in ("Requests/sec", "50%", "90%", "99%", "requests in")):
                print("  " + line.strip())
    # Where a run's time goes on the worker (its run_timing log lines).
    timings = [json.loads(l[l.index("{"):]) for l in open(os.path.join(tmp, "serve.log")) if '"run_timing"' in l]
    if timings:
        print("per run on the worker (median): " + ", ".join(
            f"{k} {statistics.median(t[k] for t in timings):.2f}" for k in ("load_ms", "engine_ms", "store_ms")))
finally:
    for n in nodes:
        n.terminate()
        n.wait()
    server.terminate()
    server.wait()
    if args.keep_log:
        shutil.copy(os.path.join(tmp, "serve.log"), args.keep_log)
    shutil.rmtree(tmp, ignore_errors=True)
