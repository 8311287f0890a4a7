#!/usr/bin/env bash
# Runs the same gRPC load against our `etcd` and Go etcd 3.4 (Debian `etcd-server`) on this machine, on a
# one-member and a three-member loopback cluster each, and prints a table of ours, theirs and the ratio.
#
#   swift build -c release && bash Benchmarks/compare-with-etcd.sh
#
# ETCD_SWIFT_BIN: the directory holding our `etcd` and `LoadGenerator` (default .build/release).
# GO_ETCD: Go etcd's binary (default /usr/bin/etcd). KEEP_DATA=1 keeps the data directories and logs.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/members.sh

BIN_DIR=${ETCD_SWIFT_BIN:-.build/release}
OURS=$BIN_DIR/etcd
LOADGEN=$BIN_DIR/LoadGenerator
GO_ETCD=${GO_ETCD:-/usr/bin/etcd}
for binary in "$OURS" "$LOADGEN" "$GO_ETCD"; do
    [[ -x $binary ]] || { echo "missing $binary (build with: swift build -c release)" >&2; exit 1; }
done

# Go etcd 3.4 refuses to start on architectures other than amd64 unless told to.
case $(uname -m) in
    x86_64) ;;
    aarch64) export ETCD_UNSUPPORTED_ARCH=arm64 ;;
    *) export ETCD_UNSUPPORTED_ARCH=$(uname -m) ;;
esac

WORK=$(mktemp -d /tmp/etcd-compare.XXXXXX)
RESULTS=$WORK/results.txt

cleanup() {
    stop_members
    if [[ ${KEEP_DATA:-0} == 1 ]]; then echo "data and logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_cluster BINARY SIZE LABEL: starts SIZE members, sets ENDPOINTS (comma-separated) and PIDS.
start_cluster() {
    launch_members "$@"
    local label=$3 endpoint deadline=$((SECONDS + 30))
    for endpoint in ${ENDPOINTS//,/ }; do
        until curl -fs "http://$endpoint/health" | grep -q '"health":"true"'; do
            ((SECONDS < deadline)) || { echo "$label: $endpoint not healthy in 30 s; see $WORK/$label-*.log" >&2; KEEP_DATA=1; exit 1; }
            sleep 0.2
        done
    done
}

# load IMPL SIZE NAME LOADGEN-FLAGS...: runs one load and records its ops/s, p99 and errors.
load() {
    local impl=$1 size=$2 name=$3 line
    shift 3
    line=$(timeout 300 "$LOADGEN" --endpoints "$ENDPOINTS" --key-size 16 --value-size 256 "$@") || line="errors=all"
    echo "$size $impl $name $line" | tee -a "$RESULTS" >&2
}

# Resident memory of each member in MiB, recorded as rss_total and rss_m1..
record_memory() {
    local impl=$1 size=$2 i total=0 kib
    for i in "${!PIDS[@]}"; do
        kib=$(awk '/^VmRSS:/ {print $2}' "/proc/${PIDS[i]}/status")
        total=$((total + kib))
        echo "$size $impl rss_m$((i + 1)) mib=$((kib / 1024))" | tee -a "$RESULTS" >&2
    done
    echo "$size $impl rss_total mib=$((total / 1024))" | tee -a "$RESULTS" >&2
}

for size in 1 3; do
    for impl in ours etcd; do
        binary=$OURS
        [[ $impl == etcd ]] && binary=$GO_ETCD
        echo "== $impl, $size member(s): $binary" >&2
        start_cluster "$binary" "$size" "$impl-$size"
        load "$impl" "$size" put1 --op put --clients 1 --connections 1 --total 2000 --key-space 100000
        load "$impl" "$size" put16 --op put --clients 16 --connections 4 --total 10000 --key-space 100000
        load "$impl" "$size" put64 --op put --clients 64 --connections 8 --total 20000 --key-space 100000
        load "$impl" "$size" range-lin --op range --clients 64 --connections 8 --total 20000 --key-space 1
        load "$impl" "$size" range-ser --op range --clients 64 --connections 8 --total 20000 --key-space 1 --serializable
        load "$impl" "$size" fill --op put --clients 64 --connections 8 --total 100000 --key-space 100000 --sequential-keys
        sleep 2 # let batched commits and compactions settle before reading memory
        record_memory "$impl" "$size"
        if ((size == 1)); then
            load "$impl" "$size" scrape --op scrape --watchers 10000 --connections 100 --clients 8 --total 50
        fi
        stop_members
    done
done

# The table: for throughput the ratio is ours/etcd, for latency and memory etcd/ours; above 1 ours is better.
awk '
    { for (i = 4; i <= NF; i++) { split($i, kv, "="); value[$1, $2, $3, kv[1]] = kv[2] } ; sizes[$1] = 1 }
    $0 ~ /errors=([1-9]|all)/ { warnings = warnings sprintf("warning: %s member(s), %s, %s: %s\n", $1, $2, $3, $0) }
    function row(size, label, name, field, higherIsBetter,   ours, theirs, ratio) {
        ours = value[size, "ours", name, field]; theirs = value[size, "etcd", name, field]
        if (ours == "" || theirs == "" || ours == 0 || theirs == 0) ratio = "n/a"
        else ratio = sprintf("%.2f", higherIsBetter ? ours / theirs : theirs / ours)
        printf "| %-38s | %10s | %10s | %6s |\n", label, ours, theirs, ratio
    }
    END {
        for (size = 1; size <= 3; size += 2) {
            if (!(size in sizes)) continue
            printf "\n%d-member cluster (ratio > 1: ours is better; ours/etcd for throughput, etcd/ours otherwise)\n\n", size
            printf "| %-38s | %10s | %10s | %6s |\n", "metric", "ours", "etcd 3.4", "ratio"
            printf "|%s|%s|%s|%s|\n", "----------------------------------------", "------------", "------------", "--------"
            row(size, "put, 1 client (ops/s)", "put1", "ops_per_sec", 1)
            row(size, "put, 16 clients (ops/s)", "put16", "ops_per_sec", 1)
            row(size, "put, 64 clients (ops/s)", "put64", "ops_per_sec", 1)
            row(size, "range linearizable, 64 clients (ops/s)", "range-lin", "ops_per_sec", 1)
            row(size, "range serializable, 64 clients (ops/s)", "range-ser", "ops_per_sec", 1)
            row(size, "put p99, 1 client (ms)", "put1", "p99_ms", 0)
            row(size, "put p99, 16 clients (ms)", "put16", "p99_ms", 0)
            row(size, "put p99, 64 clients (ms)", "put64", "p99_ms", 0)
            row(size, "range lin. p99, 64 clients (ms)", "range-lin", "p99_ms", 0)
            row(size, "range ser. p99, 64 clients (ms)", "range-ser", "p99_ms", 0)
            row(size, "RSS after 100k keys, all members (MiB)", "rss_total", "mib", 0)
            if (size == 1) {
                row(size, "scrape p50, 10k watchers, 100k keys (ms)", "scrape", "scrape_p50_ms", 0)
                row(size, "scrape p99, 10k watchers, 100k keys (ms)", "scrape", "scrape_p99_ms", 0)
                row(size, "put p99, 8 clients, no scrapes (ms)", "scrape", "put_p99_ms_quiet", 0)
                row(size, "put p99, 8 clients, scraping (ms)", "scrape", "put_p99_ms_scraping", 0)
            }
            for (m = 1; m <= size; m++) row(size, "RSS after 100k keys, m" m " (MiB)", "rss_m" m, "mib", 0)
        }
        printf "%s", warnings
    }
' "$RESULTS"
