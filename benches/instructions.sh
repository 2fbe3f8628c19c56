#!/usr/bin/env bash
# Instructions per request, counted by valgrind: a figure that does not move with the
# machine's noise (CPU time on a shared VM moves by 10% between runs; this moves by none),
# for telling whether a change to the request path does less work.
#
#   benches/instructions.sh [--build] [--http] [IMPL...]
#
# Feeds each echo server, on stdio, an initialize and N `tools/call` of `echo` (all
# written at once: the "64 in flight" shape, where the server reads a buffer of lines
# and answers them in a row), for N = 1,000 and 11,000, each under
# `valgrind --tool=cachegrind`; the difference of the two counts over 10,000 is the
# user-space instructions per request (start-up and shutdown cancel out). The kernel's
# share (system calls, wake-ups) is not counted: see the CPU rows of `bench-driver` for it.
# With `--http`, the same over Streamable HTTP (the "HTTP, 1 connection" shape): each
# server listens on 127.0.0.1 under valgrind and a Python client (python3, standard
# library only) makes the calls one after another on one keep-alive connection,
# protocol 2025-06-18, with the headers the specification asks for.
#
# IMPL is ours, limit or rmcp (default: ours limit, and rmcp when its binary is built,
# with `--features peers`). Ours runs on a `current_thread` runtime, as valgrind runs one
# thread at a time anyway, and with `ECHO_INLINE_POLL_MS` raised (see benches/src/echo.rs).
# `--build` builds the release binaries first (target/release/). Needs valgrind (Debian:
# apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
BIN="${CARGO_TARGET_DIR:-$REPO/target}/release"
IMPLS=()
HTTP=false
for a in "$@"; do
    case "$a" in
    --http) HTTP=true ;;
    --build) cargo build --release -q -p fastmcp-bench --bin echo-fastmcp --bin echo-limit ;;
    ours | limit | rmcp) IMPLS+=("$a") ;;
    *) sed -n '2,24p' "$0"; exit 2 ;;
    esac
done
if [ "${#IMPLS[@]}" -eq 0 ]; then
    IMPLS=(ours limit)
    [ -x "$BIN/echo-rmcp" ] && IMPLS+=(rmcp)
fi
command -v valgrind >/dev/null || { echo "valgrind is missing (apt-get install valgrind)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
requests() { # N -> the lines of an initialize and N calls
    printf '%s\n' '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"instructions","version":"0"}}}' \
        '{"jsonrpc":"2.0","method":"notifications/initialized"}'
    seq 1 "$1" | awk '{printf "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"hello world %d\"}}}\n", $1, $1}'
}
requests 1000 >"$WORK/small"
requests 11000 >"$WORK/large"

exe_of() { # IMPL -> its binary
    local exe
    case "$1" in
    ours) exe="$BIN/echo-fastmcp" ;;
    limit) exe="$BIN/echo-limit" ;;
    rmcp) exe="$BIN/echo-rmcp" ;;
    esac
    [ -x "$exe" ] || { echo "$exe is not built (benches/instructions.sh --build)" >&2; exit 1; }
    echo "$exe"
}

count() { # IMPL FILE -> instructions of the whole run
    local exe answers
    exe=$(exe_of "$1")
    answers=$(FASTMCP_RUNTIME=current_thread ECHO_INLINE_POLL_MS=100000 FASTMCP_NO_BANNER=1 \
        valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        --log-file="$WORK/log" "$exe" stdio <"$2" 2>/dev/null | grep -c '"result"' || true)
    local want=$(($(wc -l <"$2") - 1))
    [ "$answers" -eq "$want" ] || { echo "$1 answered $answers of $want requests" >&2; exit 1; }
    grep -E 'I +refs' "$WORK/log" | awk '{gsub(",", "", $NF); print $NF}'
}

# The HTTP client: an initialize, the initialized notification and N calls, one after
# another on one connection; exits 1 unless every call was answered with a result.
cat >"$WORK/client.py" <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
f = s.makefile("rb")
session = None
def post(body):
    global session
    head = (f"POST /mcp HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\n"
            "content-type: application/json\r\naccept: application/json, text/event-stream\r\n"
            "mcp-protocol-version: 2025-06-18\r\n")
    if session:
        head += f"mcp-session-id: {session}\r\n"
    s.sendall(f"{head}content-length: {len(body)}\r\n\r\n".encode() + body)
    f.readline()
    length, chunked = 0, False
    while (line := f.readline()) not in (b"\r\n", b""):
        k, _, v = line.decode().partition(":")
        k = k.lower()
        if k == "content-length": length = int(v)
        elif k == "mcp-session-id": session = v.strip()
        elif k == "transfer-encoding": chunked = "chunked" in v
    if not chunked:
        return f.read(length)
    out = b""
    while (size := int(f.readline(), 16)) > 0:
        out += f.read(size)
        f.readline()
    f.readline()
    return out
post(b'{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"instructions","version":"0"}}}')
post(b'{"jsonrpc":"2.0","method":"notifications/initialized"}')
ok = sum(b'"result"' in post(b'{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello world %d"}}}' % (i, i)) for i in range(1, n + 1))
sys.exit(0 if ok == n else 1)
PY

count_http() { # IMPL N -> instructions of the whole run
    local exe port=18931 pid
    exe=$(exe_of "$1")
    FASTMCP_RUNTIME=current_thread FASTMCP_NO_BANNER=1 valgrind --tool=cachegrind \
        --cache-sim=no --cachegrind-out-file=/dev/null --log-file="$WORK/log" \
        "$exe" http --port "$port" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 300); do
        (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
    python3 "$WORK/client.py" "$port" "$2" || { echo "$1 did not answer $2 calls" >&2; kill "$pid"; exit 1; }
    kill -TERM "$pid"
    wait "$pid" || true
    grep -E 'I +refs' "$WORK/log" | awk '{gsub(",", "", $NF); print $NF}'
}

declare -A PER
for impl in "${IMPLS[@]}"; do
    if $HTTP; then
        small=$(count_http "$impl" 1000)
        large=$(count_http "$impl" 11000)
    else
        small=$(count "$impl" "$WORK/small")
        large=$(count "$impl" "$WORK/large")
    fi
    PER[$impl]=$(((large - small) / 10000))
done
printf '| implementation | instructions per request | against limit |\n|---|---:|---:|\n'
for impl in "${IMPLS[@]}"; do
    ratio="-"
    [ -n "${PER[limit]:-}" ] && ratio=$(awk -v a="${PER[$impl]}" -v b="${PER[limit]}" 'BEGIN {printf "%.2f×", a / b}')
    printf '| %s | %s | %s |\n' "$impl" "${PER[$impl]}" "$ratio"
done
