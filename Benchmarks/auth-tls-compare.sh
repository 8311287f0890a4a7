#!/usr/bin/env bash
# The figures of TLS and auth, ours against Go etcd 3.4 (Debian `etcd-server`) on this machine, one member
# each, the same client (LoadGenerator through EtcdClient) for both:
#   - put and linearizable range throughput over TLS (client certificates, 16 and 64 clients);
#   - what auth costs per request (simple tokens, a user whose role grants a prefix): throughput and the
#     member's CPU time per request, auth off and on;
#   - Authenticate's rate at --bcrypt-cost 10, and one other client's range latency meanwhile.
#
#   swift build -c release && bash Benchmarks/auth-tls-compare.sh
#
# ETCD_SWIFT_BIN: the directory holding our `etcd` and `LoadGenerator` (default .build/release).
# GO_ETCD, GO_ETCDCTL: Go's binaries (default /usr/bin/etcd, /usr/bin/etcdctl). KEEP_DATA=1 keeps logs.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib/members.sh

BIN_DIR=${ETCD_SWIFT_BIN:-.build/release}
OURS=$BIN_DIR/etcd
LOADGEN=$BIN_DIR/LoadGenerator
GO_ETCD=${GO_ETCD:-/usr/bin/etcd}
ETCDCTL=${GO_ETCDCTL:-/usr/bin/etcdctl}
for binary in "$OURS" "$LOADGEN" "$GO_ETCD" "$ETCDCTL"; do
    [[ -x $binary ]] || { echo "missing $binary (build with: swift build -c release)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/etcd-auth-tls.XXXXXX)
RESULTS=$WORK/results.txt
PID=""
cleanup() {
    [[ -n $PID ]] && { kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
    if [[ ${KEEP_DATA:-0} == 1 ]]; then echo "logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl.
make_pki() {
    local dir=$WORK/pki
    mkdir -p "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 30 \
        -subj /CN=bench-ca -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >"$dir/ext"
    for name in server client; do
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$name" 2>/dev/null
        openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 30 \
            -out "$dir/$name.crt" -extfile "$dir/ext" 2>/dev/null
    done
}

# start BINARY LABEL SCHEME EXTRA-FLAGS...: one member; sets PID and ENDPOINT.
start() {
    local binary=$1 label=$2 scheme=$3 client peer
    shift 3
    free_port && client=$PORT
    free_port && peer=$PORT
    "$binary" --name "$label" --data-dir "$WORK/$label" --listen-client-urls "$scheme://127.0.0.1:$client" \
        --advertise-client-urls "$scheme://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
        --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "$label=http://127.0.0.1:$peer" "$@" \
        >"$WORK/$label.log" 2>&1 &
    PID=$!
    ENDPOINT=$scheme://127.0.0.1:$client
    local deadline=$((SECONDS + 30))
    until ctl endpoint health >/dev/null 2>&1; do
        ((SECONDS < deadline)) || { echo "$label not healthy; see $WORK/$label.log" >&2; KEEP_DATA=1; exit 1; }
        sleep 0.2
    done
}

stop() {
    kill -TERM "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=""
}

ctl() {
    local tls=()
    [[ $ENDPOINT == https* ]] && tls=(--cacert "$WORK/pki/ca.crt" --cert "$WORK/pki/client.crt" --key "$WORK/pki/client.key")
    ETCDCTL_API=3 "$ETCDCTL" --endpoints "$ENDPOINT" "${tls[@]}" "$@"
}

# The member's user + system CPU time so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }

# load IMPL NAME LOADGEN-FLAGS...: one load, recorded with the member's CPU microseconds per request.
load() {
    local impl=$1 name=$2 line before after ok
    shift 2
    before=$(cpu_ticks)
    line=$(timeout 300 "$LOADGEN" --endpoints "$ENDPOINT" --key-size 16 --value-size 256 --library "$@") || line="errors=all"
    after=$(cpu_ticks)
    ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$line")
    local tick_us=$((1000000 / $(getconf CLK_TCK)))
    echo "$impl $name $line cpu_us_per_op=$(awk -v t=$((after - before)) -v n="${ok:-0}" -v u=$tick_us 'BEGIN { printf "%.1f", n ? t * u / n : 0 }')" \
        | tee -a "$RESULTS" >&2
}

make_pki
TLS=(--cacert "$WORK/pki/ca.crt" --cert "$WORK/pki/client.crt" --key "$WORK/pki/client.key")
for impl in ours etcd; do
    binary=$OURS
    [[ $impl == etcd ]] && binary=$GO_ETCD
    echo "== $impl over TLS: $binary" >&2
    start "$binary" "$impl-tls" https --cert-file "$WORK/pki/server.crt" --key-file "$WORK/pki/server.key" \
        --trusted-ca-file "$WORK/pki/ca.crt" --client-cert-auth
    load "$impl" tls-put16 --op put --clients 16 --connections 4 --total 10000 --key-space 100000 "${TLS[@]}"
    load "$impl" tls-put64 --op put --clients 64 --connections 8 --total 20000 --key-space 100000 "${TLS[@]}"
    load "$impl" tls-range16 --op range --clients 16 --connections 4 --total 20000 --key-space 1 "${TLS[@]}"
    load "$impl" tls-range64 --op range --clients 64 --connections 8 --total 40000 --key-space 1 "${TLS[@]}"
    stop

    echo "== $impl with auth: $binary" >&2
    start "$binary" "$impl-auth" http --bcrypt-cost 10
    ctl put 0000000000000000 v >/dev/null
    load "$impl" off-put16 --op put --clients 16 --connections 4 --total 10000 --key-space 100000
    load "$impl" off-range16 --op range --clients 16 --connections 4 --total 20000 --key-space 1
    load "$impl" off-range1 --op range --clients 1 --connections 1 --total 3000 --key-space 1
    for command in "user add root:rootpw" "user add bench:benchpw" "role add bench" \
        "role grant-permission bench readwrite 0 --prefix" "user grant-role bench bench" "auth enable"; do
        # shellcheck disable=SC2086
        ctl $command >/dev/null
    done
    load "$impl" on-put16 --op put --clients 16 --connections 4 --total 10000 --key-space 100000 --user bench:benchpw
    load "$impl" on-range16 --op range --clients 16 --connections 4 --total 20000 --key-space 1 --user bench:benchpw
    load "$impl" on-range1 --op range --clients 1 --connections 1 --total 3000 --key-space 1 --user bench:benchpw
    # Authenticate at bcrypt cost 10 from 4 clients while one client reads.
    "$LOADGEN" --endpoints "$ENDPOINT" --op authenticate --clients 4 --connections 4 --total 120 --user bench:benchpw \
        >"$WORK/$impl-authenticate.txt" &
    authenticating=$!
    sleep 1
    load "$impl" busy-range1 --op range --clients 1 --connections 1 --total 3000 --key-space 1 --user bench:benchpw
    wait "$authenticating"
    echo "$impl authenticate $(cat "$WORK/$impl-authenticate.txt")" | tee -a "$RESULTS" >&2
    stop
done

awk '
    { for (i = 3; i <= NF; i++) { split($i, kv, "="); value[$1, $2, kv[1]] = kv[2] } }
    $0 ~ /errors=([1-9]|all)/ { warnings = warnings sprintf("warning: %s\n", $0) }
    function row(label, name, field, higherIsBetter,   ours, theirs, ratio) {
        ours = value["ours", name, field]; theirs = value["etcd", name, field]
        if (ours == "" || theirs == "" || ours == 0 || theirs == 0) ratio = "n/a"
        else ratio = sprintf("%.2f", higherIsBetter ? ours / theirs : theirs / ours)
        printf "| %-46s | %10s | %10s | %6s |\n", label, ours, theirs, ratio
    }
    END {
        printf "\nTLS and auth, one member (ratio > 1: ours is better)\n\n"
        printf "| %-46s | %10s | %10s | %6s |\n", "metric", "ours", "etcd 3.4", "ratio"
        printf "|%s|%s|%s|%s|\n", "------------------------------------------------", "------------", "------------", "--------"
        row("TLS put, 16 clients (ops/s)", "tls-put16", "ops_per_sec", 1)
        row("TLS put, 64 clients (ops/s)", "tls-put64", "ops_per_sec", 1)
        row("TLS range linearizable, 16 clients (ops/s)", "tls-range16", "ops_per_sec", 1)
        row("TLS range linearizable, 64 clients (ops/s)", "tls-range64", "ops_per_sec", 1)
        row("put, 16 clients, auth off (ops/s)", "off-put16", "ops_per_sec", 1)
        row("put, 16 clients, auth on (ops/s)", "on-put16", "ops_per_sec", 1)
        row("range, 16 clients, auth off (ops/s)", "off-range16", "ops_per_sec", 1)
        row("range, 16 clients, auth on (ops/s)", "on-range16", "ops_per_sec", 1)
        row("member CPU per put, auth off (us)", "off-put16", "cpu_us_per_op", 0)
        row("member CPU per put, auth on (us)", "on-put16", "cpu_us_per_op", 0)
        row("member CPU per range, auth off (us)", "off-range16", "cpu_us_per_op", 0)
        row("member CPU per range, auth on (us)", "on-range16", "cpu_us_per_op", 0)
        row("Authenticate, cost 10, 4 clients (ops/s)", "authenticate", "ops_per_sec", 1)
        row("range p99, 1 client, quiet (ms)", "on-range1", "p99_ms", 0)
        row("range p99, 1 client, while authenticating (ms)", "busy-range1", "p99_ms", 0)
        printf "%s", warnings
    }
' "$RESULTS"
