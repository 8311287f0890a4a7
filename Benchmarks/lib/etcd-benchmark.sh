# Shared by the scripts that drive etcd's own load generator against our member and Go etcd 3.4 (source it after
# members.sh, with the repository as the working directory; NAME is the work directory's prefix): the three
# binaries, their checks, a work directory with RESULTS in it, and a cleanup that stops the members.
#
# ETCD_SWIFT_BIN: the directory holding our `etcd` (default .build/release). GO_ETCD: Go etcd's binary (default
# /usr/bin/etcd). ETCD_BENCHMARK: the `benchmark` binary (default .build/etcd-benchmark/benchmark). KEEP_DATA=1
# keeps the work directory.
BIN_DIR=${ETCD_SWIFT_BIN:-.build/release}
OURS=$BIN_DIR/etcd
GO_ETCD=${GO_ETCD:-/usr/bin/etcd}
BENCH=${ETCD_BENCHMARK:-.build/etcd-benchmark/benchmark}
[[ -x $OURS ]] || { echo "missing $OURS (build with: swift build -c release)" >&2; exit 1; }
[[ -x $GO_ETCD ]] || { echo "missing $GO_ETCD (install Debian's etcd-server)" >&2; exit 1; }
[[ -x $BENCH ]] || { echo "missing $BENCH (build it with: bash Benchmarks/build-etcd-benchmark.sh)" >&2; exit 1; }
for tool in curl ss base64; do
    command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

# Go etcd 3.4 refuses to start on architectures other than amd64 unless told to.
case $(uname -m) in
    x86_64) ;;
    aarch64) export ETCD_UNSUPPORTED_ARCH=arm64 ;;
    *) export ETCD_UNSUPPORTED_ARCH=$(uname -m) ;;
esac

WORK=$(mktemp -d "/tmp/$NAME.XXXXXX")
RESULTS=$WORK/results.txt
: >"$RESULTS"
cleanup() {
    stop_members
    if [[ ${KEEP_DATA:-0} == 1 ]]; then echo "data, logs and results kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
