#!/usr/bin/env bash
# Makes a Docker engine and the Debian base image available for the distribution tests (run as root):
# starts dockerd when none answers (machines without systemd as PID 1), then, when DEBIAN_IMAGE (default
# debian:bookworm-slim) is neither present nor pullable (no Docker Hub), builds it with debootstrap from
# Debian's archive and imports it under that name. Exits non-zero, saying why, when either cannot be done.
set -euo pipefail
image=${DEBIAN_IMAGE:-debian:bookworm-slim}
log=${DOCKERD_LOG:-/var/log/dockerd.log}

if ! docker info >/dev/null 2>&1; then
    nohup dockerd >"$log" 2>&1 &
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    if ! docker info >/dev/null 2>&1; then
        echo "the Docker engine did not start; the end of $log:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
fi

if ! docker image inspect "$image" >/dev/null 2>&1 && ! timeout 60 docker pull --quiet "$image" >/dev/null 2>&1; then
    rootfs=$(mktemp -d)
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
    # What the slim image leaves out: package lists, documentation, locales other than C.
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/usr/share/doc/* \
        "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
    tar -C "$rootfs" -c . | docker import --change 'CMD ["bash"]' - "$image" >/dev/null
    echo "made $image with debootstrap ($(docker image inspect --format '{{.Size}}' "$image") bytes)"
fi
