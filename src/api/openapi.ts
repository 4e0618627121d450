/** The OpenAPI description of every REST route; /openapi.json serves it and /docs renders it. */
import { CHECKER_NAMES, STATUS_NAMES, TRIGGER_NAMES } from "../../lib/spec.js";

const id = { name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[0-9]+$" } };
const limit = { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 25 } };
const cursor = {
  name: "cursor",
  in: "query",
  description: "nextCursor from the previous page",
  schema: { type: "string" },
};
/** A list's chain filter. */
const chainId = {
  name: "chainId",
  in: "query",
  description: "only this chain (one of GET /api/chains); every chain when left out",
  schema: { type: "integer" },
};
/** A workflow's chain: workflow ids are per chain. */
const workflowChainId = {
  name: "chainId",
  in: "query",
  description:
    "the workflow's chain. Left out: the only chain when one is configured; with several, the one chain that has this id, else 400 chain_id_required",
  schema: { type: "integer" },
};
/** The scheduler's chain: its due set is one chain's. */
const dueChainId = {
  name: "chainId",
  in: "query",
  description:
    "the chain whose due work to read: required when several chains are configured (else 400 chain_id_required)",
  schema: { type: "integer" },
};
const chainIdField = { type: "integer", description: "the chain the row is on" } as const;
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
/** What a signed subscription request can be refused with. */
const signedErrors = {
  ...errors,
  "401": {
    description: "bad_signature (not the owner's) or expired (the deadline passed)",
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  },
  "409": {
    description: "replayed (the message's nonce was used) or too_many (5 subscriptions per workflow)",
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  },
};
const ok = (description: string, schema?: string) => ({
  description,
  content: { "application/json": schema ? { schema: { $ref: `#/components/schemas/${schema}` } } : {} },
});
const hex = { type: "string", pattern: "^0x[0-9a-fA-F]*$" } as const;
const nullableHex = { type: ["string", "null"], pattern: "^0x[0-9a-fA-F]*$" } as const;
const decimal = { type: "string", pattern: "^[0-9]+$", description: "a bigint as a decimal string" } as const;
const health = {
  type: "object",
  properties: {
    state: { enum: ["healthy", "retrying", "failing", "dead", "unfunded", "paused", "ended"] },
    reason: { type: ["string", "null"], description: "why, in a sentence; null when healthy" },
  },
  required: ["state", "reason"],
} as const;
const percentiles = (from: string) => ({
  type: "object",
  description: `Seconds late, measured from ${from}.`,
  properties: {
    p50: { type: ["number", "null"] },
    p95: { type: ["number", "null"] },
    count: { type: "integer" },
    from: { type: "string" },
  },
  required: ["p50", "p95", "count", "from"],
});

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
          { name: "status", in: "query", schema: { enum: STATUS_NAMES } },
          { name: "trigger", in: "query", schema: { enum: TRIGGER_NAMES } },
          chainId,
          limit,
          cursor,
        ],
        responses: { "200": ok("{ items: Workflow[], nextCursor }", "WorkflowPage"), ...errors },
      },
    },
    "/api/workflows/{id}": {
      get: {
        summary:
          "A workflow: spec (a LOG filter or CRON schedule decoded), on-chain status, next due time, balance, counts, last run and live queue state",
        parameters: [id, workflowChainId],
        responses: {
          "200": ok(
            "Workflow with queue: { state, jobId, attempts, txHash, lastError, underpriced, readyAt }",
            "Workflow",
          ),
          ...errors,
        },
      },
    },
    "/api/workflows/{id}/executions": {
      get: {
        summary: "Run history of a workflow, newest first (a LOG run names the log that caused it)",
        parameters: [id, workflowChainId, limit, cursor],
        responses: { "200": ok("{ items: Execution[], nextCursor }", "ExecutionPage"), ...errors },
      },
    },
    "/api/workflows/{id}/logs": {
      get: {
        summary:
          "LOG workflows: the logs its filter matched, newest first, each PENDING, RAN (with its run) or SKIPPED (with why)",
        parameters: [id, workflowChainId, limit, cursor],
        responses: { "200": ok("{ items: TriggerLog[], nextCursor }", "TriggerLogPage"), ...errors },
      },
    },
    "/api/tx/{hash}": {
      get: {
        summary: "Every run, skip, lifecycle event and escrow movement in a transaction",
        parameters: [
          { name: "hash", in: "path", required: true, schema: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$" } },
          chainId,
        ],
        responses: {
          "200": ok("{ hash, chainId, blockNumber, blockTime, executions, skips, events, escrow, triggerLogs }"),
          ...errors,
        },
      },
    },
    "/api/address/{address}": {
      get: {
        summary:
          "Workflows owned, worker record, balances and escrow movements of an address. `chains` has the balances, worker record and forwarder role per chain; the top-level `balances`, `worker` and `forwarderOf` are those of the one chain with activity, null when there are several (amounts are in each chain's own currency)",
        parameters: [
          { name: "address", in: "path", required: true, schema: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } },
          chainId,
        ],
        responses: {
          "200": ok(
            "{ address, workflows, balances, worker, forwarderOf, chains: [{ chainId, balances, worker, forwarderOf }], escrow }",
          ),
          ...errors,
        },
      },
    },
    "/api/due": {
      get: {
        summary: "Active workflows due by `horizon` that can pay a run (what the scheduler reads), soonest first",
        parameters: [
          dueChainId,
          { name: "horizon", in: "query", required: true, schema: { type: "string", pattern: "^[0-9]+$" } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 10_000, default: 10_000 } },
          cursor,
        ],
        responses: { "200": ok("{ chainId, items: DueWorkflow[], nextCursor }"), ...errors },
      },
    },
    "/api/due/logs": {
      get: {
        summary: "Logs LOG workflows matched that are owed a run, of workflows that can pay, in log order per workflow",
        parameters: [
          dueChainId,
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 10_000, default: 10_000 } },
        ],
        responses: { "200": ok("{ chainId, items: DueLog[] }"), ...errors },
      },
    },
    "/api/chains": {
      get: {
        summary:
          "Every chain this index serves: its head (asked of its RPC), the last block indexed and the lag between them. An RPC that does not answer gives a null head and `error`",
        parameters: [],
        responses: { "200": ok("{ items: ChainStatus[] }", "ChainList") },
      },
    },
    "/api/attention": {
      get: {
        summary:
          "What needs someone: workflows with a dead-lettered run, a last run that failed on chain, or too little balance for a run; worst first, each once, with the reason (and the job to retry). queueError is set when a queue could not be read",
        parameters: [chainId, limit],
        responses: { "200": ok("{ items: AttentionItem[], queueError }", "Attention"), ...errors },
      },
    },
    "/api/activity": {
      get: {
        summary:
          "What the index saw happen, oldest first, for followers such as the executor's alerts: runs, status changes and balance movements after `cursor` (or from `fromBlock`)",
        parameters: [
          chainId,
          limit,
          cursor,
          {
            name: "fromBlock",
            in: "query",
            description: "start at this block when no cursor is given",
            schema: { type: "string" },
          },
        ],
        responses: { "200": ok("{ items: ActivityItem[], nextCursor }"), ...errors },
      },
    },
    "/api/signatures": {
      post: {
        summary:
          'Teach the explorer a function\'s name: {"signature": "transfer(address,uint256)"}. A signature proves its own selector; the first kept for a selector stays',
        requestBody: {
          content: {
            "application/json": {
              schema: { type: "object", properties: { signature: { type: "string" } }, required: ["signature"] },
            },
          },
        },
        responses: { "200": ok("{ selector, signature, added }"), ...errors, "503": ok("Redis unreachable", "Error") },
      },
    },
    "/api/subscriptions": {
      post: {
        summary:
          "Subscribe a URL to a workflow's alerts (failed runs, dead-lettered jobs, low balance, completed, cancelled). The body is an EIP-712 `Subscribe` message signed by the workflow's owner on chain (domain: name Autokeeper, version 1, the chain's id, the registry as verifyingContract). Answers the secret deliveries are signed with (X-Autokeeper-Signature: sha256=HMAC(secret, body)); 201 when new, 200 when the URL was already subscribed",
        requestBody: {
          content: { "application/json": { schema: { $ref: "#/components/schemas/SignedWorkflowMessage" } } },
        },
        responses: {
          "201": ok("{ subscription: Subscription, secret, created }"),
          "200": ok("{ subscription: Subscription, secret, created }"),
          ...signedErrors,
        },
      },
    },
    "/api/subscriptions/unsubscribe": {
      post: {
        summary: "Remove a subscription: an EIP-712 `Unsubscribe` message signed by the workflow's owner",
        requestBody: {
          content: { "application/json": { schema: { $ref: "#/components/schemas/SignedWorkflowMessage" } } },
        },
        responses: { "200": ok("{ removed: true }"), ...signedErrors },
      },
    },
    "/api/subscriptions/list": {
      post: {
        summary:
          "The signer's subscriptions on a chain, for workflows they still own, without secrets: an EIP-712 `ListSubscriptions` message {owner, deadline, nonce} signed by `owner`",
        requestBody: {
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: { chainId: { type: "integer" }, message: { type: "object" }, signature: hex },
                required: ["message", "signature"],
              },
            },
          },
        },
        responses: { "200": ok("{ items: Subscription[] }"), ...signedErrors },
      },
    },
    "/api/stats": {
      get: {
        summary:
          "Totals, success rate, runs in the last hour and day, lateness p50/p95 per trigger kind, queue depth: over every chain, or the one chainId names",
        parameters: [chainId],
        responses: { "200": ok("Stats", "Stats"), ...errors },
      },
    },
  },
  components: {
    schemas: {
      SignedWorkflowMessage: {
        type: "object",
        properties: {
          chainId: { type: "integer", description: "the workflow's chain; may be left out when one is configured" },
          message: {
            type: "object",
            properties: {
              workflowId: decimal,
              url: {
                type: "string",
                description: "http(s); not this server's loopback (unless ALERT_ALLOW_LOOPBACK) nor link-local",
              },
              deadline: { ...decimal, description: "unix seconds; at most an hour ahead" },
              nonce: { type: "string", pattern: "^0x[0-9a-fA-F]{64}$", description: "random; each is accepted once" },
            },
            required: ["workflowId", "url", "deadline", "nonce"],
          },
          signature: hex,
        },
        required: ["message", "signature"],
      },
      Trigger: {
        type: "object",
        properties: {
          kind: { enum: TRIGGER_NAMES },
          interval: decimal,
          checkerKind: { enum: CHECKER_NAMES },
          checker: nullableHex,
          data: { ...hex, description: "the raw Trigger.data; `log` and `cron` are it decoded" },
          log: {
            description:
              "LOG only (else null): the filter. A topic that is null matches any value. `error` instead when the data cannot be read.",
            oneOf: [
              { type: "null" },
              {
                type: "object",
                properties: {
                  emitter: hex,
                  topic0: hex,
                  event: {
                    type: ["string", "null"],
                    description: "the event's signature with parameter names, when known (ERC-20/721, Autokeeper's)",
                  },
                  topic1: nullableHex,
                  topic2: nullableHex,
                  topic3: nullableHex,
                  topics: {
                    type: "array",
                    description:
                      "topic1..3 with the indexed parameter's name and type and the value decoded, when known",
                    items: {
                      type: "object",
                      properties: {
                        position: { type: "integer" },
                        name: { type: ["string", "null"] },
                        type: { type: ["string", "null"] },
                        value: nullableHex,
                        decoded: { type: ["string", "null"] },
                      },
                    },
                  },
                  checkData: { ...nullableHex, description: "Chainlink log upkeeps: what checkLog is given" },
                  error: { type: "null" },
                },
                required: ["emitter", "topic0", "topic1", "topic2", "topic3", "checkData"],
              },
              { type: "object", properties: { error: { type: "string" } }, required: ["error"] },
            ],
          },
          cron: {
            description: "CRON only (else null): the expression and its next 3 ticks from now",
            oneOf: [
              { type: "null" },
              {
                type: "object",
                properties: {
                  expression: { type: "string" },
                  next: { type: "array", items: { type: "string", format: "date-time" }, maxItems: 3 },
                  error: { type: ["string", "null"] },
                },
                required: ["expression", "next", "error"],
              },
            ],
          },
        },
      },
      Workflow: {
        type: "object",
        description: "Also: actions, gasLimit, maxFeePerRun, schedule, balance, counts, lastRun, created",
        properties: {
          chainId: chainIdField,
          id: { ...decimal, description: "the registry's id on its chain: (chainId, id) names a workflow" },
          owner: hex,
          status: { enum: STATUS_NAMES },
          trigger: { $ref: "#/components/schemas/Trigger" },
          health: {
            ...health,
            description:
              "GET /api/workflows/{id} only: whether it is getting what its status asks for, derived from the index and its current job",
          },
          queue: {
            type: ["object", "null"],
            description: "Live queue state (null when Redis is unreachable; queueError says why)",
            properties: {
              state: { type: "string" },
              readyAt: {
                type: ["string", "null"],
                description: "unix seconds: for a CONDITION job, the block whose check first said yes",
              },
            },
          },
        },
      },
      Attention: {
        type: "object",
        properties: {
          items: {
            type: "array",
            items: {
              type: "object",
              properties: {
                chainId: chainIdField,
                workflowId: decimal,
                health,
                jobId: { type: ["string", "null"], description: "a dead-lettered job: npm run queue -- retry <jobId>" },
              },
              required: ["chainId", "workflowId", "health", "jobId"],
            },
          },
          queueError: { type: ["string", "null"] },
        },
        required: ["items", "queueError"],
      },
      WorkflowPage: {
        type: "object",
        properties: {
          items: { type: "array", items: { $ref: "#/components/schemas/Workflow" } },
          nextCursor: { type: ["string", "null"] },
        },
      },
      Execution: {
        type: "object",
        description: "Also: worker, gasUsed, fee, dueAt, blockTime, nextExecutionAt, blockNumber, logIndex, revert",
        properties: {
          chainId: chainIdField,
          workflowId: decimal,
          runNumber: { type: "integer" },
          success: { type: "boolean" },
          txHash: hex,
          triggerKind: { enum: TRIGGER_NAMES },
          latenessSeconds: decimal,
          latenessFrom: { type: ["string", "null"], description: "what latenessSeconds counts from, per kind" },
          trigger: {
            description: "LOG runs: the log that caused the run; null otherwise",
            oneOf: [
              { type: "null" },
              {
                type: "object",
                properties: { txHash: hex, logIndex: { type: "integer" }, blockNumber: decimal },
                required: ["txHash", "logIndex", "blockNumber"],
              },
            ],
          },
        },
      },
      ExecutionPage: {
        type: "object",
        properties: {
          items: { type: "array", items: { $ref: "#/components/schemas/Execution" } },
          nextCursor: { type: ["string", "null"] },
        },
      },
      TriggerLog: {
        type: "object",
        properties: {
          chainId: chainIdField,
          workflowId: decimal,
          blockNumber: decimal,
          blockHash: hex,
          blockTime: decimal,
          txHash: hex,
          logIndex: { type: "integer" },
          emitter: hex,
          topics: { type: "array", items: hex },
          data: hex,
          state: { enum: ["PENDING", "RAN", "SKIPPED"] },
          skipReason: { type: ["string", "null"], description: "SKIPPED: why checkLog said no" },
          run: {
            description: "RAN: the run that served the log",
            oneOf: [
              { type: "null" },
              {
                type: "object",
                properties: { runNumber: { type: "integer" }, txHash: hex, blockNumber: decimal },
              },
            ],
          },
        },
      },
      TriggerLogPage: {
        type: "object",
        properties: {
          items: { type: "array", items: { $ref: "#/components/schemas/TriggerLog" } },
          nextCursor: { type: ["string", "null"] },
        },
      },
      Stats: {
        type: "object",
        description:
          "Also: workflows, runs, skips, queue (the counted chains' queues added up). Over several chains, runs.feesPaid adds amounts in each chain's own currency",
        properties: {
          chainId: { type: ["integer", "null"], description: "the chain counted; null when several are" },
          chainIds: { type: "array", items: { type: "integer" }, description: "the chains counted" },
          runs: {
            type: "object",
            description: "Also: total, succeeded, failed (on chain), lastHour, lastDay, feesPaid",
            properties: {
              deadLettered: {
                type: ["integer", "null"],
                description: "jobs in the dead-letter set: runs that never reached the chain (null: queue unreachable)",
              },
              successRate: {
                type: ["number", "null"],
                description:
                  "succeeded / (runs on chain + deadLettered): a run that never reached the chain is a failure",
              },
            },
          },
          lateness: {
            type: "object",
            description: "Seconds late over the last 24 h, per trigger kind",
            properties: {
              TIME: percentiles("its due slot"),
              CRON: percentiles("its due tick"),
              LOG: percentiles("the block of the log that caused the run"),
              CONDITION: {
                ...percentiles(
                  'when its minimum interval elapsed: the index cannot see the block whose check first said yes. The executor\'s autokeeper_due_to_mined_seconds{trigger="CONDITION"} measures from that block',
                ),
                properties: { ...percentiles("").properties, note: { type: "string" } },
              },
            },
          },
          latenessSeconds: {
            type: "object",
            description: "All kinds together (window, runs, p50, p95); kept for older clients, read `lateness`",
          },
        },
      },
      ChainStatus: {
        type: "object",
        properties: {
          id: { type: "integer", description: "the chain id" },
          chainId: { type: "integer", description: "the same, as every object names its chain" },
          name: { type: "string" },
          headBlock: {
            ...decimal,
            type: ["string", "null"],
            description: "the chain's head, from its RPC; null when it does not answer",
          },
          indexedBlock: {
            ...decimal,
            type: ["string", "null"],
            description: "the last block indexed; null before the first",
          },
          lag: {
            type: ["integer", "null"],
            description: "blocks the index is behind the head; null when either is unknown",
          },
          error: { type: ["string", "null"], description: "why the head is unknown (never the RPC URL)" },
        },
        required: ["id", "chainId", "name", "headBlock", "indexedBlock", "lag", "error"],
      },
      ChainList: {
        type: "object",
        properties: { items: { type: "array", items: { $ref: "#/components/schemas/ChainStatus" } } },
      },
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
