#!/usr/bin/env bash
# Run the official MCP conformance suite (@modelcontextprotocol/conformance, server mode:
# the suite is the client) against `conformance-server --port N`, i.e. Streamable HTTP at
# http://127.0.0.1:N/mcp:
#
#   active      0.1.16          `server` (its default "active" suite; 2025-06-18/2025-11-25)
#   2025-11-25  0.2.0-alpha.12  `server --requirements 2025-11-25`
#   2026-07-28  0.2.0-alpha.12  `server --requirements 2026-07-28`
#   skills      0.2.0-alpha.12  `server --scenario S` for each server scenario of the
#                               skills extension (sep-2640-skills-*: enumeration,
#                               manifest, directory), which no requirement set runs
#
# Usage: scripts/conformance.sh [active|2025-11-25|2026-07-28|skills]...   (default: all four)
#
# Builds the server (`cargo build -p conformance`, honouring CARGO_TARGET_DIR), installs
# Node 22 and the suites with scripts/setup-node.sh, starts the server on a free port,
# runs the invocations one after the other, stops the server. Results (checks.json per
# scenario, the suite's output, the server's log) go to target/conformance/ (or
# $CONFORMANCE_OUT). Exits non-zero when any check of any invocation is a FAILURE,
# scored by the requirement set or not (there is no expected-failures list), or when an
# invocation could not run. WARNING, SKIPPED and INFO checks are listed, not counted.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
OUT="${CONFORMANCE_OUT:-$REPO/target/conformance}"
SUITE_TIMEOUT="${CONFORMANCE_TIMEOUT:-600}" # seconds, per invocation

RUNS=("$@")
[ ${#RUNS[@]} -gt 0 ] || RUNS=(active 2025-11-25 2026-07-28 skills)
SKILLS_SCENARIOS=(sep-2640-skills-enumeration sep-2640-skills-manifest sep-2640-skills-directory)
for r in "${RUNS[@]}"; do
    case "$r" in
    active | 2025-11-25 | 2026-07-28 | skills) ;;
    *)
        echo "usage: scripts/conformance.sh [active|2025-11-25|2026-07-28|skills]..." >&2
        exit 2
        ;;
    esac
done

start=$SECONDS
NODE_BIN="$(scripts/setup-node.sh)"
export PATH="$NODE_BIN:$PATH"
CACHE="$(dirname "$(dirname "$NODE_BIN")")" # .../node_modules/.bin -> the cache folder
echo "conformance: $(node --version) from $NODE_BIN"

