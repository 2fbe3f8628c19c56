#!/usr/bin/env bash
# Portability and lean-build checks (`cargo check` only, nothing runs):
#
#   1. the stdio-only example's dependency tree has no HTTP, TLS or WebSocket crate;
#   2. Windows (x86_64-pc-windows-gnu): every library and binary of the workspace;
#   3. macOS (aarch64-apple-darwin): the facade with every feature but `tls`, and the
#      stdio-only example. There is no macOS SDK here, so nothing that needs a C compiler
#      for the target can build: that is ring, which only `tls` brings in.
#
# Installs what it needs when missing: the two rustup targets, and for Windows the
# mingw-w64 C compiler (ring compiles C) through apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

WINDOWS=x86_64-pc-windows-gnu
MACOS=aarch64-apple-darwin

installed="$(rustup target list --installed)"
for t in "$WINDOWS" "$MACOS"; do
    if ! grep -qx "$t" <<<"$installed"; then
        rustup target add "$t"
    fi
done

if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq gcc-mingw-w64-x86-64
fi

echo "-- lean tree: stdio-only (fastmcp with server, macros)"
heavy="$(cargo tree -p stdio-only -e normal --prefix none |
    grep -E '^(axum|hyper|reqwest|rustls|ring|tungstenite|tokio-tungstenite|tower-http|h2) ' || true)"
if [ -n "$heavy" ]; then
    echo "stdio-only depends on crates it must not:" >&2
    sort -u <<<"$heavy" >&2
    exit 1
fi

echo "-- Windows: cargo check --workspace --lib --bins --target $WINDOWS"
cargo check --workspace --lib --bins --target "$WINDOWS"

echo "-- macOS: cargo check (no tls) --target $MACOS"
cargo check -p fastmcp --no-default-features \
    --features server,macros,client,http,websocket,child-process --target "$MACOS"
cargo check -p stdio-only --bins --target "$MACOS"
