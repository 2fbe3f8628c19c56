#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz / libFuzzer, nightly) of the parsers in fuzz/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Installs cargo-fuzz if missing, seeds fuzz/corpus/ (fuzz/seed.py), builds every target
# once, then runs each target for SECONDS (default 30) on its corpus (and its crash
# regressions, fuzz/regressions/<target>/) with the dictionary fuzz/mcp.dict, two at a
# time (FUZZ_JOBS). Prints per target: executions, exec/s, coverage, corpus size. Exits
# non-zero if a target crashed (the input is in fuzz/artifacts/<target>/, the log in
# fuzz/logs/<target>.log).
set -euo pipefail

SECONDS_PER_TARGET="${1:-30}"
shift || true
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FUZZ="$ROOT/fuzz"
JOBS="${FUZZ_JOBS:-2}"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
cd "$FUZZ"
python3 seed.py >/dev/null
cargo +nightly fuzz build
TRIPLE="$(rustc +nightly -vV | sed -n 's/^host: //p')"
BIN="$FUZZ/target/$TRIPLE/release"

if [ "$#" -gt 0 ]; then
    TARGETS=("$@")
else
    mapfile -t TARGETS < <(cargo +nightly fuzz list)
fi
mkdir -p logs

run() {
    local t="$1" dirs=("corpus/$1")
    [ -d "regressions/$t" ] && dirs+=("regressions/$t")
    mkdir -p "corpus/$t" "artifacts/$t"
    "$BIN/$t" "${dirs[@]}" -dict=mcp.dict -max_total_time="$SECONDS_PER_TARGET" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="artifacts/$t/" >"logs/$t.log" 2>&1
}

declare -A STATUS
pids=()
names=()
for t in "${TARGETS[@]}"; do
    while [ "${#pids[@]}" -ge "$JOBS" ]; do
        wait "${pids[0]}" && STATUS[${names[0]}]=0 || STATUS[${names[0]}]=$?
        pids=("${pids[@]:1}")
        names=("${names[@]:1}")
    done
    echo "fuzzing $t for ${SECONDS_PER_TARGET}s" >&2
    run "$t" &
    pids+=("$!")
    names+=("$t")
done
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" && STATUS[${names[$i]}]=0 || STATUS[${names[$i]}]=$?
done

failed=0
printf '%-20s %12s %8s %8s %8s  %s\n' target executions exec/s cov corpus result
for t in "${TARGETS[@]}"; do
    log="logs/$t.log"
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1 || true)"
    cov="$( (grep -o 'cov: [0-9]*' "$log" || true) | tail -1 | cut -d' ' -f2)"
    size="$(find "corpus/$t" -type f | wc -l)"
    result=ok
    if [ "${STATUS[$t]}" -ne 0 ]; then
        result="CRASH (exit ${STATUS[$t]}; see fuzz/$log and fuzz/artifacts/$t/)"
        failed=1
    fi
    printf '%-20s %12s %8s %8s %8s  %s\n' "$t" "${execs:--}" "${rate:--}" "${cov:--}" "$size" "$result"
done
exit "$failed"
