#!/usr/bin/env bash
# Run lookups at scale: 200,000 runs in the embedded PostgreSQL, then the
# database time (EXPLAIN ANALYZE execution time, median of 21) of the
# statements behind GET /v1/backtest/{id} (status), POST .../cancel and
# GET /v1/backtest (history), against the old text comparison of the id
# (`id::text = $1`), the unindexed history order and the uncapped count,
# measured in the same run, and whole requests over HTTP.
#
#   bash bench/run_lookup_bench.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin=$build/backtestd
runs=${RUNS:-200000}

source bench/server_fixture.sh
start_server bt_lookup --workers 0

db="host=$dir/var/pg-run port=5432 user=backtestd dbname=backtestd password=$(cat "$dir/var/pg-password")"
sql() { psql "$db" -qtAX -c "$1"; }

echo "== $runs runs"
start=$(date +%s.%N)
sql "INSERT INTO runs (id, user_id, status, priority, symbol, timeframe, source_timeframe, start_time, end_time,
       strategy, strategy_version, config_json, params_json, execution_json, config_hash, dataset_checksum,
       dedupe_key, created_at, finished_at, net_profit, sharpe_ratio)
     SELECT gen_random_uuid(), (SELECT id FROM users LIMIT 1), 'completed', 1, 'GC', '1h', '1h',
       '2023-01-02', '2024-12-31', 'dual_sma', '1', '{}', '{}', '{}', md5(g::text), 'x', md5(g::text),
       now() - g * interval '1 second', now() - g * interval '1 second', g % 1000, (g % 97) / 10.0
     FROM generate_series(1, $runs) g"
sql "VACUUM ANALYZE runs" # the steady state autovacuum keeps
printf '  inserted in %.1f s\n' "$(echo "$(date +%s.%N) - $start" | bc)"
id=$(sql "SELECT id FROM runs ORDER BY created_at LIMIT 1 OFFSET $((runs / 2))")
uid=$(sql "SELECT id FROM users LIMIT 1")

# Median execution time (ms) of a statement over 21 EXPLAIN ANALYZE runs in
# one session (a warm backend, as the server's pooled connections are).
median_ms() {
  for _ in $(seq 21); do
    echo "BEGIN; EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) $1; ROLLBACK;"
  done | psql "$db" -qtAX | python3 -c '
import json, sys
text = sys.stdin.read()
times, depth, start = [], 0, None
for i, ch in enumerate(text):
    if ch == "[":
        depth += 1
        start = i if depth == 1 else start
    elif ch == "]":
        depth -= 1
        if depth == 0:
            times.append(json.loads(text[start:i + 1])[0]["Execution Time"])
times.sort()
print(times[len(times) // 2])'
}

cols="id::text, status, metrics_json, errors::text"
printf '%-28s %12s %16s %8s\n' figure "db ms" "before ms" ratio
row() {
  local new old
  new=$(median_ms "$2"); old=$(median_ms "$3")
  printf '%-28s %12.3f %16.3f %7.0fx\n' "$1" "$new" "$old" "$(echo "$old / $new" | bc -l)"
}
row "status (find_run)" "SELECT $cols FROM runs WHERE user_id = $uid AND id = '$id'::uuid" \
                        "SELECT $cols FROM runs WHERE user_id = $uid AND id::text = '$id'"
row "cancel (lock the run)" "SELECT status FROM runs WHERE user_id = $uid AND id = '$id'::uuid FOR UPDATE" \
                            "SELECT status FROM runs WHERE user_id = $uid AND id::text = '$id' FOR UPDATE"
# The history page as the server runs it (0005_history_indexes.sql), against
# the order it used before (NULLS LAST, which no index matched) and an
# uncapped count.
page="SELECT $cols FROM runs WHERE user_id = $uid ORDER BY created_at DESC, id DESC LIMIT 50"
old_page="SELECT $cols FROM runs WHERE user_id = $uid ORDER BY created_at DESC NULLS LAST, created_at DESC, id LIMIT 50"
row "history page (50 newest)" "$page" "$old_page"
row "history total (capped)" "SELECT count(*) FROM (SELECT 1 FROM runs WHERE user_id = $uid LIMIT 1050) capped" \
                             "SELECT count(*) FROM runs WHERE user_id = $uid"
row "history by sharpe_ratio" \
  "SELECT $cols FROM runs WHERE user_id = $uid ORDER BY sharpe_ratio DESC NULLS LAST, created_at DESC, id DESC LIMIT 50" \
  "SELECT $cols FROM runs WHERE user_id = $uid ORDER BY sharpe_ratio DESC NULLS LAST, created_at DESC, id LIMIT 50"

echo "== over HTTP (200 sequential GETs of one run; curl's total time)"
for path in "/v1/backtest/$id" "/v1/backtest?limit=50"; do
  for _ in $(seq 200); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "X-API-Key: $key" "127.0.0.1:$port$path"
  done | sort -g | awk -v p="$path" '{a[NR]=$1} END {printf "  %-48s p50 %.2f ms  p99 %.2f ms\n", p, a[int(NR*0.5)]*1000, a[int(NR*0.99)]*1000}'
done
