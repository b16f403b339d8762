#!/usr/bin/env bash
# HTTP benchmark: a 100,000-row upload (three new datasets, then a merge into
# one of them), the first run's load of the stored bars, then wrk against
# GET /healthz and GET /v1/market-data on a fresh server with embedded
# PostgreSQL.
#
#   bash bench/http_bench.sh [build-dir]
#
# Prints the upload time (client-side, validation + storage included) and
# wrk's throughput and latency percentiles. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin=$build/backtestd
command -v wrk >/dev/null || { echo "http_bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

source bench/server_fixture.sh
start_server bt_bench

$bin gen-data --symbol GC --bars 100000 --seed 7 --start 2005-01-03T00:00:00Z --out "$dir/gc.csv"
echo "== upload: 100,000 rows ($(du -h "$dir/gc.csv" | cut -f1))"
symbols=(GC MGC SI)
for attempt in 1 2 3; do
  sym=${symbols[$((attempt - 1))]}
  curl -s -o /dev/null -w "attempt $attempt: HTTP %{http_code}, %{time_total} s total\n" \
    -H "X-API-Key: $key" -H "Content-Type: text/csv" --data-binary @"$dir/gc.csv" \
    "127.0.0.1:$port/v1/market-data?symbol=$sym&timeframe=1h"
done
# A merge: the same rows again into GC (all already stored: the stored bars
# are read back, merged and nothing is rewritten).
curl -s -o /dev/null -w "merge into GC: HTTP %{http_code}, %{time_total} s total\n" \
  -H "X-API-Key: $key" -H "Content-Type: text/csv" --data-binary @"$dir/gc.csv" \
  "127.0.0.1:$port/v1/market-data?symbol=GC&timeframe=1h"
grep '"market_data_uploaded"' "$dir/serve.log" | sed 's/.*"store_ms":/  server-side store_ms: /; s/}$//'

# A run's first load reads the whole stored dataset (later runs hit the
# worker's bar cache): the worker logs it as load_ms. One run on each of the
# three datasets, one after another.
for sym in MGC SI GC; do
  run=$(curl -s -H "X-API-Key: $key" -H "Content-Type: application/json" \
    -d '{"symbol":"'$sym'","timeframe":"1h","start":"2010-01-04T00:00:00Z","end":"2011-12-30T00:00:00Z","strategy":"dual_sma"}' \
    "127.0.0.1:$port/v1/backtest" | python3 -c 'import json,sys; print(json.load(sys.stdin)["run_id"])')
  for _ in $(seq 200); do grep -q "\"run_id\":\"$run\".*load_ms" "$dir/serve.log" && break; sleep 0.05; done
  echo "first run over the 100,000 stored $sym bars: $(grep "\"run_id\":\"$run\".*load_ms" "$dir/serve.log" | sed 's/.*"load_ms":\([0-9.]*\).*/load_ms \1/')"
done

lua="$dir/key.lua"
printf 'wrk.headers["X-API-Key"] = "%s"\n' "$key" > "$lua"
for target in /healthz /v1/market-data; do
  for conns in 1 8; do
    echo "== wrk GET $target, $conns connection(s), 2 threads at most, 10 s"
    wrk -t $(( conns < 2 ? 1 : 2 )) -c $conns -d 10s --latency -s "$lua" "http://127.0.0.1:$port$target" \
      | grep -E "Requests/sec|Latency|50%|75%|90%|99%|requests in|Non-2xx"
  done
done
echo "== peak server RSS: $(grep VmHWM /proc/$server/status | awk '{print $2, $3}')"
