#!/usr/bin/env bash
# Runs every test of the workspace: unit, in-process, integration over real transports and
# the interoperability tests against the Python SDK (installed into target/interop-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x scripts/setup-interop.sh ]; then
  scripts/setup-interop.sh
fi
cargo test --workspace --all-targets
cargo test --workspace --doc
