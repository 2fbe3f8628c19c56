#!/usr/bin/env bash
# Runs every test of the workspace: unit, in-process, integration over real transports and
# the interoperability tests against the Python SDK (installed into target/interop-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x scripts/setup-interop.sh ]; then
  scripts/setup-interop.sh
fi
scripts/setup-redis.sh
scripts/setup-nginx.sh
cargo test --workspace --all-targets
cargo test --workspace --doc
# The `otel` feature is off by default: its test and doc example run with it on.
cargo test -p fastmcp --features otel --test otel
cargo test -p fastmcp-server --features otel --lib otel
cargo test -p fastmcp-server --features otel --doc otel
