#!/usr/bin/env bash
# Install the non-Rust peers of the benchmark into target/bench-cache (ignored by git):
#   python: a venv with Python FastMCP (PyPI `fastmcp`)            -> target/bench-cache/venv
#   ts:     the TypeScript SDK (npm `@modelcontextprotocol/sdk`)    -> target/bench-cache/npm
#           and, only when the machine's Node.js is older than the SDK needs (18), Node 22
#           from the npm registry (`node@22`)                       -> target/bench-cache/node
#
# usage: benches/setup-peers.sh python|ts
# Idempotent: does nothing when the pinned version is already there. Prints the command
# prefix that runs the peer's interpreter on its last line of standard output.
set -euo pipefail

FASTMCP_PY_VERSION="4.1.2"
TS_SDK_VERSION="1.32.2"
ZOD_VERSION="4.6.7"

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${BENCH_CACHE:-$REPO/target/bench-cache}"
mkdir -p "$CACHE"

case "${1:-}" in
python)
    VENV="$CACHE/venv"
    PY="$VENV/bin/python"
    have() {
        [ -x "$PY" ] && "$PY" - "$FASTMCP_PY_VERSION" <<'PYEOF' >/dev/null 2>&1
import sys
from importlib.metadata import version
import fastmcp  # noqa: F401
sys.exit(0 if version("fastmcp") == sys.argv[1] else 1)
PYEOF
    }
    if ! have; then
        [ -x "$PY" ] || "${PYTHON:-python3}" -m venv "$VENV"
        "$PY" -m pip install --quiet --disable-pip-version-check "fastmcp==$FASTMCP_PY_VERSION" >&2
        have || { echo "setup-peers: fastmcp==$FASTMCP_PY_VERSION is not importable in $VENV" >&2; exit 1; }
    fi
    echo "$PY"
    ;;
ts)
    NODE="$(command -v node || true)"
    major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
    if [ -z "$NODE" ] || [ "$(major "$NODE")" -lt 18 ]; then
        NODE="$CACHE/node/node_modules/.bin/node"
        if [ ! -x "$NODE" ] || [ "$(major "$NODE")" -lt 18 ]; then
            npm install --prefix "$CACHE/node" --no-audit --no-fund --silent "node@22" >&2
        fi
    fi
    NPM_DIR="$CACHE/npm"
    want="$TS_SDK_VERSION"
    got="$("$NODE" -p "require('$NPM_DIR/node_modules/@modelcontextprotocol/sdk/package.json').version" 2>/dev/null || true)"
    if [ "$got" != "$want" ]; then
        mkdir -p "$NPM_DIR"
        npm install --prefix "$NPM_DIR" --no-audit --no-fund --silent \
            "@modelcontextprotocol/sdk@$TS_SDK_VERSION" "zod@$ZOD_VERSION" >&2
    fi
    NODE_PATH="$NPM_DIR/node_modules" "$NODE" -e "require('@modelcontextprotocol/sdk/server/mcp.js'); require('zod')" >&2
    echo "$NODE"
    ;;
*)
    echo "usage: $0 python|ts" >&2
    exit 2
    ;;
esac
