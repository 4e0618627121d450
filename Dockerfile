# One image for every role of Autokeeper; the command picks it (see docker-compose.yml):
#   indexer and API:  npx ponder start --schema autokeeper   (replicas: npx ponder serve --schema autokeeper)
#   executor:         npm run executor [-- --role scheduler|worker]
#   one-off tools:    npm run deploy | grant-worker -- <address> | queue -- stats | workflow -- …
FROM node:20-bookworm-slim

WORKDIR /app
ENV PONDER_TELEMETRY_DISABLED=true
# Everything runs as the unprivileged node user: Ponder writes .ponder/ and generated/ in the app
# directory, and the deploy tool writes the addresses to /deployments (a volume the roles share).
RUN chown node:node /app && mkdir /deployments && chown node:node /deployments
USER node

# Dependencies first, so a source change reuses this layer. Dev dependencies stay: Ponder loads the
# TypeScript config and handlers itself, and the contract tools run with tsx. The one exception is the
# Chromium the browser tests bring (70 MB): nothing in the image runs it.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && rm -rf node_modules/@sparticuz && npm cache clean --force

COPY --chown=node:node . .
# The executor and its tools run compiled JavaScript (dist/), built once here.
RUN npm run build

# Ponder's API and explorer; the executor's /metrics and /health.
EXPOSE 42069 9464
CMD ["npm", "run", "executor"]
