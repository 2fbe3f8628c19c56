#!/usr/bin/env bash
# Installs nginx from Debian when it is missing: the replicas test
# (examples/tests/replicas.rs) starts its own on 127.0.0.1 as the load balancer.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
echo "== installing nginx (Debian package nginx-light)"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q nginx-light
# The package starts a system nginx on port 80: the tests start their own.
$SUDO systemctl disable --now nginx >/dev/null 2>&1 || $SUDO service nginx stop >/dev/null 2>&1 || true
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null
