/** The OpenAPI description of every REST route; /openapi.json serves it and /docs renders it. */
const id = { name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[0-9]+$" } };
const limit = { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 25 } };
const cursor = {
  name: "cursor",
  in: "query",
  description: "nextCursor from the previous page",
  schema: { type: "string" },
};
const errors = {
  "400": {
    description: "Malformed input",
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  },
  "404": {
    description: "Not found",
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  },
};
const ok = (description: string) => ({ description, content: { "application/json": {} } });

export const openapi = {
  openapi: "3.1.0",
  info: {
    title: "Autokeeper API",
    version: "0.1.0",
    description:
      "Status and history of Autokeeper workflows, block-explorer style. JSON; bigints are decimal strings; addresses are accepted in any case. GraphQL is at /graphql and SQL over HTTP at /sql.",
  },
  paths: {
    "/api/workflows": {
      get: {
        summary: "List workflows, newest first",
        parameters: [
          { name: "owner", in: "query", schema: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } },
          { name: "status", in: "query", schema: { enum: ["ACTIVE", "PAUSED", "CANCELLED", "COMPLETED"] } },
          { name: "trigger", in: "query", schema: { enum: ["TIME", "CONDITION"] } },
          limit,
          cursor,
        ],
        responses: { "200": ok("{ items: Workflow[], nextCursor }"), ...errors },
      },
    },
    "/api/workflows/{id}": {
      get: {
        summary: "A workflow: spec, on-chain status, next due time, balance, counts, last run and live queue state",
        parameters: [id],
        responses: {
          "200": ok("Workflow with queue: { state, jobId, attempts, txHash, lastError, underpriced }"),
          ...errors,
        },
      },
    },
    "/api/workflows/{id}/executions": {
      get: {
        summary: "Run history of a workflow, newest first",
        parameters: [id, limit, cursor],
        responses: { "200": ok("{ items: Execution[], nextCursor }"), ...errors },
      },
    },
    "/api/tx/{hash}": {
      get: {
        summary: "Every run, skip, lifecycle event and escrow movement in a transaction",
        parameters: [
          { name: "hash", in: "path", required: true, schema: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } },
        ],
        responses: { "200": ok("{ hash, blockNumber, executions, skips, events, escrow }"), ...errors },
      },
    },
    "/api/address/{address}": {
      get: {
        summary: "Workflows owned, worker record, balances and escrow movements of an address",
        parameters: [
          { name: "address", in: "path", required: true, schema: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } },
        ],
        responses: { "200": ok("{ address, workflows, balances, worker, forwarderOf, escrow }"), ...errors },
      },
    },
    "/api/due": {
      get: {
        summary: "Active workflows due by `horizon` that can pay a run (what the scheduler reads), soonest first",
        parameters: [
          { name: "horizon", in: "query", required: true, schema: { type: "string", pattern: "^[0-9]+$" } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 10_000, default: 10_000 } },
        ],
        responses: { "200": ok("{ items: DueWorkflow[] }"), ...errors },
      },
    },
    "/api/stats": {
      get: {
        summary: "Totals, success rate, runs in the last hour and day, lateness p50/p95, queue depth",
        parameters: [],
        responses: { "200": ok("Stats") },
      },
    },
  },
  components: {
    schemas: {
      Error: {
        type: "object",
        properties: {
          error: {
            type: "object",
            properties: { code: { type: "string" }, message: { type: "string" } },
            required: ["code", "message"],
          },
        },
      },
    },
  },
} as const;
