#!/usr/bin/env bash
# Shared sessions through a load balancer: handshake-era calls per second (the `whoami` tool
# of the replicas example, 32 sessions at once) against
#   - one replica, sessions in its memory, no load balancer (the baseline);
#   - nginx in front of that one replica (what the extra hop costs);
#   - nginx in round-robin over 3 replicas sharing sessions in one redis-server.
# Everything runs on 127.0.0.1 of this machine, the driver included.
#
# usage: benches/replicas.sh [--quick] [--debug]
#
# Results: a table on stdout, target/bench-results/replicas.json.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
PROFILE=release
CALLS=300
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) CALLS=20 ;;
    --debug) PROFILE=debug ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
BUILD=(--release)
[ "$PROFILE" = debug ] && BUILD=()
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
BIN="$TARGET/$PROFILE"
RESULTS="$REPO/target/bench-results"
mkdir -p "$RESULTS"
bash scripts/setup-redis.sh >&2
bash scripts/setup-nginx.sh >&2
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
echo "== build ($PROFILE)" >&2
cargo build "${BUILD[@]}" -p examples --bin replicas -p fastmcp-bench --bin sessions-driver >&2

# shellcheck source=benches/procs.sh
source "$REPO/benches/procs.sh"
export FASTMCP_NO_BANNER=1 RUST_LOG=error
drive() { "$BIN/sessions-driver" --url "$1" --clients 32 --calls "$CALLS"; }

start_nginx() { # name, "server a; server b;" -> the port it listens on
    local lb d="$DIR/$1"
    mkdir -p "$d"
    lb="$(free_port)"
    cat >"$d/nginx.conf" <<CONF
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $d/body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
  upstream mcp { $2 keepalive 64; }
  server {
    listen 127.0.0.1:$lb;
    location / {
      proxy_pass http://mcp;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
CONF
    "$NGINX" -e stderr -p "$d" -c "$d/nginx.conf" -g 'daemon off;' >&2 & PIDS+=($!)
    wait_port "$lb"
    echo "$lb"
}

echo "== one replica, sessions in memory" >&2
P="$(free_port)"
(unset REDIS_URL; exec "$BIN/replicas" "127.0.0.1:$P") & PIDS+=($!)
wait_port "$P"
ONE="$(drive "http://127.0.0.1:$P/mcp")"
echo "== nginx over that one replica" >&2
LB1="$(start_nginx one "server 127.0.0.1:$P;")"
NGX="$(drive "http://127.0.0.1:$LB1/mcp")"

echo "== nginx over 3 replicas, sessions in Redis" >&2
RP="$(free_port)"
redis-server --bind 127.0.0.1 --port "$RP" --save '' --appendonly no >"$DIR/redis.log" 2>&1 &
PIDS+=($!)
wait_port "$RP"
export REDIS_URL="redis://127.0.0.1:$RP" STATE_KEY="bench: the replicas' shared secret, 32 bytes"
UP=""
for i in 0 1 2; do
    P="$(free_port)"
    REPLICA="r$i" "$BIN/replicas" "127.0.0.1:$P" & PIDS+=($!)
    wait_port "$P"
    UP="$UP server 127.0.0.1:$P;"
done
LB="$(start_nginx three "$UP")"
LBR="$(drive "http://127.0.0.1:$LB/mcp")"

python3 - "$ONE" "$NGX" "$LBR" "$CALLS" "$RESULTS/replicas.json" <<'PY'
import json, sys
one, ngx, lb = (json.loads(a) for a in sys.argv[1:4])
calls, out = sys.argv[4], sys.argv[5]
json.dump({"calls_per_session": int(calls), "sessions": 32, "one_replica_memory": one,
           "nginx_1_replica_memory": ngx, "nginx_3_replicas_redis": lb}, open(out, "w"), indent=2)
print(f"32 handshake sessions (2025-11-25), {calls} calls each, everything on this machine")
print("| setup | calls/s | replicas that answered |")
print("|---|---|---|")
print(f"| one replica, sessions in memory | {one['calls_per_s']:.0f} | {one['replicas']} |")
for name, r in (("nginx, that one replica", ngx), ("nginx, 3 replicas, sessions in Redis", lb)):
    print(f"| {name} | {r['calls_per_s']:.0f} ({r['calls_per_s'] / one['calls_per_s']:.2f}x) | {r['replicas']} |")
PY
