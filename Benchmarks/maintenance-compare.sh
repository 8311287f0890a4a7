#!/usr/bin/env bash
# Times the maintenance operations an operator runs (etcdctl snapshot save, defrag) against our `etcd` and
# Go etcd 3.4 (Debian `etcd-server`) on this machine, each a one-member loopback cluster holding the same
# data: KEYS keys of VALUE bytes, all overwritten once and compacted, so half the file is free pages.
# Prints a table of ours, theirs and the ratio (ours / theirs; below 1 is better for times and sizes).
#
#   swift build -c release --product etcd --product LoadGenerator && bash Benchmarks/maintenance-compare.sh
#
# ETCD_SWIFT_BIN: directory with our `etcd` and `LoadGenerator` (default .build/release). GO_ETCD: Go etcd's
# binary (default /usr/bin/etcd). KEYS (default 100000) and VALUE (default 512) size the data.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN_DIR=${ETCD_SWIFT_BIN:-.build/release}
GO_ETCD=${GO_ETCD:-/usr/bin/etcd}
KEYS=${KEYS:-100000}
VALUE=${VALUE:-512}
for binary in "$BIN_DIR/etcd" "$BIN_DIR/LoadGenerator" "$GO_ETCD" /usr/bin/etcdctl; do
    [[ -x $binary ]] || { echo "missing $binary" >&2; exit 1; }
done
[[ $(uname -m) == x86_64 ]] || export ETCD_UNSUPPORTED_ARCH=$(uname -m)
export ETCDCTL_API=3

WORK=$(mktemp -d /tmp/etcd-maintenance.XXXXXX)
PID=
cleanup() {
    [[ -n $PID ]] && kill -KILL "$PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Seconds since the epoch with nanoseconds, for timing one command.
now() { date +%s.%N; }

db_size() {
    etcdctl --endpoints="$1" endpoint status -w json | grep -o '"dbSize":[0-9]*' | grep -o '[0-9]*$'
}

# measure NAME BINARY: prints "NAME snapshot_seconds snapshot_bytes defrag_seconds size_before size_after".
measure() {
    local name=$1 binary=$2 port=$((23000 + RANDOM % 2000)) dir=$WORK/$1
    local client=http://127.0.0.1:$port peer=http://127.0.0.1:$((port + 1)) endpoint=127.0.0.1:$port
    mkdir -p "$dir"
    "$binary" --name m --data-dir "$dir/data" --listen-client-urls "$client" --advertise-client-urls "$client" \
        --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "m=$peer" \
        >"$dir/log" 2>&1 &
    PID=$!
    for _ in $(seq 100); do etcdctl --endpoints="$endpoint" endpoint health >/dev/null 2>&1 && break; sleep 0.1; done
    for _ in 1 2; do
        "$BIN_DIR/LoadGenerator" --endpoints "$endpoint" --op put --clients 32 --connections 4 --total "$KEYS" \
            --key-space "$KEYS" --value-size "$VALUE" --sequential-keys >/dev/null
    done
    local revision
    revision=$(etcdctl --endpoints="$endpoint" endpoint status -w json | grep -o '"revision":[0-9]*' | grep -o '[0-9]*$')
    etcdctl --endpoints="$endpoint" compact "$revision" --physical >/dev/null
    local start end snapshot_seconds snapshot_bytes before defrag_seconds after
    start=$(now)
    etcdctl --endpoints="$endpoint" snapshot save "$dir/snapshot.db" >/dev/null 2>&1
    end=$(now)
    snapshot_seconds=$(awk "BEGIN { print $end - $start }")
    snapshot_bytes=$(stat -c %s "$dir/snapshot.db")
    before=$(db_size "$endpoint")
    start=$(now)
    etcdctl --endpoints="$endpoint" defrag --command-timeout=300s >/dev/null
    end=$(now)
    defrag_seconds=$(awk "BEGIN { print $end - $start }")
    after=$(db_size "$endpoint")
    kill -TERM "$PID"
    wait "$PID" 2>/dev/null || true
    PID=
    echo "$name $snapshot_seconds $snapshot_bytes $defrag_seconds $before $after"
}

read -r _ our_snap_s our_snap_b our_defrag_s our_before our_after < <(measure ours "$BIN_DIR/etcd")
read -r _ go_snap_s go_snap_b go_defrag_s go_before go_after < <(measure go "$GO_ETCD")

ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }
printf '%s keys of %s bytes, overwritten once, compacted\n' "$KEYS" "$VALUE"
printf '%-28s %14s %14s %8s\n' "" "ours" "Go etcd 3.4" "ratio"
printf '%-28s %14.3f %14.3f %8s\n' "snapshot save (s)" "$our_snap_s" "$go_snap_s" "$(ratio "$our_snap_s" "$go_snap_s")"
printf '%-28s %14d %14d %8s\n' "snapshot file (bytes)" "$our_snap_b" "$go_snap_b" "$(ratio "$our_snap_b" "$go_snap_b")"
printf '%-28s %14d %14d %8s\n' "db size before defrag" "$our_before" "$go_before" "$(ratio "$our_before" "$go_before")"
printf '%-28s %14.3f %14.3f %8s\n' "defrag (s)" "$our_defrag_s" "$go_defrag_s" "$(ratio "$our_defrag_s" "$go_defrag_s")"
printf '%-28s %14d %14d %8s\n' "db size after defrag" "$our_after" "$go_after" "$(ratio "$our_after" "$go_after")"
