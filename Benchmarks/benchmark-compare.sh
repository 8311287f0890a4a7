#!/usr/bin/env bash
# Runs the same loads with etcd's own load generator (`tools/benchmark` of etcd 3.4, built from Debian's source
# package by Benchmarks/build-etcd-benchmark.sh) against our `etcd` and Go etcd 3.4 (Debian `etcd-server`), on a
# one-member and a three-member loopback cluster, and prints a table of throughput, p99 latency and server CPU
# per operation.
#
#   swift build -c release && bash Benchmarks/build-etcd-benchmark.sh && bash Benchmarks/benchmark-compare.sh
#
# Every measurement gets a fresh cluster, and the two implementations are interleaved: for each load, each of
# BENCH_REPEATS rounds starts ours then Go's (Go's then ours in even rounds), one cluster at a time; the table
# shows the median of the rounds. Server CPU is utime+stime of all members (from /proc/PID/stat) over the
# benchmark run, divided by the operations (for the watch row, by the events delivered); context switches, the
# count of thread hand-offs, likewise (all the members' threads, from /proc/PID/task/*/status). Under the table:
# the disk's rate of durable 4 KiB appends (write + fdatasync), before and after the loads, the bound of a single
# client's puts.
#
# ETCD_SWIFT_BIN, GO_ETCD, ETCD_BENCHMARK and KEEP_DATA (which also keeps the benchmark tool's output) as in
# Benchmarks/lib/etcd-benchmark.sh. BENCH_SCALE: multiplies every load's total (default 1, sized so that the
# whole comparison takes about 10-15 minutes on a 2-core machine; 0.02 is a smoke run). BENCH_REPEATS: rounds
# per load (default 3).
# BENCH_LOADS: an extended regular expression; only loads whose name (as in the table's first column, e.g.
# "1m put-16", "3m range-lin-64") matches run. BENCH_SETTLE: seconds to wait after a cluster serves (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/members.sh

