#!/usr/bin/env bash
# Run the client scenarios of the official MCP conformance suite
# (@modelcontextprotocol/conformance, `client` mode: the suite starts a mock server per
# scenario and runs our client against it) with `conformance-client` as the client:
#
#   0.1         0.1.16          `client --scenario S`                            (no --spec-version)
#   2025-11-25  0.2.0-alpha.12  `client --scenario S --spec-version 2025-11-25`
#   2026-07-28  0.2.0-alpha.12  `client --scenario S --spec-version 2026-07-28`
#
# Usage: scripts/conformance-client.sh [0.1|2025-11-25|2026-07-28]...   (default: all three)
#
# The scenarios of each invocation are the suite's own list (`list --client
# [--spec-version V]`), `auth/*` included (the client's OAuth is
# fastmcp_client::oauth); every one must pass. There is no expected-failures list.
#
# The skills extension's client scenarios (sep-2640-client-*) are added to the 2026-07-28
# run with --force, and scored.
#
# Extension scenarios are run but not scored (a failure is reported, and does not fail
# the run): the client credentials ones (`auth/client-credentials-basic`, `-jwt`; 0.1
# lists them, and they are added to the 0.2 runs with --force) and the enterprise-managed
# `auth/cross-app-access-*` (listed by 0.1; not implemented by the client).
#
# CONFORMANCE_CLIENT_ONLY, a bash regular expression, runs only the matching scenarios
# (for iterating; CI leaves it unset).
#
# The suite's mock servers listen on every interface, so the suite runs inside a private
# network namespace with only loopback up (`unshare -n`; needs root or user namespaces).
# Node 22 and the suites are installed by scripts/setup-node.sh and the client is built
# (`cargo build -p conformance --bin conformance-client`, honouring CARGO_TARGET_DIR)
# before entering the namespace.
#
# CONFORMANCE_CLIENT_BIN names an already built client instead (no build).
#
# Results (checks.json, the client's stdout/stderr per scenario, the suite's output) go to
# target/conformance-client/ (or $CONFORMANCE_CLIENT_OUT). Exits non-zero when a scenario
# fails: a FAILURE or WARNING check, a client that exited non-zero or timed out (the
# suite's own verdict), or an invocation that could not run. The last line is
# "conformance-client: N passed, M failed" (scenarios).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
OUT="${CONFORMANCE_CLIENT_OUT:-$REPO/target/conformance-client}"
SCENARIO_TIMEOUT_MS="${CONFORMANCE_CLIENT_TIMEOUT_MS:-30000}" # the suite's --timeout

usage() {
    echo "usage: scripts/conformance-client.sh [0.1|2025-11-25|2026-07-28]..." >&2
    exit 2
}

RUNS=("$@")
[ ${#RUNS[@]} -gt 0 ] || RUNS=(0.1 2025-11-25 2026-07-28)
for r in "${RUNS[@]}"; do
    case "$r" in
    0.1 | 2025-11-25 | 2026-07-28) ;;
    *) usage ;;
    esac
done

