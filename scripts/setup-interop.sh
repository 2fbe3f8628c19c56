#!/usr/bin/env bash
# Create the Python virtual environment used by the interop tests (conformance/tests):
# $REPO/target/interop-venv with the official MCP Python SDK, mcp==2.3.0, and FastAPI with
# uvicorn (the third-party HTTP API of the OpenAPI provider's tests).
#
# Idempotent: does nothing when that version is already importable in the venv.
# Environment: PYTHON (default python3) is the interpreter the venv is made from;
# INTEROP_VENV overrides the venv's location.
set -euo pipefail

MCP_VERSION="2.3.0"
FASTAPI_VERSION="0.165.0"
UVICORN_VERSION="0.55.0"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${INTEROP_VENV:-$REPO/target/interop-venv}"
PYTHON="${PYTHON:-python3}"
VPY="$VENV/bin/python"

have_mcp() {
    [ -x "$VPY" ] && "$VPY" - "$MCP_VERSION" "$FASTAPI_VERSION" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version
import mcp.client.stdio  # noqa: F401
import fastapi, uvicorn  # noqa: F401
sys.exit(0 if version("mcp") == sys.argv[1] and version("fastapi") == sys.argv[2] else 1)
EOF
}

if have_mcp; then
    echo "interop venv ready: $VENV (mcp==$MCP_VERSION, fastapi==$FASTAPI_VERSION)"
    exit 0
fi

mkdir -p "$(dirname "$VENV")"
# Concurrent test processes: one installs, the others wait and then find it ready.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$VENV.lock"
    flock 9
    if have_mcp; then
        echo "interop venv ready: $VENV (mcp==$MCP_VERSION, fastapi==$FASTAPI_VERSION)"
        exit 0
    fi
fi
if [ ! -x "$VPY" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VPY" -m pip install --quiet --disable-pip-version-check "mcp==$MCP_VERSION" \
    "fastapi==$FASTAPI_VERSION" "uvicorn==$UVICORN_VERSION"

if ! have_mcp; then
    echo "setup-interop: mcp==$MCP_VERSION is still not importable in $VENV" >&2
    exit 1
fi
echo "interop venv ready: $VENV (mcp==$MCP_VERSION, fastapi==$FASTAPI_VERSION)"
