#!/usr/bin/env python3
"""The CPython reference for CSV ingest: the csv module reads the file and
every price and volume becomes a float (no validation at all), repeated in
one process. Prints one JSON line like ingest_bench.

    python3 bench/csv_reference.py FILE.csv [REPEAT]
"""
import csv
import json
import sys
import time


def read(path):
    rows = []
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for r in reader:
            rows.append((r[0], float(r[1]), float(r[2]), float(r[3]), float(r[4]), float(r[5])))
    return rows


def main():
    path = sys.argv[1]
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    times = []
    rows = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows = len(read(path))
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(json.dumps({"rows": rows, "repeat": repeat, "best_ms": round(times[0], 3),
                      "median_ms": round(times[len(times) // 2], 3)}))


if __name__ == "__main__":
    main()