# ---------------------------------------------------------------------------------------
# Inside the network namespace: run the invocations.
# ---------------------------------------------------------------------------------------
if [ "${_CONFORMANCE_CLIENT_NETNS:-}" = "1" ]; then
    : "${CLIENT_BIN:?}" "${SUITE_01:?}" "${SUITE_02:?}"
    ip link set lo up

    # The result of each scenario: "<run> <scenario> <passed|failed> <success> <failure> <warning>".
    RESULTS="$OUT/results.txt"
    : >"$RESULTS"

    # The summary of the checks.json under a directory: "success failure warning".
    count_checks() {
        node -e '
            const fs = require("fs"), path = require("path");
            const files = [];
            (function walk(d) {
                for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                    const p = path.join(d, e.name);
                    if (e.isDirectory()) walk(p);
                    else if (e.name === "checks.json") files.push(p);
                }
            })(process.argv[1]);
            let s = 0, f = 0, w = 0;
            for (const file of files) {
                for (const c of JSON.parse(fs.readFileSync(file, "utf8"))) {
                    if (c.status === "SUCCESS") s++;
                    else if (c.status === "FAILURE") f++;
                    else if (c.status === "WARNING") w++;
                }
            }
            console.log(`${s} ${f} ${w} ${files.length}`);
        ' "$1"
    }

    for run in "${RUNS[@]}"; do
        case "$run" in
        0.1) suite="$SUITE_01" version_args=() ;;
        *) suite="$SUITE_02" version_args=(--spec-version "$run") ;;
        esac
        dir="$OUT/$run"
        mkdir -p "$dir"
        label="$(node "$suite" --version) ${version_args[*]:-(no --spec-version)}"
        echo
        echo "=== conformance-client: suite $label"
        mapfile -t all < <(node "$suite" list --client "${version_args[@]}" |
            sed -n 's/^  - \([^ ]*\).*/\1/p')
        if [ ${#all[@]} -eq 0 ]; then
            echo "conformance-client: the suite listed no client scenarios" >&2
            echo "$run (list) failed 0 0 0" >>"$RESULTS"
            continue
        fi
        scenarios=()
        unscored=()
        for s in "${all[@]}"; do
            case "$s" in
            auth/client-credentials-* | auth/cross-app-access-*) unscored+=("$s") ;;
            *) scenarios+=("$s") ;;
            esac
        done
        if [ "$run" != 0.1 ]; then
            unscored+=(auth/client-credentials-basic auth/client-credentials-jwt)
        fi
        # The skills extension's client scenarios (listed by no spec version): scored, and
        # forced like the other extension scenarios.
        forced=()
        if [ "$run" = 2026-07-28 ]; then
            forced=(sep-2640-client-no-prefetch sep-2640-client-verify-digest
                sep-2640-client-verify-size sep-2640-client-verify-frontmatter)
            scenarios+=("${forced[@]}")
        fi
        if [ -n "${CONFORMANCE_CLIENT_ONLY:-}" ]; then
            keep() { local o=() x; for x in "$@"; do [[ "$x" =~ $CONFORMANCE_CLIENT_ONLY ]] && o+=("$x"); done; printf '%s\n' "${o[@]}"; }
            mapfile -t scenarios < <(keep "${scenarios[@]}")
            mapfile -t unscored < <(keep "${unscored[@]}")
        fi
        echo "scenarios (${#scenarios[@]}): ${scenarios[*]}"
        echo "extension scenarios, not scored (${#unscored[@]}): ${unscored[*]}"
        for s in "${scenarios[@]}" "${unscored[@]}"; do
            [ -n "$s" ] || continue
            scored=scored
            for u in "${unscored[@]}"; do [ "$u" = "$s" ] && scored=unscored; done
            sdir="$dir/$s"
            rm -rf "$sdir"
            mkdir -p "$sdir"
            rc=0
            force=()
            # 0.2 skips extension scenarios at a spec version unless forced.
            [ "$scored" = unscored ] && [ "$run" != 0.1 ] && force=(--force)
            for f in "${forced[@]}"; do [ "$f" = "$s" ] && force=(--force); done
            timeout 180 node "$suite" client --command "$CLIENT_BIN" --scenario "$s" \
                "${version_args[@]}" "${force[@]}" --timeout "$SCENARIO_TIMEOUT_MS" -o "$sdir" \
                >"$sdir/suite.log" 2>&1 || rc=$?
            read -r ok bad warn files < <(count_checks "$sdir")
            verdict=passed
            if [ "$rc" -ne 0 ] || [ "$bad" -ne 0 ] || [ "$warn" -ne 0 ] || [ "$files" -eq 0 ]; then
                verdict=failed
            fi
            printf '%-8s %-40s %3s SUCCESS, %s FAILURE, %s WARNING (suite exit %s)%s\n' \
                "$verdict" "$s" "$ok" "$bad" "$warn" "$rc" "$([ $scored = unscored ] && echo ', not scored')"
            if [ "$verdict" = failed ]; then
                # The failing checks and the client's last words.
                grep -E '^\s+- |Error:|Warning:|exited|timed out' "$sdir/suite.log" | head -n 30 | sed 's/^/    /' || true
            fi
            echo "$run $s $verdict $ok $bad $warn $scored" >>"$RESULTS"
        done
    done
    exit 0
