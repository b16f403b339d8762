#!/usr/bin/env bash
# The main job: install, build, run a backtest from the command line, then
# start the server with embedded PostgreSQL, create an API key, upload two
# years of generated GC hourly bars and print curl examples. The server keeps
# running in the foreground; Ctrl-C (SIGINT) stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
bash deploy/build.sh

mkdir -p var/demo
chmod 755 var
./build/backtestd gen-data --symbol GC --bars 12000 --seed 42 --out var/demo/gc_1h.csv
echo "== backtestd run: supply_demand_zones on 12,000 GC 1h bars (full result in var/demo/result/)"
./build/backtestd run --data var/demo/gc_1h.csv --symbol GC --timeframe 1h --out var/demo/result --pretty \
  | sed -n '/"metrics": {/,/^  },/p'

listen=${BACKTESTD_LISTEN:-127.0.0.1:8080}
key=$(./build/backtestd keys create --user demo --data-dir var 2>/dev/null)
./build/backtestd serve --listen "$listen" --data-dir var &
server=$!
trap 'kill -INT $server 2>/dev/null; wait $server' INT TERM
for _ in $(seq 200); do curl -sf "http://$listen/healthz" >/dev/null && break; sleep 0.1; done
echo "== upload"
curl -s -H "X-API-Key: $key" -H "Content-Type: text/csv" --data-binary @var/demo/gc_1h.csv \
  "http://$listen/v1/market-data?symbol=GC&timeframe=1h" | head -c 600; echo
echo "== backtest over HTTP"
run=$(curl -s -H "X-API-Key: $key" -H "Content-Type: application/json" \
  -d '{"symbol":"GC","timeframe":"1h","start":"2023-01-02T00:00:00Z","end":"2024-12-31T16:00:00Z"}' \
  "http://$listen/v1/backtest")
echo "$run"
run_id=$(echo "$run" | sed -n 's/.*"run_id":"\([0-9a-f-]*\)".*/\1/p')
for _ in $(seq 100); do
  curl -s -H "X-API-Key: $key" "http://$listen/v1/backtest/$run_id" | grep -q '"status":"completed"' && break
  sleep 0.1
done
curl -s -H "X-API-Key: $key" "http://$listen/v1/backtest/$run_id/metrics"; echo

cat <<EOT

== backtestd is serving on http://$listen (logs: JSON lines on stderr). Try:
  export KEY=$key
  curl -s http://$listen/healthz
  curl -s http://$listen/readyz
  curl -s -H "X-API-Key: \$KEY" http://$listen/v1/market-data
  curl -s -H "X-API-Key: \$KEY" "http://$listen/v1/market-data/GC/1h"
  curl -s -H "X-API-Key: \$KEY" "http://$listen/v1/market-data/GC/1h/bars?from=2024-01-02T00:00:00Z&to=2024-01-02T23:00:00Z"
  curl -s -H "X-API-Key: \$KEY" "http://$listen/v1/market-data/GC/1h/bars?format=csv&limit=100000" -o gc.csv
  curl -s -H "X-API-Key: \$KEY" -F file=@var/demo/gc_1h.csv "http://$listen/v1/market-data?symbol=GC&timeframe=1h"
  curl -s -H "X-API-Key: \$KEY" -H "Content-Type: application/json" -d '{"symbol":"GC","timeframe":"1h","start":"2023-01-02T00:00:00Z","end":"2024-12-31T16:00:00Z"}' http://$listen/v1/backtest
  curl -s -H "X-API-Key: \$KEY" http://$listen/v1/backtest/$run_id
  curl -s -H "X-API-Key: \$KEY" "http://$listen/v1/backtest/$run_id/trades?limit=5&sort=pnl&order=desc"
  curl -s -H "X-API-Key: \$KEY" "http://$listen/v1/backtest/$run_id/trades?format=csv"   # also /equity, /zones, /chart
  curl -s -H "X-API-Key: \$KEY" "http://$listen/v1/backtest?sort=sharpe_ratio&order=desc"
  curl -s -H "X-API-Key: \$KEY" http://$listen/v1/strategies
  curl -s -X DELETE -H "X-API-Key: \$KEY" "http://$listen/v1/market-data/GC/1h"
  open http://$listen/docs (Swagger UI) or fetch http://$listen/openapi.json
Press Ctrl-C to stop.
EOT
wait $server
