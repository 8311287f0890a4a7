#!/usr/bin/env bash
# Snapshot save and restore of the same data on our `etcd` and on Go etcd 3.4 (Debian `etcd-server`), one
# run, side by side: KEYS keys (default 1,000,000) of VALUE bytes (default 256) loaded into a one-member
# loopback cluster of each, then
#   - `etcdctl snapshot save` (Go etcdctl 3.4 for both members, so the client is the same): wall time, and
#     the member's resident memory growth while it streams (VmRSS and RssAnon from /proc, sampled every
#     50 ms; RssAnon leaves out the file pages the backend's memory map brings in);
#   - `snapshot restore` of the snapshot: Go etcdctl 3.4 restoring Go's file, ours restoring ours, and
#     ours restoring Go's (the migration path);
#   - `snapshot status` of both files by Go etcdctl, to show they hold the same number of keys.
# Prints ours, Go's and the ratio (ours / Go's; below 1 is better).
#
#   swift build -c release --product etcd --product etcdctl --product LoadGenerator
#   bash Benchmarks/snapshot-compare.sh
#
# ETCD_SWIFT_BIN: directory with our `etcd`, `etcdctl` and `LoadGenerator` (default .build/release).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN_DIR=${ETCD_SWIFT_BIN:-.build/release}
GO_ETCD=${GO_ETCD:-/usr/bin/etcd}
GO_ETCDCTL=${GO_ETCDCTL:-/usr/bin/etcdctl}
KEYS=${KEYS:-1000000}
VALUE=${VALUE:-256}
for binary in "$BIN_DIR/etcd" "$BIN_DIR/etcdctl" "$BIN_DIR/LoadGenerator" "$GO_ETCD" "$GO_ETCDCTL"; do
    [[ -x $binary ]] || { echo "missing $binary" >&2; exit 1; }
done
export ETCDCTL_API=3

WORK=$(mktemp -d /tmp/etcd-snapshot-compare.XXXXXX)
PID=
# measure runs in a subshell, so the members it starts are also listed here for the cleanup of this shell.
PIDS=$WORK/pids
cleanup() {
    [[ -f $PIDS ]] && while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$PIDS"
    rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk "BEGIN { printf \"%.2f\", $2 - $1 }"; }
status_field() { grep -o "^$2:[[:space:]]*[0-9]*" "/proc/$1/status" | grep -o '[0-9]*$'; }

# sample_rss PID OUT: writes "VmRSS RssAnon" (KiB) every 50 ms to OUT until the process is gone or killed.
sample_rss() {
    while [[ -e /proc/$1 ]]; do
        echo "$(status_field "$1" VmRSS) $(status_field "$1" RssAnon)" >>"$2" 2>/dev/null || true
        sleep 0.05
    done
}

# measure NAME BINARY: loads the data, saves a snapshot; prints "save_seconds rss_growth_mib anon_growth_mib".
measure() {
    local name=$1 binary=$2 port=$((21000 + RANDOM % 3000)) dir=$WORK/$1
    local client=http://127.0.0.1:$port peer=http://127.0.0.1:$((port + 1)) endpoint=127.0.0.1:$port
    mkdir -p "$dir"
    "$binary" --name m --data-dir "$dir/data" --listen-client-urls "$client" --advertise-client-urls "$client" \
        --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "m=$peer" \
        --quota-backend-bytes 8589934592 >"$dir/log" 2>&1 &
    PID=$!
    echo "$PID" >>"$PIDS"
    for _ in $(seq 100); do "$GO_ETCDCTL" --endpoints="$endpoint" endpoint health >/dev/null 2>&1 && break; sleep 0.1; done
    "$BIN_DIR/LoadGenerator" --endpoints "$endpoint" --op put --clients 64 --connections 8 --total "$KEYS" \
        --key-space "$KEYS" --key-size 16 --value-size "$VALUE" --sequential-keys >"$dir/load" 2>&1
    sleep 2
    local before before_anon start end samples=$dir/rss
    before=$(status_field "$PID" VmRSS)
    before_anon=$(status_field "$PID" RssAnon)
    sample_rss "$PID" "$samples" &
    local sampler=$!
    start=$(now)
    "$GO_ETCDCTL" --endpoints="$endpoint" snapshot save "$dir/snapshot.db" >"$dir/save.log" 2>&1
    end=$(now)
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    local peak peak_anon
    peak=$(awk 'BEGIN { m = 0 } { if ($1 > m) m = $1 } END { print m }' "$samples")
    peak_anon=$(awk 'BEGIN { m = 0 } { if ($2 > m) m = $2 } END { print m }' "$samples")
    kill -TERM "$PID"
    wait "$PID" 2>/dev/null || true
    PID=
    echo "$(elapsed "$start" "$end") $(awk "BEGIN { printf \"%.1f\", ($peak - $before) / 1024 }") $(awk "BEGIN { printf \"%.1f\", ($peak_anon - $before_anon) / 1024 }")"
}

