# Prometheus from Debian's package, for machines that cannot pull prom/prometheus (no Docker Hub): build it
# with `docker build -f compose/local/prometheus.Dockerfile -t etcd-compose/prometheus:local compose/local`
# and add compose/local/images.yml to the compose command. It runs as the upstream image does: as nobody,
# data in /prometheus, the arguments given by the compose file.
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -o nobody -g nogroup /prometheus
USER nobody
VOLUME /prometheus
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
