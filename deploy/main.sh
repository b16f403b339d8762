#!/usr/bin/env bash
# The main job: install, build, generate two years of GC hourly bars and
# backtest them with the default supply/demand-zone strategy.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
bash deploy/build.sh
mkdir -p var/demo
./build/backtestd gen-data --symbol GC --bars 12000 --seed 42 --out var/demo/gc_1h.csv
./build/backtestd run --data var/demo/gc_1h.csv --symbol GC --timeframe 1h \
  --out var/demo/result > var/demo/result.json
echo "== metrics (full result: var/demo/result.json; CSV exports: var/demo/result/)"
./build/backtestd run --data var/demo/gc_1h.csv --symbol GC --timeframe 1h --pretty \
  | sed -n '/"metrics": {/,/^  },/p'
