#!/usr/bin/env bash
# What the usual middleware and auth cost per request, end to end: runs the stdio and
# Streamable HTTP echo scenarios N times (default 7) with `ours`, `ours+mw` (echo-fastmcp-mw:
# logging, timing, caching on a miss, rate limiting not hit) and `ours+auth`
# (echo-fastmcp-auth: a bearer JWT on every HTTP request, verified through `Cached`) and
# prints the median, min and max of the server CPU per request of each over ours (auth on
# HTTP only: stdio serves without auth). One run is too noisy on a
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
        for impl in ("ours+mw", "ours+auth"):
            if impl == "ours+auth" and scenario.startswith("stdio"):
                continue
            other = r.get(impl, {}).get("detail", {}).get("cpu_us_per_op")
            if other:
                ratios.setdefault((impl, scenario), []).append(other / ours)
print("server CPU per request over ours (median, min, max over %d runs)" % len(sys.argv[1:]))
for (impl, scenario), rs in sorted(ratios.items()):
    print(f"  {impl:10} {scenario:12} {statistics.median(rs):.3f}x  ({min(rs):.3f}x .. {max(rs):.3f}x)")
PY