fi

# ---------------------------------------------------------------------------------------
# Outside: install, build, enter the namespace, report.
# ---------------------------------------------------------------------------------------
start=$SECONDS
NODE_BIN="$(scripts/setup-node.sh)"
export PATH="$NODE_BIN:$PATH"
CACHE="$(dirname "$(dirname "$NODE_BIN")")" # .../node_modules/.bin -> the cache folder
SUITE_01="$CACHE/node_modules/conformance-0.1/dist/index.js"
SUITE_02="$CACHE/node_modules/conformance-0.2/dist/index.js"
echo "conformance-client: $(node --version) from $NODE_BIN"

if [ -n "${CONFORMANCE_CLIENT_BIN:-}" ]; then
    CLIENT_BIN="$CONFORMANCE_CLIENT_BIN" # already built (conformance/tests/official_client_suite.rs)
else
    echo "conformance-client: cargo build -p conformance --bin conformance-client"
    cargo build -p conformance --bin conformance-client --quiet
    TARGET="$(cargo metadata --format-version 1 --no-deps |
        node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
    CLIENT_BIN="$TARGET/debug/conformance-client"
fi
[ -x "$CLIENT_BIN" ] || { echo "conformance-client: no $CLIENT_BIN after the build" >&2; exit 1; }
case "$CLIENT_BIN" in
*" "*)
    # The suite splits --command on spaces.
    echo "conformance-client: the client's path has a space: $CLIENT_BIN" >&2
    exit 1
    ;;
esac

rm -rf "$OUT"
mkdir -p "$OUT"

if ! unshare -n true 2>/dev/null; then
    echo "conformance-client: cannot create a network namespace (unshare -n): run as root" >&2
    exit 1
fi
rc=0
_CONFORMANCE_CLIENT_NETNS=1 CLIENT_BIN="$CLIENT_BIN" SUITE_01="$SUITE_01" SUITE_02="$SUITE_02" \
    CONFORMANCE_CLIENT_OUT="$OUT" \
    unshare -n bash "$REPO/scripts/conformance-client.sh" "${RUNS[@]}" 2>&1 | tee "$OUT/suite.log" ||
    rc=$?
[ "$rc" -eq 0 ] || echo "conformance-client: the suite runner exited with $rc" >&2

echo
echo "=== conformance-client: summary ($((SECONDS - start)) s)"
passed=0
failed=0
for run in "${RUNS[@]}"; do
    p=$(awk -v r="$run" '$1 == r && $3 == "passed" && $7 != "unscored"' "$OUT/results.txt" 2>/dev/null | wc -l)
    f=$(awk -v r="$run" '$1 == r && $3 == "failed" && $7 != "unscored"' "$OUT/results.txt" 2>/dev/null | wc -l)
    a=$(awk -v r="$run" '$1 == r && $3 == "passed" && $2 ~ /^auth\// && $7 != "unscored"' "$OUT/results.txt" 2>/dev/null | wc -l)
    checks=$(awk -v r="$run" '$1 == r && $7 != "unscored" { s += $4; f += $5; w += $6 } END { printf "%d SUCCESS, %d FAILURE, %d WARNING", s, f, w }' \
        "$OUT/results.txt" 2>/dev/null)
    echo "$run: $p passed ($a of them auth/*), $f failed ($checks)"
    awk -v r="$run" '$1 == r && $3 == "failed" && $7 != "unscored" { print "    failed: " $2 }' "$OUT/results.txt" 2>/dev/null || true
    awk -v r="$run" '$7 == "unscored" && $1 == r { print "    not scored: " $2 " " $3 " (" $4 " SUCCESS, " $5 " FAILURE, " $6 " WARNING)" }' "$OUT/results.txt" 2>/dev/null || true
    passed=$((passed + p))
    failed=$((failed + f))
done
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
fi
echo "conformance-client: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
