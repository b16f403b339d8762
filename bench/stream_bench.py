#!/usr/bin/env python3
"""Progress streams under load: N subscribers (half Server-Sent Events, half
WebSocket) on one server while 2 workers run, against the same server's
idle resident memory measured in the same run.

    python3 bench/stream_bench.py [--build build] [--subscribers 1000] [--runs 10]

A fresh server (embedded PostgreSQL, 2 workers) gets 2 years of GC 1h bars
and --runs runs, each slowed to about 2 s by the fault plan
(slow_ms_per_pct=20) so that subscribers have something to watch; the
subscribers spread over the runs and connect while they are queued. Every
event carries the hub's publication time (published_ms): the latency is
the client's receipt time minus that, both on this machine's clock.
Prints the events received, latency p50/p99/max, the streams that ended
with their run's terminal event, and the server's RSS before the
subscribers, at their peak and after they left.
"""
import argparse
import asyncio
import base64
import json
import os
import resource
import socket
import subprocess
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def sse_subscriber(port, key, run_id, latencies, ends):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(("GET /v1/backtest/%s/events HTTP/1.1\r\nHost: x\r\nX-API-Key: %s\r\n\r\n"
                  % (run_id, key)).encode())
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")
    last = None
    while True:
        try:
            block = await reader.readuntil(b"\n\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            break
        now = time.time() * 1000
        kind, data = None, None
        for line in block.decode().split("\n"):
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
        if data and kind != "snapshot" and "published_ms" in data:
            latencies.append(now - data["published_ms"])
        last = kind
    ends.append(last)
    writer.close()


async def ws_subscriber(port, key, run_id, latencies, ends):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    nonce = base64.b64encode(os.urandom(16)).decode()
    writer.write(("GET /v1/backtest/%s/progress HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                  "Sec-WebSocket-Protocol: bt-key.%s\r\n\r\n" % (run_id, nonce, key)).encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert b" 101 " in head, head
    last = None
    while True:  # server frames are unmasked; text, ping and close matter here
        try:
            b0, b1 = await reader.readexactly(2)
            n = b1 & 0x7F
            if n == 126:
                n = int.from_bytes(await reader.readexactly(2), "big")
            elif n == 127:
                n = int.from_bytes(await reader.readexactly(8), "big")
            payload = await reader.readexactly(n)
        except (asyncio.IncompleteReadError, ConnectionError):
            break
        opcode = b0 & 0x0F
        if opcode == 8:  # close: answer it (masked, as a client must)
            writer.write(bytes([0x88, 0x80 | len(payload[:2])]) + b"\0\0\0\0" + payload[:2])
            break
        if opcode == 9:  # ping: pong
            writer.write(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
            continue
        if opcode == 1:
            now = time.time() * 1000
            m = json.loads(payload)
            if m.get("event") != "snapshot" and "published_ms" in m:
                latencies.append(now - m["published_ms"])
            last = m.get("event")
    ends.append(last)
    writer.close()


async def subscribe_all(port, key, runs, n, latencies, ends, connected):
    tasks = []
    for i in range(n):
        run_id = runs[i % len(runs)]
        f = sse_subscriber if i % 2 == 0 else ws_subscriber
        tasks.append(asyncio.create_task(f(port, key, run_id, latencies, ends)))
        if i % 100 == 99:
            await asyncio.sleep(0.05)  # connect in waves, as dashboards would
    connected.set_result(True)
    await asyncio.gather(*tasks, return_exceptions=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--subscribers", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    exe = os.path.join(args.build, "backtestd")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)  # the embedded PostgreSQL runs as its own user
        data = os.path.join(tmp, "gc.csv")
        var = os.path.join(tmp, "var")
        subprocess.run([exe, "gen-data", "--symbol", "GC", "--bars", "12000", "--seed", "42",
                        "--out", data], check=True, env=CLEAN_ENV)
        key = subprocess.check_output([exe, "keys", "create", "--user", "bench", "--tier",
                                       "enterprise", "--data-dir", var],
                                      stderr=subprocess.DEVNULL, env=CLEAN_ENV).decode().strip()
        s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
        env = dict(CLEAN_ENV, BACKTESTD_FAULTS="slow_ms_per_pct=20")
        server = subprocess.Popen([exe, "serve", "--listen", "127.0.0.1:%d" % port, "--data-dir",
                                   var, "--workers", "2", "--rate-limit", "1000000",
                                   "--quota-enterprise", "1000000", "--max-connections",
                                   str(args.subscribers + 100)],
                                  stderr=subprocess.DEVNULL, env=env)
        try:
            base = "http://127.0.0.1:%d" % port
            for _ in range(400):
                try:
                    urllib.request.urlopen(base + "/healthz")
                    break
                except Exception:
                    time.sleep(0.05)

            def call(method, path, body, ctype):
                req = urllib.request.Request(base + path, data=body, method=method,
                                             headers={"X-API-Key": key, "Content-Type": ctype})
                with urllib.request.urlopen(req) as r:
                    return json.loads(r.read())
            with open(data, "rb") as f:
                call("POST", "/v1/market-data?symbol=GC&timeframe=1h", f.read(), "text/csv")
            idle_rss = rss_kb(server.pid)
            runs = []
            for i in range(args.runs):
                body = {"symbol": "GC", "timeframe": "1h", "start": "2023-01-02T00:00:00Z",
                        "end": "2024-12-31T16:00:00Z", "params": {"atr_period": 10 + i}}
                runs.append(call("POST", "/v1/backtest", json.dumps(body).encode(),
                                 "application/json")["run_id"])
            latencies, ends = [], []
            peak = [idle_rss]

            async def run():
                loop = asyncio.get_running_loop()
                connected = loop.create_future()
                job = asyncio.create_task(subscribe_all(port, key, runs, args.subscribers,
                                                        latencies, ends, connected))
                while not job.done():
                    peak[0] = max(peak[0], rss_kb(server.pid))
                    await asyncio.sleep(0.1)
                await job
            t0 = time.time()
            asyncio.run(run())
            wall = time.time() - t0
            time.sleep(0.5)
            after_rss = rss_kb(server.pid)
            latencies.sort()

            def pct(p):
                return latencies[min(len(latencies) - 1, int(p / 100.0 * len(latencies)))]
            terminal = sum(1 for e in ends if e in ("completed", "failed", "cancelled"))
            print("subscribers %d (SSE %d, WebSocket %d) over %d runs of 12,000 bars on 2 workers, "
                  "%.1f s" % (args.subscribers, (args.subscribers + 1) // 2,
                              args.subscribers // 2, args.runs, wall))
            print("events received %d; latency publish -> client p50 %.1f ms, p99 %.1f ms, "
                  "max %.1f ms (target p99 < 50 ms)" % (len(latencies), pct(50), pct(99),
                                                        latencies[-1]))
            print("streams ended by their run's terminal event: %d of %d" % (terminal, len(ends)))
            print("server RSS: idle %.1f MB, peak with subscribers %.1f MB (+%.1f MB, %.1f KB a "
                  "subscriber), after they left %.1f MB" % (
                      idle_rss / 1024, peak[0] / 1024, (peak[0] - idle_rss) / 1024,
                      (peak[0] - idle_rss) / max(1, args.subscribers), after_rss / 1024))
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