SCALE=${BENCH_SCALE:-1}
REPEATS=${BENCH_REPEATS:-3}
ONLY=${BENCH_LOADS:-}
SETTLE=${BENCH_SETTLE:-1}
[[ $REPEATS =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_REPEATS must be a positive integer" >&2; exit 1; }
awk -v s="$SCALE" 'BEGIN { exit !(s + 0 > 0) }' || { echo "BENCH_SCALE must be a positive number" >&2; exit 1; }
NAME=etcd-benchmark-compare
source Benchmarks/lib/etcd-benchmark.sh
CLK_TCK=$(getconf CLK_TCK)
command -v python3 >/dev/null || { echo "missing python3 (the disk's durable-append probe)" >&2; exit 1; }
[[ -z ${MEMBER_CPUS:-} ]] || command -v taskset >/dev/null || { echo "missing taskset (MEMBER_CPUS)" >&2; exit 1; }

# POST JSON to a member's gateway: gateway ENDPOINT PATH BODY.
gateway() { curl -fsS --max-time 10 -X POST "http://$1$2" -d "$3"; }
b64() { printf '%s' "$1" | base64 -w0; }

# start_cluster BINARY SIZE LABEL: starts SIZE members and waits until they serve and agree on a leader. Sets
# PIDS, ENDPOINTS (all, comma-separated), LEADER (the leader's endpoint) and FOLLOWERS_FIRST (the followers'
# endpoints, then the leader's, comma-separated). A cluster whose member exits while starting (a port taken
# after all, say) is stopped and started again on other ports, up to three times.
start_cluster() {
    local attempt
    for attempt in 1 2 3; do
        try_start_cluster "$@" && return 0
        stop_members
        rm -rf "$WORK/$3"-m*/ # a new attempt needs empty data directories
        echo "$3: start attempt $attempt failed: $START_ERROR" >&2
    done
    echo "$3: giving up; see $WORK/$3-*.log" >&2
    KEEP_DATA=1
    exit 1
}
try_start_cluster() {
    launch_members "$@"
    local endpoint status id leader leaders deadline=$((SECONDS + 30))
    for endpoint in ${ENDPOINTS//,/ }; do
        until curl -fs --max-time 2 "http://$endpoint/health" | grep -q '"health":"true"'; do
            all_alive || { START_ERROR="a member exited"; return 1; }
            ((SECONDS < deadline)) || { START_ERROR="$endpoint not healthy in 30 s"; return 1; }
            sleep 0.2
        done
    done
    while :; do
        LEADER="" FOLLOWERS_FIRST="" leaders=" "
        for endpoint in ${ENDPOINTS//,/ }; do
            status=$(gateway "$endpoint" /v3/maintenance/status '{}' 2>/dev/null) || status=""
            id=$(grep -o '"member_id":"[0-9]*"' <<<"$status" | grep -o '[0-9][0-9]*') || id=""
            leader=$(grep -o '"leader":"[0-9]*"' <<<"$status" | grep -o '[0-9][0-9]*') || leader=""
            [[ $leaders == *" ${leader:-none} "* ]] || leaders+="${leader:-none} "
            if [[ -n $id && $id == "$leader" ]]; then LEADER=$endpoint; else FOLLOWERS_FIRST+="$endpoint,"; fi
        done
        # Done when every member names the same leader, and that leader is one of them.
        [[ -n $LEADER && $leaders != *none* && $(wc -w <<<"$leaders") == 1 ]] && break
        all_alive || { START_ERROR="a member exited"; return 1; }
        ((SECONDS < deadline)) || { START_ERROR="no agreed leader in 30 s"; return 1; }
        sleep 0.2
    done
    FOLLOWERS_FIRST+=$LEADER
}

# The members' CPU time (utime + stime of all their threads) in clock ticks.
cpu_ticks() {
    local pid total=0 fields
    for pid in "${PIDS[@]}"; do
        # Fields after "(comm) ": state is index 0, utime (field 14) index 11, stime (field 15) index 12.
        read -r -a fields <<<"$(sed 's/^.*) //' "/proc/$pid/stat")"
        total=$((total + fields[11] + fields[12]))
    done
    echo "$total"
}

# The context switches of all the members' threads (voluntary and not), a count of thread hand-offs.
ctx_switches() {
    local pid total=0
    for pid in "${PIDS[@]}"; do
        total=$((total + $(cat /proc/"$pid"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s + 0 }')))
    done
    echo "$total"
}

# The disk's rate of durable appends where the members keep their data: 4 KiB appended and fdatasync'd, as
# often as it goes for two seconds, in the work directory (one client's put waits for one such write).
durable_appends_per_second() {
    python3 - "$WORK/fsync-probe" <<'PY'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
block, count, start = b"x" * 4096, 0, time.monotonic()
while time.monotonic() - start < 2:
    os.write(fd, block)
    os.fdatasync(fd)
    count += 1
os.close(fd)
os.unlink(sys.argv[1])
print(int(count / (time.monotonic() - start)))
PY
}

# Whether every member still runs (an exited member stays a zombie until stop_members waits for it).
all_alive() {
    local pid state
    for pid in "${PIDS[@]}"; do
        state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || state=""
        [[ -n $state && $state != [ZX] ]] || return 1
    done
}

# A load's total, scaled: n BASE.
n() { awk -v b="$1" -v s="$SCALE" 'BEGIN { v = int(b * s + 0.5); print (v < 10 ? 10 : v) }'; }

VALUE=$(head -c 256 /dev/zero | tr '\0' v)
# prefill KIND ENDPOINT: what a load reads must exist; "key": one key with a 256-byte value, "range100": 100
# keys with 256-byte values under the prefix bench-range/ (one transaction).
prefill() {
    local kind=$1 endpoint=$2 i ops="" count
    case $kind in
        none) ;;
        key) gateway "$endpoint" /v3/kv/put "{\"key\":\"$(b64 bench-key)\",\"value\":\"$(b64 "$VALUE")\"}" >/dev/null ;;
        range100)
            for ((i = 0; i < 100; i++)); do
                ops+="${ops:+,}{\"request_put\":{\"key\":\"$(b64 "$(printf 'bench-range/%03d' "$i")")\",\"value\":\"$(b64 "$VALUE")\"}}"
            done
            gateway "$endpoint" /v3/kv/txn "{\"success\":[$ops]}" >/dev/null
            count=$(gateway "$endpoint" /v3/kv/range \
                "{\"key\":\"$(b64 bench-range/)\",\"range_end\":\"$(b64 bench-range0)\",\"count_only\":true}" |
                grep -o '"count":"[0-9]*"' | grep -o '[0-9][0-9]*') || count=0
            [[ $count == 100 ]] || { echo "prefill of 100 keys left $count keys" >&2; return 1; }
            ;;
    esac
}

# measure SIZE NAME PREFILL TARGET OPS BENCHMARK-ARGS...: one load on a fresh cluster of each implementation,
# BENCH_REPEATS rounds, interleaved. TARGET: "leader" (only the leader's endpoint) or "all" (every member, the
# followers first: the tool hands connections out round-robin, so one connection goes to a follower). OPS: the
# operations the run performs (events delivered, for watch), for CPU per operation. Records, per run, a line
# "SIZE NAME IMPL ROUND ops_per_sec=.. p99_ms=.. cpu_us_per_op=.. errors=..".
measure() {
    local size=$1 name=$2 kind=$3 target=$4 ops=$5 round impl binary label endpoints before after switches rc out
    shift 5
    [[ -z $ONLY || "${size}m $name" =~ $ONLY ]] || return 0
    for ((round = 1; round <= REPEATS; round++)); do
        local order="ours etcd"
        ((round % 2 == 0)) && order="etcd ours"
        for impl in $order; do
            binary=$OURS
            [[ $impl == etcd ]] && binary=$GO_ETCD
            label=$impl-${size}m-$name-$round
            start_cluster "$binary" "$size" "$label"
            endpoints=$FOLLOWERS_FIRST
            [[ $target == leader ]] && endpoints=$LEADER
            [[ $target == follower ]] && endpoints=${FOLLOWERS_FIRST%%,*}
            prefill "$kind" "$LEADER" || { KEEP_DATA=1; exit 1; }
            sleep "$SETTLE"
            out=$WORK/$label.out
            before=$(cpu_ticks)
            switches=$(ctx_switches)
            rc=0
            timeout 600 "$BENCH" --precise --endpoints "$endpoints" "$@" >"$out" 2>&1 || rc=$?
            after=$(cpu_ticks)
            switches=$(($(ctx_switches) - switches))
            all_alive || rc=died # a member that exits during the load spoils the run
            stop_members
            [[ ${KEEP_DATA:-0} == 1 ]] || rm -rf "$WORK/$label"-m*
            # The last summary is the one of the load (watch prints the watch creation summary first).
            awk -v rc="$rc" -v ops="$ops" -v ticks=$((after - before)) -v switches="$switches" -v hz="$CLK_TCK" \
                -v line="$size $name $impl $round" '
                /Requests\/sec:/ { rps = $NF }
                /99% in/ { p99 = $3 * 1000 }
                /Error distribution:/ { inerr = 1; next }
                inerr && /^ *\[[0-9]+\]/ { match($0, /[0-9]+/); errors += substr($0, RSTART, RLENGTH) }
                END {
                    if (rc != "0" && errors == 0) errors = rc == "died" ? "member-died" : "exit" rc
                    printf "%s ops_per_sec=%s p99_ms=%s cpu_us_per_op=%.1f switches_per_op=%.2f errors=%s\n", line,
                        rps == "" ? "-" : rps, p99 == "" ? "-" : sprintf("%.3f", p99), ticks * 1e6 / hz / ops, switches / ops,
                        errors == "" ? 0 : errors
                }' "$out" | tee -a "$RESULTS" >&2
            [[ ${KEEP_DATA:-0} == 1 ]] || rm -f "$out"
        done
    done
}

# Puts use the tool's default 8-byte keys, random over 100,000, with 256-byte values; ranges read one key with a
# 256-byte value (or 100 such keys), prefilled through the JSON gateway before the run and outside the CPU
# figures. Connections: 1 for 1 client, 4 for 16, 8 for 64 (as in compare-with-etcd.sh).
# Totals at BENCH_SCALE=1 are sized for about 3-5 s per run on a 2-core machine where one member does about
# 2,000 sequential puts/s and 10,000-30,000 ranges/s with 64 clients.
V=(--val-size 256 --key-space-size 100000)
started=$SECONDS
echo "== results: size name impl round (one line per run); work directory $WORK" >&2
DISK_BEFORE=$(durable_appends_per_second)

t=$(n 8000) && measure 1 put-1 none all "$t" --clients 1 --conns 1 put --total "$t" "${V[@]}"
t=$(n 30000) && measure 1 put-16 none all "$t" --clients 16 --conns 4 put --total "$t" "${V[@]}"
t=$(n 50000) && measure 1 put-64 none all "$t" --clients 64 --conns 8 put --total "$t" "${V[@]}"
t=$(n 20000) && measure 1 txn-put-16 none all "$t" --clients 16 --conns 4 txn-put --total "$t" "${V[@]}"
t=$(n 10000) && measure 1 range-lin-1 key all "$t" --clients 1 --conns 1 range bench-key --consistency l --total "$t"
t=$(n 40000) && measure 1 range-lin-16 key all "$t" --clients 16 --conns 4 range bench-key --consistency l --total "$t"
t=$(n 60000) && measure 1 range-lin-64 key all "$t" --clients 64 --conns 8 range bench-key --consistency l --total "$t"
t=$(n 10000) && measure 1 range-ser-1 key all "$t" --clients 1 --conns 1 range bench-key --consistency s --total "$t"
t=$(n 40000) && measure 1 range-ser-16 key all "$t" --clients 16 --conns 4 range bench-key --consistency s --total "$t"
t=$(n 60000) && measure 1 range-ser-64 key all "$t" --clients 64 --conns 8 range bench-key --consistency s --total "$t"
t=$(n 10000) && measure 1 range100-lin-16 range100 all "$t" \
    --clients 16 --conns 4 range bench-range/ bench-range0 --consistency l --total "$t"
# Watch events delivered per second: `benchmark watch` with one stream carrying 100 watchers of one key while
# 16 clients put to that key (as fast as they can; the tool's puts carry the value "data", it has no --val-size),
# so every put is delivered 100 times on the stream. Its "Watch events received summary" counts received events
# and its Requests/sec is events per second from the first put to the last event. Its latencies time only the
# hand-over of an already received event, so the table leaves the p99 out. `watch-latency` is not used: it
# puts one key at a time at --put-rate (100/s by default) and waits until each put's event arrives, so its
# Requests/sec is the rate it is told, and what it measures is put-to-event latency.
t=$(n 10000) && measure 1 watch-1x100 none all $((t * 100)) --clients 16 --conns 4 \
    watch --streams 1 --watch-per-stream 100 --watched-key-total 1 --put-total "$t" --put-rate 100000000
t=$(n 4000) && measure 3 put-1 none leader "$t" --clients 1 --conns 1 put --total "$t" "${V[@]}"
t=$(n 15000) && measure 3 put-16 none leader "$t" --clients 16 --conns 4 put --total "$t" "${V[@]}"
t=$(n 30000) && measure 3 put-64 none leader "$t" --clients 64 --conns 8 put --total "$t" "${V[@]}"
t=$(n 5000) && measure 3 range-lin-1 key all "$t" --clients 1 --conns 1 range bench-key --consistency l --total "$t"
# One client's read through each kind of member, apart: what a read-index round adds on the leader (a heartbeat
# round) and on a follower (its request to the leader, that round, the answer), over a serializable read there.
t=$(n 5000) && measure 3 range-lin-1-leader key leader "$t" --clients 1 --conns 1 range bench-key --consistency l --total "$t"
t=$(n 5000) && measure 3 range-ser-1-leader key leader "$t" --clients 1 --conns 1 range bench-key --consistency s --total "$t"
t=$(n 5000) && measure 3 range-lin-1-follower key follower "$t" --clients 1 --conns 1 range bench-key --consistency l --total "$t"
t=$(n 5000) && measure 3 range-ser-1-follower key follower "$t" --clients 1 --conns 1 range bench-key --consistency s --total "$t"
t=$(n 30000) && measure 3 range-lin-16 key all "$t" --clients 16 --conns 4 range bench-key --consistency l --total "$t"
t=$(n 50000) && measure 3 range-lin-64 key all "$t" --clients 64 --conns 8 range bench-key --consistency l --total "$t"

DISK_AFTER=$(durable_appends_per_second)
echo "== $((SECONDS - started)) s; BENCH_SCALE=$SCALE BENCH_REPEATS=$REPEATS" >&2

# The table: medians over the rounds. Ratio: ours/Go throughput, above 1 ours is faster.
awk -v repeats="$REPEATS" -v disk_before="$DISK_BEFORE" -v disk_after="$DISK_AFTER" '
    function median(list,   a, k, t, i, j) {
        k = split(list, a, " ")
        if (k == 0) return ""
        for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    function fmt(v, p) { return v == "" ? "-" : sprintf(p, v) }
    {
        key = $1 "m " $2
        if (!(key in seen)) { seen[key] = 1; order[++rows] = key }
        for (i = 5; i <= NF; i++) {
            split($i, kv, "=")
            if (kv[1] == "errors") { if (kv[2] != "0") { bad[key, $3] = 1; warnings = warnings "warning: " $0 "\n" } continue }
            if (kv[2] != "-") values[key, $3, kv[1]] = values[key, $3, kv[1]] " " kv[2]
        }
    }
    END {
        printf "| %-18s | %11s | %11s | %6s | %-17s | %-19s | %-21s |\n", "load", "ours ops/s", "Go ops/s", "ratio", "p99 ms ours / Go", \
            "CPU us/op ours / Go", "switches/op ours / Go"
        printf "|%s|%s|%s|%s|%s|%s|%s|\n", "--------------------", "-------------", "-------------", "--------", "-------------------", \
            "---------------------", "-----------------------"
        for (r = 1; r <= rows; r++) {
            key = order[r]
            o = median(values[key, "ours", "ops_per_sec"]); g = median(values[key, "etcd", "ops_per_sec"])
            ratio = (o == "" || g == "" || g == 0) ? "n/a" : sprintf("%.2f", o / g)
            if (key ~ /watch/) p99 = "- / -" # the watch run times only the hand-over of received events
            else p99 = fmt(median(values[key, "ours", "p99_ms"]), "%.2f") " / " fmt(median(values[key, "etcd", "p99_ms"]), "%.2f")
            cpu = fmt(median(values[key, "ours", "cpu_us_per_op"]), "%.1f") " / " fmt(median(values[key, "etcd", "cpu_us_per_op"]), "%.1f")
            switches = fmt(median(values[key, "ours", "switches_per_op"]), "%.2f") " / " fmt(median(values[key, "etcd", "switches_per_op"]), "%.2f")
            printf "| %-18s | %11s | %11s | %6s | %-17s | %-19s | %-21s |\n", key, fmt(o, "%.0f") (bad[key, "ours"] ? "!" : ""),
                fmt(g, "%.0f") (bad[key, "etcd"] ? "!" : ""), ratio, p99, cpu, switches
        }
        printf "\nmedians of %d round(s); ratio = ours/Go ops/s (> 1: ours faster); watch-1x100: events delivered/s; CPU and context switches: all members, per op (per event for watch); !: a run had errors\n", repeats
        printf "%s", warnings
        printf "the disk: %d durable 4 KiB appends/s before the loads, %d after (one client'"'"'s put waits for one)\n", disk_before, disk_after
    }
' "$RESULTS"
