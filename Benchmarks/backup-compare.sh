#!/usr/bin/env bash
# etcd-ops backup against `etcdctl snapshot save` of the same data, one run: KEYS keys (default 1,000,000) of
# JSON-like documents of about VALUE bytes (default 1024; LoadGenerator --json-values), about 1 GiB of
# database, on a one-member loopback cluster of ours. Prints for `etcdctl snapshot save` and for
# `etcd-ops backup` at --compression none and zlib levels 1, 6 and 9: wall time, time / snapshot save's,
# file size, compression ratio (snapshot bytes / file bytes), throughput (snapshot MB per second) and the
# tool's peak resident memory.
#
#   swift build -c release --product etcd --product etcdctl --product etcd-ops --product LoadGenerator
#   bash Benchmarks/backup-compare.sh
#
# ETCD_SWIFT_BIN: directory with our binaries (default .build/release).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN_DIR=${ETCD_SWIFT_BIN:-.build/release}
KEYS=${KEYS:-1000000}
VALUE=${VALUE:-1024}
for binary in "$BIN_DIR/etcd" "$BIN_DIR/etcdctl" "$BIN_DIR/etcd-ops" "$BIN_DIR/LoadGenerator" /usr/bin/time; do
    [[ -x $binary ]] || { echo "missing $binary" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/etcd-backup-compare.XXXXXX)
PID=
cleanup() {
    if [[ -n $PID ]]; then
        kill -KILL "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

port=$((27000 + RANDOM % 2000))
endpoint=127.0.0.1:$port
"$BIN_DIR/etcd" --name m --data-dir "$WORK/data" --listen-client-urls "http://$endpoint" --advertise-client-urls "http://$endpoint" \
    --listen-peer-urls "http://127.0.0.1:$((port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
    --initial-cluster "m=http://127.0.0.1:$((port + 1))" --quota-backend-bytes 8589934592 >"$WORK/log" 2>&1 &
PID=$!
for _ in $(seq 100); do "$BIN_DIR/etcdctl" --endpoints="$endpoint" endpoint health >/dev/null 2>&1 && break; sleep 0.1; done
echo "loading $KEYS JSON-like values of about $VALUE bytes (this takes a few minutes)"
"$BIN_DIR/LoadGenerator" --endpoints "$endpoint" --op put --clients 64 --connections 8 --total "$KEYS" --key-space "$KEYS" \
    --key-size 16 --value-size "$VALUE" --sequential-keys --json-values >"$WORK/load"
sleep 2

# timed NAME COMMAND...: runs the command under /usr/bin/time; prints "seconds peak_kib".
timed() {
    local name=$1
    shift
    /usr/bin/time -f "%e %M" -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>&1 || { cat "$WORK/$name.out" >&2; exit 1; }
    cat "$WORK/$name.time"
}

read -r save_s save_kib < <(timed save "$BIN_DIR/etcdctl" --endpoints="$endpoint" snapshot save "$WORK/snapshot.db")
snapshot_bytes=$(stat -c %s "$WORK/snapshot.db")
printf '%-34s %9s %7s %14s %7s %9s %9s\n' "(database $((snapshot_bytes / 1048576)) MiB)" seconds "x save" "file bytes" ratio "MB/s" "peak MiB"
row() {
    awk -v n="$1" -v s="$2" -v base="$save_s" -v f="$3" -v raw="$snapshot_bytes" -v k="$4" \
        'BEGIN { printf "%-34s %9.2f %7.2f %14d %7.2f %9.1f %9.1f\n", n, s, s / base, f, raw / f, raw / 1e6 / s, k / 1024 }'
}
row "etcdctl snapshot save" "$save_s" "$snapshot_bytes" "$save_kib"
for setting in "none" "zlib 1" "zlib 6" "zlib 9"; do
    read -r kind level <<<"$setting"
    dir="$WORK/backups-$kind-${level:-0}"
    mkdir -p "$dir"
    flags=(--compression "$kind")
    [[ -n ${level:-} ]] && flags+=(--level "$level")
    read -r seconds kib < <(timed "backup-$kind-${level:-0}" "$BIN_DIR/etcd-ops" backup --endpoints "$endpoint" --dir "$dir" "${flags[@]}")
    file=$(ls "$dir"/etcd-backup-*.db* | grep -v '\.json$')
    row "etcd-ops backup $setting" "$seconds" "$(stat -c %s "$file")" "$kib"
done
