#!/usr/bin/env bash
# Build every echo server and the load driver (release), install the Python and TypeScript
# peers, run every scenario against every implementation and print one table.
#
# usage: benches/run.sh [--quick] [--skip-peers] [--debug] [--only SCENARIO,...]
#                       [--rounds R] [--pin] [-- DRIVER ARGS...]
#   --quick       tiny counts (a smoke run: checks every cell works, numbers mean little);
#                 a peer that fails to build or install is skipped instead of failing
#   --skip-peers  leave out rmcp, pmcp, Python FastMCP and the TypeScript SDK
#   --debug       build with the dev profile (CI's smoke run: it reuses the test build;
#                 numbers from it mean nothing)
#   --only        a comma-separated subset of the scenarios (see benches/README.md)
#   --rounds R    run each cell R times (each in a fresh server); the table shows the median
#                 and the spread (min–max)
#   --pin         pin the driver and the servers to different cores with taskset (see
#                 benches/pin.sh; nothing is pinned on one core)
#
# CARGO_TARGET_DIR is honoured (default: target/). Results: target/bench-results/ (the table
# and all figures as JSON, and each server's log).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
# shellcheck source=benches/pin.sh
source "$REPO/benches/pin.sh"

QUICK=0
SKIP_PEERS=0
PROFILE=release
PIN=0
DRIVER_ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) QUICK=1 ;;
    --skip-peers) SKIP_PEERS=1 ;;
    --debug) PROFILE=debug ;;
    --only) DRIVER_ARGS+=(--only "$2"); shift ;;
    --rounds) DRIVER_ARGS+=(--rounds "$2"); shift ;;
    --pin) PIN=1 ;;
    --) shift; DRIVER_ARGS+=("$@"); break ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
BIN="$TARGET/$PROFILE"
BUILD=(--release)
[ "$PROFILE" = debug ] && BUILD=()
RESULTS="$REPO/target/bench-results"
CACHE="${BENCH_CACHE:-$REPO/target/bench-cache}"
mkdir -p "$RESULTS"
SKIPPED=()

skip_or_die() { # name, reason
    if [ "$QUICK" = 1 ]; then
        echo "warning: skipping $1: $2" >&2
        SKIPPED+=(--skipped "$1=$2")
    else
        echo "error: $1: $2 (benches/run.sh --skip-peers leaves the peers out)" >&2
        exit 1
    fi
}

echo "== build ($PROFILE)" >&2
RUST_PEERS=0
if [ "$SKIP_PEERS" = 0 ]; then
    if cargo build "${BUILD[@]}" -p fastmcp-bench --features peers --bins >&2; then
        RUST_PEERS=1
    else
        skip_or_die "rmcp, pmcp" "cargo build --features peers failed"
    fi
fi
if [ "$RUST_PEERS" = 0 ]; then
    cargo build "${BUILD[@]}" -p fastmcp-bench --bins >&2
fi

if [ "$PIN" = 1 ]; then pin_cpus; else pin_none; fi
[ "$PIN" = 1 ] && echo "== $PIN_NOTE" >&2
P="$SERVER_PREFIX"
IMPLS=(--impl "ours=${P}$BIN/echo-fastmcp" --impl "ours+mw=${P}$BIN/echo-fastmcp-mw")
# The protected echo: its HTTP requests carry a bearer JWT the server verifies (cached).
AUTH_TOKEN="$("$BIN/echo-fastmcp-auth" token)"
IMPLS+=(--impl "ours+auth=${P}$BIN/echo-fastmcp-auth" --header "ours+auth=Authorization: Bearer $AUTH_TOKEN")
if [ "$RUST_PEERS" = 1 ]; then
    IMPLS+=(--impl "rmcp=${P}$BIN/echo-rmcp" --impl "pmcp=${P}$BIN/echo-pmcp" --path "pmcp=/")
fi

if [ "$SKIP_PEERS" = 0 ]; then
    echo "== peers" >&2
    if PY="$(benches/setup-peers.sh python | tail -n 1)"; then
        IMPLS+=(--impl "python=${P}$PY $REPO/benches/peers/echo_fastmcp_py.py")
    else
        skip_or_die python "installing fastmcp from PyPI failed"
    fi
    if NODE="$(benches/setup-peers.sh ts | tail -n 1)"; then
        export NODE_PATH="$CACHE/npm/node_modules"
        IMPLS+=(--impl "ts=${P}$NODE $REPO/benches/peers/echo_ts_sdk.cjs")
    else
        skip_or_die ts "installing @modelcontextprotocol/sdk from npm failed"
    fi
fi
IMPLS+=(--impl "limit=${P}$BIN/echo-limit")
CONTEXT=()
[ "$PIN" = 1 ] && CONTEXT=(--context "$PIN_NOTE")

MODE=full
[ "$QUICK" = 1 ] && MODE=quick
STAMP="$(date +%Y%m%d-%H%M%S)"
QUICK_ARG=()
[ "$QUICK" = 1 ] && QUICK_ARG=(--quick)
echo "== run ($MODE)" >&2
${DRIVER_PIN[@]+"${DRIVER_PIN[@]}"} "$BIN/bench-driver" "${QUICK_ARG[@]}" "${IMPLS[@]}" "${SKIPPED[@]}" ${CONTEXT[@]+"${CONTEXT[@]}"} \
    --json "$RESULTS/$MODE-$STAMP.json" --log-dir "$RESULTS/logs" "${DRIVER_ARGS[@]}"
echo "results: $RESULTS/$MODE-$STAMP.json" >&2
