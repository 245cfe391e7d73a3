# Shared by bench/run and bench/transports/run (sourced): the CPU ticks, PSS and readiness of a process tree,
# read from /proc.

# tree_cpu ROOT_PID: one line "pid user_ticks sys_ticks" (all threads) for the process and each descendant.
tree_cpu() {
    # cat, not awk on the files: a process that ends while we read must not stop the reading.
    cat /proc/[0-9]*/stat 2> /dev/null | awk -v root="$1" '
        {
            pid = $1
            rest = substr($0, match($0, /\) [^)]*$/) + 2)   # after the command name, which may hold spaces
            split(rest, field, " ")
            parent[pid] = field[2]; ticks[pid] = field[12] " " field[13]
        }
        END {
            if (!(root in ticks)) exit
            queue[1] = root; head = 1; tail = 1
            while (head <= tail) {
                p = queue[head++]
                print p, ticks[p]
                for (c in parent) if (parent[c] == p) queue[++tail] = c
            }
        }'
}

tree_size() { tree_cpu "$1" | wc -l; }

# A proxy that ran out of memory measured something else than the config: say so.
warn_out_of_memory() {
    lines=$(grep -c -i -E 'out of mem|could not allocate' "$2" 2> /dev/null)
    [ "${lines:-0}" = 0 ] || echo "bench/run: warning: $1 logged $lines out-of-memory errors (see $2)" >&2
}

# Waits until the log says READY_PATTERN and the process tree has stopped growing (Kamailio forks).
wait_ready() {
    pid=$1 log=$2 pattern=$3
    for _ in $(seq 1 100); do
        grep -q -E "$pattern" "$log" 2> /dev/null && break
        kill -0 "$pid" 2> /dev/null || return 1
        sleep 0.05
    done
    grep -q -E "$pattern" "$log" || return 1
    previous=0 stable=0
    for _ in $(seq 1 50); do
        size=$(tree_size "$pid")
        if [ "$size" = "$previous" ]; then stable=$((stable + 1)); else stable=0; fi
        [ "$stable" -ge 3 ] && return 0
        previous=$size
        sleep 0.1
    done
    return 0
}

# tree_pss ROOT_PID: the PSS in KB of the process and its descendants (sum of their smaps_rollup Pss lines).
tree_pss() {
    for pid in $(tree_cpu "$1" | cut -d' ' -f1); do
        cat "/proc/$pid/smaps_rollup" 2> /dev/null
    done | awk '$1 == "Pss:" { kb += $2 } END { print kb + 0 }'
}

# tree_pss_by_process ROOT_PID: "pid KB command" for each process of the tree (kept with the logs).
tree_pss_by_process() {
    for pid in $(tree_cpu "$1" | cut -d' ' -f1); do
        kb=$(awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup" 2> /dev/null)
        echo "$pid ${kb:-0} $(tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null | cut -c1-60)"
    done
}
