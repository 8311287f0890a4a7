# The etcd image: etcd, etcdctl and etcd-ops (one program with the Swift runtime linked in, under three names)
# on an empty base with only the C libraries it loads, running as user 10001. Build it with
# scripts/build-image.sh, which compiles the program into .build/image/ first; the base image is a build
# argument (a locally made Debian bookworm image can stand in for the public one).
ARG DEBIAN_IMAGE=debian:bookworm-slim

FROM ${DEBIAN_IMAGE} AS runtime
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends liblmdb0 \
    && rm -rf /var/lib/apt/lists/*
COPY .build/image/etcd /rootfs/usr/local/bin/etcd
# The program's shared libraries as the loader finds them here, the two other names, the user, the data and
# backup directories.
RUN set -eu; \
    ldd /rootfs/usr/local/bin/etcd | awk '$2 == "=>" { print $3 } $1 ~ /^\// { print $1 }' | sort -u > /libraries; \
    while read -r library; do cp -L --parents "$library" /rootfs/; done < /libraries; \
    ln -s etcd /rootfs/usr/local/bin/etcdctl; \
    ln -s etcd /rootfs/usr/local/bin/etcd-ops; \
    mkdir -p /rootfs/etc /rootfs/tmp /rootfs/var/lib/etcd /rootfs/var/backups/etcd; \
    printf 'passwd: files\ngroup: files\nhosts: files dns\n' > /rootfs/etc/nsswitch.conf; \
    echo 'etcd:x:10001:10001:etcd:/var/lib/etcd:/sbin/nologin' > /rootfs/etc/passwd; \
    echo 'etcd:x:10001:' > /rootfs/etc/group; \
    chown 10001:10001 /rootfs/var/lib/etcd /rootfs/var/backups/etcd; \
    chmod 700 /rootfs/var/lib/etcd; \
    chmod 1777 /rootfs/tmp

FROM scratch
ARG VERSION=3.5.17
COPY --from=runtime /rootfs/ /
# The program finds every library it needs here.
RUN ["/usr/local/bin/etcd", "--version"]
LABEL org.opencontainers.image.title="etcd" \
      org.opencontainers.image.description="etcd v3 member, etcdctl and etcd-ops, written in Swift" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.base.name="scratch"
# Listens on every address of the container; a cluster sets the rest (names, advertised URLs, the initial
# cluster) through ETCD_* variables, as compose/docker-compose.yml does.
ENV ETCD_DATA_DIR=/var/lib/etcd \
    ETCD_LISTEN_CLIENT_URLS=http://0.0.0.0:2379 \
    ETCD_ADVERTISE_CLIENT_URLS=http://127.0.0.1:2379 \
    ETCD_LISTEN_PEER_URLS=http://0.0.0.0:2380 \
    ETCD_LISTEN_METRICS_URLS=http://0.0.0.0:2381
USER 10001:10001
VOLUME /var/lib/etcd
EXPOSE 2379 2380 2381
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["etcd-ops", "health"]
ENTRYPOINT ["/usr/local/bin/etcd"]
