# dcgan-server and dcganctl on Debian 12. Build with BuildKit (Debian's
# docker 20.10: DOCKER_BUILDKIT=1 docker build -t dcgan .); apt downloads and
# ccache persist in cache mounts, so a source change rebuilds only what
# changed and reinstalls no package.

FROM debian:bookworm AS build
# Keep downloaded .debs: /var/cache/apt is a cache mount.
RUN rm -f /etc/apt/apt.conf.d/docker-clean && \
    echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-debs
COPY deploy/install-deps.sh /src/deploy/install-deps.sh
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    bash /src/deploy/install-deps.sh --build
COPY . /src
# A torch translation unit takes ~1.5 GiB to compile.
ARG BUILD_JOBS=2
WORKDIR /src
RUN --mount=type=cache,target=/root/.cache/ccache \
    CCACHE_DIR=/root/.cache/ccache CCACHE_MAXSIZE=2G \
    cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DDCGAN_BUILD_TESTS=OFF && \
    cmake --build /build -j "${BUILD_JOBS}" --target dcgan-server dcganctl && \
    mkdir -p /out/bin && \
    cp /build/server/dcgan-server /build/client/dcganctl /out/bin/ && \
    deploy/runtime-packages.sh /out/bin/* > /out/runtime-packages.txt

FROM debian:bookworm-slim
RUN rm -f /etc/apt/apt.conf.d/docker-clean && \
    echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-debs
COPY --from=build /out/runtime-packages.txt /tmp/runtime-packages.txt
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      $(cat /tmp/runtime-packages.txt) dataset-fashion-mnist && \
    update-alternatives --quiet --set libblas.so.3-x86_64-linux-gnu \
      /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 && \
    useradd --system --uid 10001 --home-dir /var/lib/dcgan --create-home dcgan && \
    mkdir -p /var/lib/dcgan/checkpoints && chown -R dcgan: /var/lib/dcgan
COPY --from=build /out/bin/ /usr/local/bin/
USER dcgan
WORKDIR /var/lib/dcgan
# Jobs (SQLite when alone) and checkpoints; a shared volume for checkpoints
# goes at /var/lib/dcgan/checkpoints (it takes this folder's owner).
VOLUME /var/lib/dcgan
# gRPC, Prometheus /metrics, the haproxy agent (when --haproxy_agent_listen)
EXPOSE 50051 9464 9465
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["dcganctl", "--server=127.0.0.1:50051", "--timeout=4", "health"]
# SIGTERM drains: NOT_SERVING (for --drain_delay_ms, still serving), calls
# in flight finish, running jobs checkpoint and go back to the queue. Give it
# longer than --drain_delay_ms plus --drain_seconds (docker stop -t, compose
# stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["dcgan-server", "--listen=0.0.0.0:50051", "--state_dir=/var/lib/dcgan"]
