/**
 * The queue tools without QUEUE_PREFIX find the queue the Redis holds. Found by trying it: with
 * `npm run dev` running (its queue under `autokeeper-dev`), `npm run queue -- dead` looked under
 * `autokeeper` and answered "no dead jobs". A private redis-server: the machine's holds other suites' queues.
 */
import { spawn } from "node:child_process";
import { Queue, Worker } from "bullmq";
import { afterAll, beforeAll, expect, it } from "vitest";
import { queueName, type RunJobData } from "../../lib/queue.js";
import { type RedisServer, startRedisServer } from "../../tools/harness/servers.js";
import { until } from "../../tools/harness/wait.js";

const CHAIN_ID = 31_337;
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

/** `npm run queue -- …` against the private Redis, with the chain given by env (never contacted). */
async function queueCli(args: string[], extra: Record<string, string> = {}) {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    CHAIN: "custom",
    CHAIN_ID: String(CHAIN_ID),
    RPC_URL: "http://127.0.0.1:1",
    REGISTRY_ADDRESS: `0x${"11".repeat(20)}`,
    ACTIONEXECUTOR_ADDRESS: `0x${"22".repeat(20)}`,
    FEEESCROW_ADDRESS: `0x${"33".repeat(20)}`,
    REDIS_URL: redis.url,
    ...extra,
  };
  delete env.QUEUE_PREFIX;
  if (extra.QUEUE_PREFIX) env.QUEUE_PREFIX = extra.QUEUE_PREFIX;
  const child = spawn(process.execPath, ["--import", "tsx", "executor/cli/queue.ts", ...args], { env });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  return { code, out };
}

/** A queue under `prefix` with one dead job (its only attempt failed). */
async function deadJob(prefix: string, id: string): Promise<void> {
  const connection = { url: redis.url, maxRetriesPerRequest: null };
  const queue = new Queue<RunJobData>(queueName(CHAIN_ID), { connection, prefix });
  const worker = new Worker(
    queueName(CHAIN_ID),
    async () => {
      throw new Error("target reverted");
    },
    { connection, prefix },
  );
  await queue.add(
    "run",
    { chainId: CHAIN_ID, workflowId: "4", dueAt: "1700000000", performData: "0x", gasLimit: 100_000 },
    { jobId: id, attempts: 1 },
  );
  await until("the job to die", async () => (await queue.getFailedCount()) === 1, 15_000);
  await worker.close();
  await queue.close();
}

it("finds npm run dev's queue with no QUEUE_PREFIX, and asks for one when the Redis holds several", async () => {
  await deadJob("autokeeper-dev", `${CHAIN_ID}:4:1700000000`);
  const found = await queueCli(["dead"]);
  expect(found.code).toBe(0);
  expect(found.out).toContain(`${CHAIN_ID}:4:1700000000`);
  expect(found.out).toContain("target reverted");
  expect(found.out).toContain("queue prefix autokeeper-dev");
  // retry finds it there too: README's troubleshooting step works against the dev stack.
  const retried = await queueCli(["retry", `${CHAIN_ID}:4:1700000000`]);
  expect([retried.code, retried.out]).toEqual([0, expect.stringContaining("back in the queue")]);

  // A second deployment's queue in the same Redis: which one is meant is the operator's to say.
  await deadJob("staging", `${CHAIN_ID}:9:1700000000`);
  const ambiguous = await queueCli(["dead"]);
  expect(ambiguous.code).toBe(1);
  expect(ambiguous.out).toContain("several prefixes (autokeeper-dev, staging): set QUEUE_PREFIX");
  const chosen = await queueCli(["dead"], { QUEUE_PREFIX: "staging" });
  expect([chosen.code, chosen.out]).toEqual([0, expect.stringContaining(`${CHAIN_ID}:9:1700000000`)]);

  // The default prefix, once it holds the chain's queue, is what a tool without QUEUE_PREFIX means.
  await deadJob("autokeeper", `${CHAIN_ID}:7:1700000000`);
  const byDefault = await queueCli(["dead"]);
  expect(byDefault.code).toBe(0);
  expect(byDefault.out).toContain(`${CHAIN_ID}:7:1700000000`);
  expect(byDefault.out).toContain("also in this Redis: autokeeper-dev, staging");
}, 60_000);
