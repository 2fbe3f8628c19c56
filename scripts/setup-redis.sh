#!/usr/bin/env bash
# Installs redis-server from Debian when it is missing: the tests of the shared rate limiter
# (crates/fastmcp/tests/rate_limit_redis.rs) start their own on 127.0.0.1.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
echo "== installing redis-server (Debian package)"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q redis-server
command -v redis-server >/dev/null
