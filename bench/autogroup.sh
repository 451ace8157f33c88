# Sourced by bench/run and bench/common.sh: turns the kernel's session autogrouping off for the
# run, and back on at exit (autogroup_restore, from the caller's EXIT trap).
#
# With `kernel.sched_autogroup_enabled=1`, each session's processes share one scheduling group:
# here PostgreSQL (started by the system) is one, the benchmark's wrk and service another. On
# this 2-core VM (Linux 6.18) with both cores saturated, runnable tasks then waited up to 2 s
# for a core (`perf sched timehist`: a PostgreSQL backend 649 ms, a fresh one 1,965 ms) while
# their neighbours ran, and a read load's p99 went from about 2 ms to 260–740 ms in 4 windows
# of 9; with it off, 0 of 9 (BENCHMARKS.md, "The read stalls were the kernel's"). pgbench alone
# never showed them (its slowest transaction 12–39 ms at 8 clients): they come when three busy
# parties (client, service, database) share the two cores across two groups. That measures the
# scheduler, not the service or PostgreSQL, so the benchmark runs with it off.
# BENCH_AUTOGROUP=keep leaves the setting alone (to see it).
# Needs root to change it; otherwise it says so and goes on. Run one benchmark at a time (two
# would share the cores anyway): the first to finish restores the setting.

autogroup_file=/proc/sys/kernel/sched_autogroup_enabled
autogroup_changed=

autogroup_off() {
    [ -r "$autogroup_file" ] && [ "$(cat "$autogroup_file")" = 1 ] || return 0
    if [ "${BENCH_AUTOGROUP:-off}" = keep ]; then
        echo "kernel.sched_autogroup_enabled=1 kept (BENCH_AUTOGROUP=keep): expect stalls of up to 2 s in the tails once the cores saturate"
    elif (echo 0 >"$autogroup_file") 2>/dev/null; then
        autogroup_changed=1
        echo "kernel.sched_autogroup_enabled: 1 -> 0 for this run (restored at exit; if the run is killed: sysctl kernel.sched_autogroup_enabled=1; BENCH_AUTOGROUP=keep leaves it)"
    else
        echo "warning: cannot turn kernel.sched_autogroup_enabled off (needs root and a writable /proc/sys): expect stalls of up to 2 s in the tails" >&2
    fi
}

autogroup_restore() {
    if [ -n "$autogroup_changed" ]; then
        echo 1 >"$autogroup_file" || true
        autogroup_changed=
    fi
}
