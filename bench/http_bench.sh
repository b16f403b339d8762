#!/usr/bin/env bash
# HTTP benchmark: a 100,000-row upload, then wrk against GET /healthz and
# GET /v1/market-data on a fresh server with embedded PostgreSQL.
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
grep '"market_data_uploaded"' "$dir/serve.log" | sed 's/.*"store_ms":/  server-side store_ms: /; s/}$//'

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
