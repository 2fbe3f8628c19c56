#!/usr/bin/env bash
# Task-queue throughput: tasks submitted and completed per second through the task_workers
# example (one serving process, a Redis stream, worker processes) with 1 and with 4 worker
# processes, against one redis-server (append-only file, fsync every second) started here
# on 127.0.0.1. The driver (tasks-driver) submits `crunch(n, ms)` as tasks over stateless
# Streamable HTTP, then waits for every one to complete.
#
# usage: benches/tasks.sh [--quick] [--debug] [--tasks N] [--ms MS]
#   --quick   500 tasks (a smoke run)     --debug   the dev profile (numbers mean little)
#   --tasks   tasks per run (5,000)       --ms      work per task in ms (0: queue overhead only)
#
# Results: a table on stdout, target/bench-results/tasks.json.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
PROFILE=release
TASKS=5000
MS=0
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) TASKS=500 ;;
    --debug) PROFILE=debug ;;
    --tasks) TASKS="$2"; shift ;;
    --ms) MS="$2"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
BUILD=(--release)
[ "$PROFILE" = debug ] && BUILD=()
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
BIN="$TARGET/$PROFILE"
RESULTS="$REPO/target/bench-results"
mkdir -p "$RESULTS"
bash scripts/setup-redis.sh >&2
echo "== build ($PROFILE)" >&2
cargo build "${BUILD[@]}" -p examples --bin task_workers -p fastmcp-bench --bin tasks-driver >&2

# shellcheck source=benches/procs.sh
source "$REPO/benches/procs.sh"

RPORT="$(free_port)"
redis-server --bind 127.0.0.1 --port "$RPORT" --save '' --appendonly yes \
    --appendfsync everysec --dir "$DIR" >"$DIR/redis.log" 2>&1 &
PIDS+=($!)
wait_port "$RPORT"
export REDIS_URL="redis://127.0.0.1:$RPORT" FASTMCP_NO_BANNER=1 RUST_LOG=error CONCURRENCY=16

run() { # workers
    local w="$1" hport pids=()
    export PREFIX="bench-w$w:"
    hport="$(free_port)"
    "$BIN/task_workers" serve "127.0.0.1:$hport" & pids+=($!)
    for _ in $(seq 1 "$w"); do "$BIN/task_workers" work & pids+=($!); done
    PIDS+=("${pids[@]}")
    wait_port "$hport"
    "$BIN/tasks-driver" --url "http://127.0.0.1:$hport/mcp" --tasks "$TASKS" --ms "$MS" --concurrency 32
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
}

echo "== 1 worker" >&2
ONE="$(run 1)"
echo "== 4 workers" >&2
FOUR="$(run 4)"
python3 - "$ONE" "$FOUR" "$TASKS" "$MS" "$RESULTS/tasks.json" <<'PY'
import json, sys
one, four = json.loads(sys.argv[1]), json.loads(sys.argv[2])
tasks, ms, out = sys.argv[3], sys.argv[4], sys.argv[5]
json.dump({"tasks": int(tasks), "ms": int(ms), "workers_1": one, "workers_4": four}, open(out, "w"), indent=2)
print(f"{tasks} tasks of {ms} ms each, 16 at once per worker, one serving process, one Redis")
print("| workers | submitted/s | completed/s |")
print("|---|---|---|")
for n, r in (("1", one), ("4", four)):
    s, c = r["submitted_per_s"], r["completed_per_s"]
    ratio = "" if n == "1" else f" ({c / one['completed_per_s']:.2f}x)"
    print(f"| {n} | {s:.0f} | {c:.0f}{ratio} |")
PY
