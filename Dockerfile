# The Readiness Gates GitHub App (src/app). Build: `docker build -t readiness-gates-app .`
# Run: `docker run -p 3000:3000 -e APP_ID -e PRIVATE_KEY -e WEBHOOK_SECRET readiness-gates-app`.
# The app reads repositories through the GitHub API only; nothing from a pull request is ever executed.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the parsers are WASM, so the tree-sitter packages' native builds are not needed
# (and `prepare` would build before the sources are copied).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/app-manifest.ts ./scripts/
# Every package is a devDependency (the npm package is the bundled CLI and declares none); the script moves
# the ones the App imports into `dependencies` here, in the build stage only, so the prune keeps exactly them.
RUN npm run build && npx tsx scripts/app-manifest.ts --write && npm prune --omit=dev --ignore-scripts

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    METRICS_PORT=9464
WORKDIR /app
# Owned by root and read-only for the app's user: the process cannot modify its own code.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY --from=build /app/package.json ./
COPY app.yml ./
USER node
# 3000: webhooks and probes (GitHub must reach it). 9464: /metrics and probes, for Prometheus only.
EXPOSE 3000 9464
# Liveness only: /livez depends on nothing but this process, and node (not curl) is in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form, node as PID 1: SIGTERM reaches the app, which drains and finishes running evaluations.
# With REDIS_URL, run replicas by role: `node build/app/index.js web` or `node build/app/index.js worker`.
CMD ["node", "build/app/index.js"]
