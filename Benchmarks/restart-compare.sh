#!/usr/bin/env bash
# Restart with a million keys: fills one member of our `etcd` and one of Go etcd 3.4 (Debian `etcd-server`) with
# RESTART_KEYS distinct keys (default 1,000,000) through etcd's own load generator (`tools/benchmark`, built by
# Benchmarks/build-etcd-benchmark.sh), then restarts each RESTART_REPEATS times (default 3), alternating, and
# prints the time from starting the process to its first answered linearizable read, and the resident memory
# after the fill and after a restart.
#
#   swift build -c release && bash Benchmarks/build-etcd-benchmark.sh && bash Benchmarks/restart-compare.sh
#
# The keys are the tool's 8-byte sequential keys with 256-byte values, written by 64 clients on 8 connections.
# A restart is SIGTERM, waiting for the process to exit, then the same command line again; the read is a range
# of one key through the JSON gateway, polled every 10 ms. Memory is VmRSS, read 8 s after the fill and 8 s
# after the first answered read (our member returns freed heap pages every 5 s). RESTART_KEYS=100000 gives the
# memory after 100k keys. The page cache keeps the data files between restarts (warm restarts, as after
# a process crash or an upgrade); RESTART_COLD=1 drops it before each restart (needs root).
#
# ETCD_SWIFT_BIN, GO_ETCD, ETCD_BENCHMARK and KEEP_DATA as in Benchmarks/lib/etcd-benchmark.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/members.sh

KEYS=${RESTART_KEYS:-1000000}
REPEATS=${RESTART_REPEATS:-3}
COLD=${RESTART_COLD:-0}
[[ $KEYS =~ ^[1-9][0-9]*$ ]] || { echo "RESTART_KEYS must be a positive integer" >&2; exit 1; }
[[ $REPEATS =~ ^[1-9][0-9]*$ ]] || { echo "RESTART_REPEATS must be a positive integer" >&2; exit 1; }
if [[ $COLD == 1 && ! -w /proc/sys/vm/drop_caches ]]; then echo "RESTART_COLD=1 needs root" >&2; exit 1; fi
NAME=etcd-restart-compare
source Benchmarks/lib/etcd-benchmark.sh

declare -A BINARY=([ours]=$OURS [etcd]=$GO_ETCD) CLIENT PEER
for impl in ours etcd; do
    free_port && CLIENT[$impl]=$PORT
    free_port && PEER[$impl]=$PORT
done

# start IMPL: starts the implementation's member on its data directory and ports (the same every time); sets PIDS.
start() {
    local impl=$1 client=http://127.0.0.1:${CLIENT[$1]} peer=http://127.0.0.1:${PEER[$1]}
    "${BINARY[$impl]}" --name m1 --data-dir "$WORK/$impl" \
        --listen-client-urls "$client" --advertise-client-urls "$client" \
        --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
        --initial-cluster "m1=$peer" --initial-cluster-state new --initial-cluster-token "restart-$impl" \
        >>"$WORK/$impl.log" 2>&1 &
    PIDS=($!)
}

# first_read IMPL: polls a linearizable range of one key until the member answers it (at most 120 s).
first_read() {
    local deadline=$((SECONDS + 120)) body
    body="{\"key\":\"$(printf 'probe' | base64 -w0)\"}"
    until curl -fs --max-time 1 -X POST "http://127.0.0.1:${CLIENT[$1]}/v3/kv/range" -d "$body" | grep -q '"header"'; do
        kill -0 "${PIDS[0]}" 2>/dev/null || { echo "$1 exited while starting; see $WORK/$1.log" >&2; KEEP_DATA=1; exit 1; }
        ((SECONDS < deadline)) || { echo "$1 answered no read within 120 s" >&2; KEEP_DATA=1; exit 1; }
        sleep 0.01
    done
}

rss_mib() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/${PIDS[0]}/status"; }

count_keys() {
    curl -fsS --max-time 60 -X POST "http://127.0.0.1:${CLIENT[$1]}/v3/kv/range" \
        -d '{"key":"AA==","range_end":"AA==","count_only":true}' | grep -o '"count":"[0-9]*"' | grep -o '[0-9][0-9]*'
}

started=$SECONDS
echo "== results (one line per measurement); work directory $WORK" >&2
for impl in ours etcd; do
    start "$impl"
    first_read "$impl"
    "$BENCH" --endpoints "127.0.0.1:${CLIENT[$impl]}" --clients 64 --conns 8 put --total "$KEYS" \
        --key-space-size "$KEYS" --sequential-keys --val-size 256 >"$WORK/$impl-fill.out" 2>&1 ||
        { echo "$impl: the fill failed; see $WORK/$impl-fill.out" >&2; KEEP_DATA=1; exit 1; }
    count=$(count_keys "$impl")
    [[ $count == "$KEYS" ]] || { echo "$impl holds $count keys after the fill, not $KEYS" >&2; KEEP_DATA=1; exit 1; }
    sleep 8
    echo "$impl fill rss_mib=$(rss_mib) puts_per_sec=$(awk '/Requests\/sec:/ { print $NF }' "$WORK/$impl-fill.out")" |
        tee -a "$RESULTS" >&2
    stop_members
done
for ((round = 1; round <= REPEATS; round++)); do
    order="ours etcd"
    ((round % 2 == 0)) && order="etcd ours"
    for impl in $order; do
        [[ $COLD == 1 ]] && { sync; echo 3 >/proc/sys/vm/drop_caches; }
        begin=$(date +%s%N)
        start "$impl"
        first_read "$impl"
        end=$(date +%s%N)
        sleep 8
        count=$(count_keys "$impl")
        [[ $count == "$KEYS" ]] || { echo "$impl holds $count keys after a restart, not $KEYS" >&2; KEEP_DATA=1; exit 1; }
        echo "$impl restart round=$round seconds=$(awk -v ns=$((end - begin)) 'BEGIN { printf "%.3f", ns / 1e9 }') rss_mib=$(rss_mib)" |
            tee -a "$RESULTS" >&2
        stop_members
    done
done
echo "== $((SECONDS - started)) s; RESTART_KEYS=$KEYS RESTART_REPEATS=$REPEATS RESTART_COLD=$COLD" >&2

# The table: medians over the restarts. Ratio: ours/Go (below 1 ours is quicker or smaller).
awk '
    function median(list,   a, k, t, i, j) {
        k = split(list, a, " ")
        for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    {
        for (i = 3; i <= NF; i++) {
            split($i, kv, "=")
            if (kv[1] != "round") values[$1, $2 "-" kv[1]] = values[$1, $2 "-" kv[1]] " " kv[2]
        }
    }
    function row(name, key, fmt,   o, g) {
        o = median(values["ours", key]); g = median(values["etcd", key])
        printf "| %-36s | %9s | %9s | %5.2f |\n", name, sprintf(fmt, o), sprintf(fmt, g), o / g
    }
    END {
        printf "| %-36s | %9s | %9s | %5s |\n", "measure", "ours", "Go 3.4", "ratio"
        printf "|%s|%s|%s|%s|\n", "--------------------------------------", "-----------", "-----------", "-------"
        row("fill, puts/s (64 clients)", "fill-puts_per_sec", "%.0f")
        row("resident memory after the fill, MiB", "fill-rss_mib", "%.0f")
        row("restart to the first answered read, s", "restart-seconds", "%.2f")
        row("resident memory after a restart, MiB", "restart-rss_mib", "%.0f")
        printf "\nrestart and its memory: medians of the restarts; ratio = ours / Go\n"
    }
' "$RESULTS"
