# meshready as a container image, for the in-cluster CronJob (`meshready manifests`) and CI.
#   docker build -t registry.example.com/meshready:0.1.0 .
#   docker run --rm -u "$(id -u)" -v "$PWD:/work" -w /work registry.example.com/meshready:0.1.0 \
#     scan --snapshot snapshot --output-dir meshready-report
# (the working directory mounted at /work, so reports name the snapshot's files as ./snapshot/…)
# The image only reads: it needs no capabilities and runs with a read-only root filesystem.

# Build stage: compile the TypeScript with the dev dependencies.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY rules ./rules
COPY scripts/copy-bash.ts ./scripts/
RUN npm run build

# Runtime stage: production dependencies and the compiled code only.
FROM node:24-slim
LABEL org.opencontainers.image.title="meshready" \
      org.opencontainers.image.description="Read-only readiness scanner for GKE clusters moving from the Istio on GKE add-on to Istio 1.6 / ASM" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY templates ./templates
COPY schemas ./schemas
RUN chmod 0755 bin/meshready.js && ln -s /app/bin/meshready.js /usr/local/bin/meshready
# Numeric, so Kubernetes can check runAsNonRoot (the `node` user of the base image).
USER 1000:1000
ENTRYPOINT ["meshready"]
CMD ["--help"]
