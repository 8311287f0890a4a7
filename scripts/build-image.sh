#!/usr/bin/env bash
# Builds the container image: compiles the multi-call program (etcd, etcdctl and etcd-ops) in release mode,
# strips it into .build/image/etcd and runs `docker build`. Usage: scripts/build-image.sh [TAG]
# (default etcd-swift:latest). DEBIAN_IMAGE names another base than debian:bookworm-slim.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${1:-etcd-swift:latest}
swift build -c release --product etcd-multicall
mkdir -p .build/image
strip -o .build/image/etcd .build/release/etcd-multicall
docker build --quiet ${DEBIAN_IMAGE:+--build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE"} --tag "$tag" .
echo "built $tag: $(docker image inspect --format '{{.Size}}' "$tag") bytes"
