# Sourced by run.sh and scale.sh: pinning the driver and the servers to different cores.
#
# pin_cpus sets DRIVER_PIN (an array: the command prefix of the driver), SERVER_PREFIX (a
# string: the prefix of every server command, which bench-driver splits on whitespace) and
# PIN_NOTE (a sentence saying what was done). With N cores, the driver gets CPUs
# 0 .. N/2-1 and the servers N/2 .. N-1 (on 2 cores: the driver CPU 0, the servers CPU 1).
# With one core, or without taskset, nothing is pinned and PIN_NOTE says so.
pin_cpus() {
    DRIVER_PIN=()
    SERVER_PREFIX=""
    local n
    n="$(nproc)"
    if [ "$n" -lt 2 ]; then
        PIN_NOTE="Not pinned: the machine has one core, shared by the driver and the server."
        return
    fi
    if ! command -v taskset >/dev/null 2>&1; then
        PIN_NOTE="Not pinned: taskset is missing; the driver and the server share $n cores."
        return
    fi
    local half=$((n / 2)) driver server
    driver="0"
    [ "$half" -gt 1 ] && driver="0-$((half - 1))"
    server="$half"
    [ "$((n - 1))" -gt "$half" ] && server="$half-$((n - 1))"
    DRIVER_PIN=(taskset -c "$driver")
    SERVER_PREFIX="taskset -c $server "
    PIN_NOTE="Pinned with taskset: the driver to CPU $driver, each server to CPU $server (of $n)."
}

# No pinning: the same variables, empty.
pin_none() {
    DRIVER_PIN=()
    SERVER_PREFIX=""
    PIN_NOTE="Not pinned: the driver and the server share the machine's $(nproc) cores."
}
