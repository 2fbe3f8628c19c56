#!/usr/bin/env bash
# Flame graphs of a benchmark scenario, ours against the framework-free ceiling (`limit`).
#
#   benches/profile.sh [--quick] [--out DIR] [--tag TAG] SCENARIO...
#
# SCENARIO is a bench-driver scenario id (stdio-seq, stdio-64, http-1, http-32, http-128,
# sse-32, tools-list, arg-1mb, ...). Builds the echo servers and the driver in release with
# frame pointers (target/profiling/), records the whole machine with `perf record -a -g`
# while bench-driver runs the scenario against both servers, then splits the samples by
# server process (by the pids that exec'd echo-fastmcp and echo-limit) and draws one SVG
# each with inferno:
# DIR/SCENARIO-ours[-TAG].svg and DIR/SCENARIO-limit[-TAG].svg (DIR: benches/profiles).
# The widths are CPU samples of the server process only (the driver is left out); the
# title says how many samples, so two graphs compare in absolute terms too.
# Needs perf (Debian: linux-perf) and root or kernel.perf_event_paranoid <= 0; installs
# inferno with cargo if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
OUT="$REPO/benches/profiles"
QUICK=()
TAG=""
SCENARIOS=()
while [ "$#" -gt 0 ]; do
    case "$1" in
        --quick) QUICK=(--quick) ;;
        --out) OUT="$2"; shift ;;
        --tag) TAG="-$2"; shift ;;
        *) SCENARIOS+=("$1") ;;
    esac
    shift
done
[ "${#SCENARIOS[@]}" -gt 0 ] || { sed -n '2,16p' "$0"; exit 2; }
command -v perf >/dev/null || { echo "perf is missing (apt-get install linux-perf)" >&2; exit 1; }
if ! command -v inferno-flamegraph >/dev/null; then
    cargo install inferno --locked >&2
fi
export CARGO_TARGET_DIR="$REPO/target/profiling"
RUSTFLAGS="-C force-frame-pointers=yes" cargo build --release -q -p fastmcp-bench \
    --bin echo-fastmcp --bin echo-limit --bin bench-driver
BIN="$CARGO_TARGET_DIR/release"
mkdir -p "$OUT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
for s in "${SCENARIOS[@]}"; do
    echo "== $s" >&2
    perf record -a -g -F 997 -o "$WORK/perf.data" -- \
        "$BIN/bench-driver" "${QUICK[@]}" --only "$s" \
        --impl "ours=$BIN/echo-fastmcp" --impl "limit=$BIN/echo-limit" \
        --log-dir "$WORK/logs" >&2
    for pair in ours:echo-fastmcp limit:echo-limit; do
        name="${pair%%:*}"
        exe="${pair#*:}"
        svg="$OUT/$s-$name$TAG.svg"
        # The server's processes: those that exec'd it (its threads are tokio's, named
        # alike in both servers, so the process id is what tells them apart).
        pids="$(perf script -i "$WORK/perf.data" --show-task-events 2>/dev/null \
            | sed -nE "s/.*PERF_RECORD_COMM exec: $exe:([0-9]+)\/.*/\1/p" | sort -u | paste -sd,)"
        if [ -z "$pids" ]; then
            echo "no $exe process in the recording" >&2
            continue
        fi
        perf script -i "$WORK/perf.data" --pid "$pids" 2>/dev/null \
            | inferno-collapse-perf >"$WORK/folded"
        samples="$(perf script -i "$WORK/perf.data" --pid "$pids" -F tid 2>/dev/null | wc -l)"
        inferno-flamegraph --title "$s, $name: $samples samples of the server at 997 Hz" \
            <"$WORK/folded" >"$svg"
        echo "$svg ($samples samples)" >&2
    done
done