# restore_time TOOL FILE TARGET [ARGS...]: seconds for a restore of FILE into TARGET.
restore_time() {
    local tool=$1 file=$2 target=$3
    shift 3
    local start end
    start=$(now)
    "$tool" snapshot restore "$file" --data-dir "$target" "$@" >"$target.log" 2>&1
    end=$(now)
    elapsed "$start" "$end"
}

keys_of() { "$GO_ETCDCTL" snapshot status "$1" -w json 2>/dev/null | grep -o '"totalKey":[0-9]*' | grep -o '[0-9]*$'; }

echo "loading $KEYS keys of $VALUE bytes into each member (this takes a few minutes)" >&2
read -r ours_save ours_rss ours_anon < <(measure ours "$BIN_DIR/etcd")
read -r go_save go_rss go_anon < <(measure go "$GO_ETCD")
sync
go_restore=$(restore_time "$GO_ETCDCTL" "$WORK/go/snapshot.db" "$WORK/go-restored")
ours_restore=$(restore_time "$BIN_DIR/etcdctl" "$WORK/ours/snapshot.db" "$WORK/ours-restored")
cross_restore=$(restore_time "$BIN_DIR/etcdctl" "$WORK/go/snapshot.db" "$WORK/cross-restored")

ratio() { awk "BEGIN { if ($2 == 0) print \"-\"; else printf \"%.2f\", $1 / $2 }"; }
printf '%-44s %12s %12s %8s\n' "measure ($KEYS keys x $VALUE B)" ours "Go 3.4" ratio
printf '%-44s %12s %12s %8s\n' "snapshot save, seconds" "$ours_save" "$go_save" "$(ratio "$ours_save" "$go_save")"
printf '%-44s %12s %12s %8s\n' "member VmRSS growth while streaming, MiB" "$ours_rss" "$go_rss" "-"
printf '%-44s %12s %12s %8s\n' "member RssAnon growth while streaming, MiB" "$ours_anon" "$go_anon" "-"
printf '%-44s %12s %12s %8s\n' "snapshot file, bytes" "$(stat -c %s "$WORK/ours/snapshot.db")" "$(stat -c %s "$WORK/go/snapshot.db")" \
    "$(ratio "$(stat -c %s "$WORK/ours/snapshot.db")" "$(stat -c %s "$WORK/go/snapshot.db")")"
printf '%-44s %12s %12s %8s\n' "keys in the file (Go's snapshot status)" "$(keys_of "$WORK/ours/snapshot.db")" "$(keys_of "$WORK/go/snapshot.db")" "-"
printf '%-44s %12s %12s %8s\n' "snapshot restore of own file, seconds" "$ours_restore" "$go_restore" "$(ratio "$ours_restore" "$go_restore")"
printf '%-44s %12s %12s %8s\n' "snapshot restore of Go's file, seconds" "$cross_restore" "$go_restore" "$(ratio "$cross_restore" "$go_restore")"
