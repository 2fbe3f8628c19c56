#!/usr/bin/env bash
# Scale, with the noise held down: the stateless HTTP connection ladder (1, 32, 128 and 512
# connections) and the idle-session ladder (32 connections of echo calls on a stateful server
# that already holds 1, 10,000 or 100,000 idle sessions), ours next to limit (the ceiling),
# each cell run R times in a fresh server process: the table shows the median, the spread
# (min–max) and ours / limit. The driver and the servers are pinned to different cores
# when the machine has two or more (taskset).
#
# usage: benches/scale.sh [--quick] [--rounds R] [--no-pin] [--peers] [--sessions N,...]
#                         [--only conns|sessions] [-- DRIVER ARGS...]
#   --quick       tiny counts and 1, 100, 1,000 idle sessions (a smoke run: every cell works)
#   --rounds R    rounds per cell (default 3)
#   --no-pin      do not pin the driver and the servers
#   --peers       also rmcp (built with --features peers)
#   --sessions    the idle-session counts (default 1,10000,100000; with --quick 1,100,1000)
#   --only        one ladder: conns or sessions
#
# CARGO_TARGET_DIR is honoured (default: target/). Results: target/bench-results/
# scale-{conns,sessions}-{full,quick}-<time>.json and the servers' logs in
# target/bench-results/logs/.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
# shellcheck source=benches/pin.sh
source "$REPO/benches/pin.sh"

QUICK=0
ROUNDS=3
PIN=1
PEERS=0
SESSIONS=""
ONLY=all
DRIVER_ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS="$2"; shift ;;
    --no-pin) PIN=0 ;;
    --peers) PEERS=1 ;;
    --sessions) SESSIONS="$2"; shift ;;
    --only) ONLY="$2"; shift ;;
    --) shift; DRIVER_ARGS+=("$@"); break ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
case "$ONLY" in all|conns|sessions) ;; *) echo "--only wants conns or sessions" >&2; exit 2 ;; esac

TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
BIN="$TARGET/release"
RESULTS="$REPO/target/bench-results"
mkdir -p "$RESULTS"

echo "== build (release)" >&2
FEATURES=()
[ "$PEERS" = 1 ] && FEATURES=(--features peers)
cargo build --release -p fastmcp-bench ${FEATURES[@]+"${FEATURES[@]}"} --bins >&2

if [ "$PIN" = 1 ]; then pin_cpus; else pin_none; fi
echo "== $PIN_NOTE" >&2

P="$SERVER_PREFIX"
IMPLS=(--impl "ours=${P}$BIN/echo-fastmcp")
[ "$PEERS" = 1 ] && IMPLS+=(--impl "rmcp=${P}$BIN/echo-rmcp")
IMPLS+=(--impl "limit=${P}$BIN/echo-limit")

MODE=full
QUICK_ARG=()
if [ "$QUICK" = 1 ]; then
    MODE=quick
    QUICK_ARG=(--quick)
fi
SESSION_ARG=()
[ -n "$SESSIONS" ] && SESSION_ARG=(--idle-sessions "$SESSIONS")
STAMP="$(date +%Y%m%d-%H%M%S)"
STATUS=0

ladder() { # name, title, driver arguments...
    local name="$1" title="$2"
    shift 2
    local json="$RESULTS/scale-$name-$MODE-$STAMP.json"
    echo "== $title ($ROUNDS rounds)" >&2
    echo "## $title"
    echo
    ${DRIVER_PIN[@]+"${DRIVER_PIN[@]}"} "$BIN/bench-driver" ${QUICK_ARG[@]+"${QUICK_ARG[@]}"} \
        "${IMPLS[@]}" --vs limit --rounds "$ROUNDS" --context "$PIN_NOTE" \
        --json "$json" --log-dir "$RESULTS/logs" "$@" \
        ${DRIVER_ARGS[@]+"${DRIVER_ARGS[@]}"} || STATUS=1
    echo "results: $json" >&2
}

if [ "$ONLY" != sessions ]; then
    ladder conns "Connections (stateless HTTP, JSON answers)" \
        --only http-1,http-32,http-128,http-512
fi
if [ "$ONLY" != conns ]; then
    ladder sessions "Idle sessions (stateful HTTP, 32 connections of calls)" \
        --only scale-sessions ${SESSION_ARG[@]+"${SESSION_ARG[@]}"}
fi
exit "$STATUS"
