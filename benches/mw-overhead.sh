#!/usr/bin/env bash
# What the usual middleware cost per request, end to end: runs the stdio and Streamable
# HTTP echo scenarios N times (default 7) with `ours` and `ours+mw` (echo-fastmcp-mw:
# logging, timing, caching on a miss, rate limiting not hit) and prints the median, min
# and max of the server CPU per request of ours+mw over ours. One run is too noisy on a
# shared machine (the same binary varies by ±10% from run to run); the median of several
# is the number to report.
#
# usage: benches/mw-overhead.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-7}"
files=()
for i in $(seq "$RUNS"); do
  benches/run.sh --skip-peers --only stdio-seq,http-1 >/dev/null 2>&1
  files+=("$(ls -t target/bench-results/full-*.json | head -1)")
  echo "run $i/$RUNS: ${files[-1]}"
done
python3 - "${files[@]}" <<'PY'
import json, statistics, sys
ratios = {}
for f in sys.argv[1:]:
    for scenario, r in json.load(open(f))["results"].items():
        ours = r["ours"]["detail"]["cpu_us_per_op"]
        mw = r["ours+mw"]["detail"]["cpu_us_per_op"]
        ratios.setdefault(scenario, []).append(mw / ours)
print("server CPU per request, ours+mw / ours (median, min, max over %d runs)" % len(sys.argv[1:]))
for scenario, rs in sorted(ratios.items()):
    print(f"  {scenario:12} {statistics.median(rs):.3f}x  ({min(rs):.3f}x .. {max(rs):.3f}x)")
PY
