#!/usr/bin/env bash
# Soak and chaos runs on 127.0.0.1 (run by hand; not part of CI):
#
#   benches/soak.sh [MINUTES] [--chaos] [driver flags...]
#
# Builds soak-server and soak-driver (release), then drives a mixed workload (calls with
# progress, elicitation round trips, subscriptions, 64 KiB to 1 MiB arguments, cancelled
# calls) from 12 handshake-era and 4 stateless-era resilient clients for MINUTES (default
# 30), printing the server's memory, descriptors and live tasks every minute, and a
# verdict at the end (exit 1 when a check failed). With --chaos, a relay in front of the
# server cuts connections at random (mean life 8 s) and the server is killed (SIGKILL)
# and started again every 30 to 90 s; then 30 s of calm in which every call must succeed.
# More flags: soak-driver --handshake N --stateless N --sample-secs S --recovery-secs S
# --restart-secs S (the mean time between kills), --cut-secs S (a relayed connection's mean
# life; 0: never cut).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES="${1:-30}"
shift || true
cargo build --release -q -p fastmcp-bench --bin soak-server --bin soak-driver
exec target/release/soak-driver --minutes "$MINUTES" "$@"
