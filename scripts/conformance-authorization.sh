#!/usr/bin/env bash
# The official suite's authorization-server scenarios (@modelcontextprotocol/conformance
# 0.2.0-alpha.12 `authorization`: authorization-server-metadata-endpoint and
# authorization-code-grant) against our own authorization server: `conformance-auth`
# (the conformance server at /mcp, protected by fastmcp-auth-server at the root).
#
# Two runs: a public client (`conformance`, PKCE, token_endpoint_auth_method none) and a
# confidential one (`conformance-secret`, client_secret_post as the suite picks it).
# The suite prints the authorization URL and waits for a browser: the user is played by
# conformance/tests/python/authorize_headless.py (standard library Python), which signs
# in on the server's login form, allows on its consent page and opens the redirect back
# to the suite's loopback callback.
#
# Usage: scripts/conformance-authorization.sh
# Results go to target/conformance-authorization/ (or $CONFORMANCE_OUT). Exits non-zero
# when any check fails or is missing.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
OUT="${CONFORMANCE_OUT:-$REPO/target/conformance-authorization}"
NODE_BIN="$(scripts/setup-node.sh)"
export PATH="$NODE_BIN:$PATH"
CACHE="$(dirname "$(dirname "$NODE_BIN")")"
CLI="$CACHE/node_modules/conformance-0.2/dist/index.js"
VERSION="$(node -p "require('$CACHE/node_modules/conformance-0.2/package.json').version")"

cargo build -p conformance --quiet --bin conformance-auth
TARGET="$(cargo metadata --format-version 1 --no-deps |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
BIN="$TARGET/debug/conformance-auth"

rm -rf "$OUT"
mkdir -p "$OUT"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() {
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

wait_port() {
    local i
    for i in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

status=0
run() { # name, client id, secret ("" for a public client)
    local name="$1" client="$2" secret="$3" dir="$OUT/$1"
    mkdir -p "$dir"
    local port callback
    port="$(free_port)"
    callback="$(free_port)"
    local args=(--port "$port" --client-id "$client")
    [ -z "$secret" ] || args+=(--client-secret "$secret")
    "$BIN" "${args[@]}" >"$dir/server.log" 2>&1 &
    PIDS+=($!)
    wait_port "$port" || { echo "conformance-authorization: the server did not start" >&2; cat "$dir/server.log" >&2; return 1; }
    local issuer="http://127.0.0.1:$port"
    python3 conformance/tests/python/authorize_headless.py "$dir/suite.log" "$issuer" alice 120 >"$dir/user.log" 2>&1 &
    PIDS+=($!)
    local suite=(authorization --url "$issuer" --client-id "$client" --resource "$issuer/mcp" --port "$callback")
    [ -z "$secret" ] || suite+=(--client-secret "$secret")
    echo "== conformance $VERSION ${suite[*]}"
    set +e
    (cd "$dir" && timeout 300 node "$CLI" "${suite[@]}" -o "$dir/results") >"$dir/suite.log" 2>&1
    local rc=$?
    set -e
    sed -n '/=== SUMMARY ===/,$p' "$dir/suite.log"
    cat "$dir/user.log"
    # Every check present and passed (a missing results folder is a failure too).
    node - "$dir/results" "$rc" <<'JS' || status=1
const fs = require("fs"), path = require("path");
const [dir, rc] = process.argv.slice(2);
const want = ["authorization-server-metadata", "authorization-server-metadata-cimd", "authorization-code-grant"];
const seen = {};
for (const d of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
  const f = path.join(dir, d, "checks.json");
  if (fs.existsSync(f)) for (const c of JSON.parse(fs.readFileSync(f, "utf8"))) seen[c.id] = c;
}
let bad = rc !== "0";
for (const id of want) {
  const c = seen[id];
  const ok = c && c.status === "SUCCESS";
  if (!ok) bad = true;
  console.log(`  ${ok ? "SUCCESS" : "FAILURE"} ${id}${c && c.errorMessage ? ": " + c.errorMessage : c ? "" : ": missing"}`);
}
process.exit(bad ? 1 : 0);
JS
}

run public conformance ""
run confidential conformance-secret "s3cret-for-tests"
if [ "$status" -eq 0 ]; then
    echo "conformance-authorization: every check passed (results in $OUT)"
else
    echo "conformance-authorization: FAILED (results in $OUT)" >&2
fi
exit "$status"
