# syntax=docker/dockerfile:1
#
# Search Gateway image: one self-contained executable (`dist/gateway`, Swagger UI assets embedded) on
# debian-slim, run as a non-root user. The same image also runs the reference backends:
#   docker run IMAGE reference users --host 0.0.0.0 --port 8081
# Build:  docker build -t search-gateway:0.1.0 --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) .
# See docs/deploy.md. tests/deploy/image.test.ts replays the build stage's steps by hand (no Docker engine in CI).
#
# Base images are pinned by release tag; for reproducible builds pin them by digest as well
# (FROM node:20-bookworm-slim@sha256:...) and let a bot such as Renovate keep the digests current.
ARG NODE_IMAGE=node:20-bookworm-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim

# --- build: the same `npm ci && npm run build` as CI (bun arrives as an npm dev dependency) -----------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
# swagger-ui-dist's analytics postinstall stays quiet; npm prints no funding/audit noise.
ENV SCARF_ANALYTICS=false NPM_CONFIG_UPDATE_NOTIFIER=false
# Dependencies first, so this layer is reused until the lockfile changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# Only what the compile needs is in the context (.dockerignore is an allowlist).
COPY . .
RUN npm run build

# --- runtime: the binary alone ---------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="search-gateway" \
      org.opencontainers.image.description="Search Gateway: the authenticated, plan-aware front door of a product search service" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
# ca-certificates: the system trust store (/etc/ssl/certs) beside the roots Bun bundles, for TLS backends
# (rediss://, https://, grpcs://). A private CA: NODE_EXTRA_CA_CERTS=/path/to/ca.pem for https:// and rediss://,
# GRPC_DEFAULT_SSL_ROOTS_FILE_PATH=/path/to/ca.pem for grpcs:// (grpc-js does not read the former).
# No other tools are needed: the health check is the binary itself.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 gateway \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin gateway
# Owned by root and read-only: the process (uid 10001) can run the binary but not replace it.
COPY --from=build --chown=0:0 --chmod=0555 /src/dist/gateway /usr/local/bin/gateway
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
# The working directory stays /, which the user cannot write: nothing is written at run time.
USER 10001:10001
ENV GATEWAY_HOST=0.0.0.0 GATEWAY_PORT=8080
# 8080: the API (GATEWAY_PORT). 9090: /metrics when GATEWAY_ADMIN_PORT=9090 (the compose file and the
# Kubernetes manifests set it); without GATEWAY_ADMIN_PORT, /metrics is served on 8080.
EXPOSE 8080 9090
# `gateway healthcheck` asks http://127.0.0.1:$GATEWAY_PORT/healthz (liveness: no backend calls).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["gateway", "healthcheck"]
# SIGTERM starts the drain: /readyz says 503, requests in flight finish (GATEWAY_DRAIN_TIMEOUT_MS), exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["gateway"]
CMD ["serve"]
