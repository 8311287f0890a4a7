#!/usr/bin/env bash
# Rolling replacement of all three members of a cluster with `etcd-ops member replace`, on our `etcd` and on
# Go etcd 3.4 (Debian `etcd-server`), one run, side by side: a three-member loopback cluster of each (default
# heartbeat and election timeouts), a client putting a key every 10 ms through every endpoint (LoadGenerator
# --op paced, EtcdClient), and m1, m2, m3 replaced in turn by m4, m5, m6, each new member started from the
# environment file etcd-ops writes. Prints the total time of the three replacements, the longest gap between
# two acknowledged puts, and the puts acknowledged and failed; ratios are ours / Go's (below 1 is better).
#
#   swift build -c release --product etcd-ops --product LoadGenerator && swift build -c release --product etcd
#   bash Benchmarks/replace-compare.sh
#
# ETCD_SWIFT_BIN: directory with our `etcd`, `etcd-ops` and `LoadGenerator` (default .build/release).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN_DIR=${ETCD_SWIFT_BIN:-.build/release}
GO_ETCD=${GO_ETCD:-/usr/bin/etcd}
for binary in "$BIN_DIR/etcd" "$BIN_DIR/etcd-ops" "$BIN_DIR/LoadGenerator" "$GO_ETCD"; do
    [[ -x $binary ]] || { echo "missing $binary" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/etcd-replace-compare.XXXXXX)
# Every process started, one pid per line: replace_all runs in a subshell, so an array would not reach
# the cleanup of this shell.
PIDS=$WORK/pids
cleanup() {
    [[ -f $PIDS ]] && while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$PIDS"
    rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk "BEGIN { printf \"%.2f\", $2 - $1 }"; }

# replace_all NAME BINARY: prints "total_seconds longest_gap_ms ok errors" for a rolling replacement.
replace_all() {
    local name=$1 binary=$2 dir=$WORK/$1 base=$((20000 + RANDOM % 4000))
    mkdir -p "$dir"
    local -a client peer pid
    local cluster="" endpoints=""
    for i in 1 2 3 4 5 6; do
        client[i]=http://127.0.0.1:$((base + 2 * i))
        peer[i]=http://127.0.0.1:$((base + 2 * i + 1))
        endpoints+="${endpoints:+,}127.0.0.1:$((base + 2 * i))"
        [[ $i -le 3 ]] && cluster+="${cluster:+,}m$i=${peer[i]}"
    done
    for i in 1 2 3; do
        "$binary" --name "m$i" --data-dir "$dir/m$i" --listen-client-urls "${client[i]}" --advertise-client-urls "${client[i]}" \
            --listen-peer-urls "${peer[i]}" --initial-advertise-peer-urls "${peer[i]}" --initial-cluster "$cluster" \
            --initial-cluster-token "bench-$name" >"$dir/m$i.log" 2>&1 &
        pid[i]=$!
        echo "${pid[i]}" >>"$PIDS"
    done
    local current="127.0.0.1:$((base + 2)),127.0.0.1:$((base + 4)),127.0.0.1:$((base + 6))"
    for _ in $(seq 100); do
        "$BIN_DIR/etcd-ops" status --endpoints "$current" >/dev/null 2>&1 && break
        sleep 0.1
    done
    "$BIN_DIR/LoadGenerator" --endpoints "$endpoints" --op paced --interval-ms 10 --until-file "$dir/stop" >"$dir/paced" 2>&1 &
    local writer=$!
    echo "$writer" >>"$PIDS"
    sleep 1
    local start end
    start=$(now)
    for i in 1 2 3; do
        local new=$((i + 3))
        "$BIN_DIR/etcd-ops" member replace --endpoints "$current" --old "m$i" --new-name "m$new" --new-peer-url "${peer[new]}" \
            --new-client-url "${client[new]}" --env-file "$dir/m$new.env" --journal "$dir/journal" --wait-timeout 120s \
            >"$dir/replace-$i.log" 2>&1 &
        local ops=$!
        while [[ ! -f $dir/m$new.env ]] && kill -0 "$ops" 2>/dev/null; do sleep 0.01; done
        if [[ -f $dir/m$new.env ]]; then
            env $(cat "$dir/m$new.env") "$binary" --data-dir "$dir/m$new" --listen-client-urls "${client[new]}" \
                --listen-peer-urls "${peer[new]}" >"$dir/m$new.log" 2>&1 &
            pid[new]=$!
            echo "${pid[new]}" >>"$PIDS"
        fi
        wait "$ops" || { echo "replacing m$i failed:" >&2; cat "$dir/replace-$i.log" >&2; exit 1; }
        for _ in $(seq 100); do kill -0 "${pid[i]}" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "${pid[i]}" 2>/dev/null || true
        current=$(echo "$current" | sed "s/127.0.0.1:$((base + 2 * i))/127.0.0.1:$((base + 2 * new))/")
    done
    end=$(now)
    sleep 1
    touch "$dir/stop"
    wait "$writer"
    for i in 4 5 6; do kill -TERM "${pid[i]}" 2>/dev/null || true; done
    for i in 4 5 6; do wait "${pid[i]}" 2>/dev/null || true; done
    local line
    line=$(cat "$dir/paced")
    field() { echo "$line" | grep -o "$1=[0-9.]*" | cut -d= -f2; }
    echo "$(elapsed "$start" "$end") $(field longest_gap_ms) $(field ok) $(field errors)"
}

ratio() { awk "BEGIN { if ($2 == 0) print \"-\"; else printf \"%.2f\", $1 / $2 }"; }
read -r ours_total ours_gap ours_ok ours_errors < <(replace_all ours "$BIN_DIR/etcd")
read -r go_total go_gap go_ok go_errors < <(replace_all go "$GO_ETCD")
printf '%-52s %10s %10s %8s\n' "rolling replacement of 3 members (etcd-ops)" ours "Go 3.4" ratio
printf '%-52s %10s %10s %8s\n' "total time of the three replacements, seconds" "$ours_total" "$go_total" "$(ratio "$ours_total" "$go_total")"
printf '%-52s %10s %10s %8s\n' "longest gap between acknowledged puts, ms" "$ours_gap" "$go_gap" "$(ratio "$ours_gap" "$go_gap")"
printf '%-52s %10s %10s %8s\n' "puts acknowledged (one every 10 ms)" "$ours_ok" "$go_ok" "-"
printf '%-52s %10s %10s %8s\n' "puts failed" "$ours_errors" "$go_errors" "-"
