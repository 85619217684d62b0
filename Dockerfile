# syntax=docker/dockerfile:1.7
# RADAR image: every component (planner, aggregator, scorer, web, watch) is `./radar <command>`.
#
#   docker compose build                                      # both images, named as in .env (RADAR_IMAGE, RADAR_GPU_IMAGE)
#   docker build -t "$RADAR_IMAGE" .                          # CPU: libtorch comes from the Maven natives jar
#   docker build -t "$RADAR_GPU_IMAGE" \                      # GPU scorers (see below)
#     --build-arg RUNTIME_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04 --build-arg TORCH_FLAVOR=cu128 .
# Push both to the registry named in .env and deploy/k8s/kustomization.yaml (the one place for image references).
#
# GPU: Maven Central has no CUDA natives jar for libtorch 2.7.1 (pytorch-native-cu124 stops at 2.5.1), so with
# TORCH_FLAVOR != cpu the build stage lets DJL fetch the CUDA libtorch of the same version once, into the image's
# DJL cache; containers then start offline. Run GPU scorers with -D scoring.device=gpu (RADAR_SCORING_DEVICE=gpu)
# and the NVIDIA container toolkit (compose: deploy.resources.reservations.devices; k8s: nvidia.com/gpu).
# This GPU path could not be exercised where the project is developed (no Docker engine, no GPU).

ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre-jammy

FROM ${BUILD_IMAGE} AS build
ARG TORCH_FLAVOR=cpu
WORKDIR /src
# Dependencies first: they change far less often than the sources and stay in the layer cache.
COPY pom.xml .
RUN --mount=type=cache,target=/root/.m2 mvn -B -q dependency:go-offline -DexcludeGroupIds=dev.radar || true
COPY schemas schemas
COPY src src
RUN --mount=type=cache,target=/root/.m2 mvn -B -q package -DskipTests
ENV DJL_CACHE_DIR=/opt/djl
# Unpack (cpu) or fetch (cuXXX) libtorch now, so that containers never unpack ~450 MB or go online at start.
RUN printf 'public class Warm { public static void main(String[] a) { System.out.println(ai.djl.engine.Engine.getEngine("PyTorch").getVersion()); } }\n' > /tmp/Warm.java \
 && PYTORCH_FLAVOR=${TORCH_FLAVOR} java -Dai.djl.offline=$([ "${TORCH_FLAVOR}" = cpu ] && echo true || echo false) \
      -cp "target/classes:target/lib/*" /tmp/Warm.java \
 && ls -d /opt/djl/pytorch/*

FROM ${RUNTIME_IMAGE}
ARG TORCH_FLAVOR=cpu
# CUDA base images carry no Java.
RUN if ! command -v java >/dev/null 2>&1; then \
      apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless bash \
      && rm -rf /var/lib/apt/lists/*; fi \
 && groupadd --system --gid 10001 radar \
 && useradd --system --uid 10001 --gid 10001 --create-home --home-dir /opt/radar radar \
 && mkdir -p /var/lib/radar/aggregator && chown -R radar:radar /var/lib/radar
# /var/lib/radar/aggregator: the aggregator's state dir (RADAR_AGGREGATOR_STATE_DIR in compose and k8s), created
# here owned by radar so that a fresh volume mounted there starts writable (k8s adds fsGroup 10001 for the same).
WORKDIR /opt/radar
COPY --from=build /src/target/lib target/lib
COPY --from=build /src/target/classes target/classes
COPY --from=build --chown=radar /opt/djl /opt/djl
COPY --chmod=755 radar ./radar
ENV DJL_CACHE_DIR=/opt/djl \
    PYTORCH_FLAVOR=${TORCH_FLAVOR} \
    RADAR_JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" \
    RADAR_WEB_BIND=0.0.0.0 \
    RADAR_WEB_PORT=8080
USER radar
# 8080: each component's one HTTP server (health, /metrics; the aggregator also the page and API), on all
# interfaces in a container, so the aggregator needs RADAR_WEB_TOKEN (it refuses to start without it).
EXPOSE 8080
ENTRYPOINT ["./radar"]
CMD ["--help"]
