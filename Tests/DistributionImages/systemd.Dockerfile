# A Debian bookworm machine booting systemd as PID 1, for SystemdUnitTests: the units of contrib/systemd and
# the image's program are installed into it by the test, as README.md's systemd section says.
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd systemd-sysv liblmdb0 \
    && rm -rf /var/lib/apt/lists/* \
    && systemctl mask getty.target console-getty.service systemd-udevd.service systemd-modules-load.service \
        systemd-remount-fs.service sys-kernel-config.mount sys-kernel-debug.mount
STOPSIGNAL SIGRTMIN+3
CMD ["/sbin/init"]