echo "conformance: cargo build -p conformance"
cargo build -p conformance --quiet
TARGET="$(cargo metadata --format-version 1 --no-deps |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
SERVER_BIN="$TARGET/debug/conformance-server"
[ -x "$SERVER_BIN" ] || { echo "conformance: no $SERVER_BIN after the build" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"

SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
trap stop_server EXIT

free_port() {
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Start the server on a free port and wait until it accepts connections.
start_server() {
    local attempt
    for attempt in 1 2 3; do
        PORT="$(free_port)"
        "$SERVER_BIN" --port "$PORT" >"$OUT/server.log" 2>&1 &
        SERVER_PID=$!
        local i
        for i in $(seq 1 100); do
            if ! kill -0 "$SERVER_PID" 2>/dev/null; then
                break
            fi
            if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
                echo "conformance: conformance-server (pid $SERVER_PID) on http://127.0.0.1:$PORT/mcp"
                return 0
            fi
            sleep 0.1
        done
        echo "conformance: the server did not come up on port $PORT (attempt $attempt):" >&2
        tail -n 20 "$OUT/server.log" >&2 || true
        stop_server
    done
    return 1
}
start_server
URL="http://127.0.0.1:$PORT/mcp"

declare -A RC
for r in "${RUNS[@]}"; do
    case "$r" in
    active) pkg=conformance-0.1 args=(server --url "$URL") ;;
    skills) pkg=conformance-0.2 args=(server --url "$URL" --scenario) ;;
    *) pkg=conformance-0.2 args=(server --url "$URL" --requirements "$r") ;;
    esac
    cli="$CACHE/node_modules/$pkg/dist/index.js"
    ver="$(node -p "require('$CACHE/node_modules/$pkg/package.json').version")"
    dir="$OUT/$r"
    mkdir -p "$dir"
    echo
    echo "== conformance $ver ${args[*]}"
    t0=$SECONDS
    set +e
    # The suite writes relative paths under its working directory: run it in $dir.
    if [ "$r" = skills ]; then
        RC[$r]=0
        : >"$dir/suite.log"
        for sc in "${SKILLS_SCENARIOS[@]}"; do
            (cd "$dir" && timeout "$SUITE_TIMEOUT" node "$cli" "${args[@]}" "$sc" -o "$dir/results") >>"$dir/suite.log" 2>&1
            rc=$?
            [ "$rc" -eq 0 ] || RC[$r]=$rc
            grep -E '^(Passed|Test Results)' "$dir/suite.log" | tail -n 1 | sed "s/^/  $sc: /"
        done
    else
        (cd "$dir" && timeout "$SUITE_TIMEOUT" node "$cli" "${args[@]}" -o "$dir/results") >"$dir/suite.log" 2>&1
        RC[$r]=$?
    fi
    set -e
    # The suite's own summary (everything from its SUMMARY line on).
    sed -n '/=== SUMMARY ===/,$p' "$dir/suite.log"
    echo "(exit ${RC[$r]}, $((SECONDS - t0)) s; full output: $dir/suite.log)"
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "conformance: the server died during '$r'; its log:" >&2
        tail -n 40 "$OUT/server.log" >&2 || true
        RC[$r]=99
        start_server
        URL="http://127.0.0.1:$PORT/mcp"
    fi
done
stop_server

# Count every check of every run; list what is not a SUCCESS.
echo
echo "== conformance checks"
rcs=()
for r in "${RUNS[@]}"; do rcs+=("$r=${RC[$r]}"); done
set +e
ELAPSED=$((SECONDS - start)) node - "$OUT" "${rcs[@]}" <<'EOF'
const fs = require("fs");
const path = require("path");
const [out, ...runs] = process.argv.slice(2);
let passed = 0, failed = 0, broken = 0;
for (const run of runs) {
  const [name, rc] = run.split("=");
  const dir = path.join(out, name, "results");
  const counts = { SUCCESS: 0, FAILURE: 0, WARNING: 0, SKIPPED: 0, INFO: 0 };
  const lines = [];
  const entries = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  for (const d of entries) {
    const f = path.join(dir, d, "checks.json");
    if (!fs.existsSync(f)) continue;
    const scenario = d.replace(/^server-/, "").replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, "");
    let checks;
    try { checks = JSON.parse(fs.readFileSync(f, "utf8")); } catch (e) {
      lines.push(`  FAILURE ${scenario}: unreadable checks.json (${e.message})`);
      counts.FAILURE++;
      continue;
    }
    for (const c of checks) {
      counts[c.status] = (counts[c.status] || 0) + 1;
      if (c.status === "FAILURE" || c.status === "WARNING") {
        const msg = (c.errorMessage || "").replace(/\s+/g, " ").slice(0, 240);
        lines.push(`  ${c.status} ${scenario}/${c.id}: ${msg}`);
      }
    }
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  let note = "";
  if (total === 0) { note = " (no checks ran)"; broken++; }
  else if (rc !== "0" && counts.FAILURE === 0) { note = ` (the suite exited ${rc})`; broken++; }
  console.log(`${name}: ${counts.SUCCESS} passed, ${counts.FAILURE} failed, ` +
    `${counts.WARNING} warnings, ${counts.SKIPPED} skipped, ${counts.INFO} info${note}`);
  for (const l of lines) console.log(l);
  passed += counts.SUCCESS;
  failed += counts.FAILURE;
}
console.log(`conformance: ${process.env.ELAPSED} s in all; results in ${out}`);
console.log(`conformance: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || broken > 0 ? 1 : 0);
EOF
exit $?
