/**
 * npm run queue -- stats | dead [--limit N] | retry <jobId> | retry-all [--chain <id>]
 * Inspects a chain's run queue and replays its dead-letter set (jobs that used all their attempts).
 * --chain names the chain when the deployment serves several (CHAINS): each has its own queue. Without
 * QUEUE_PREFIX it finds the queue the Redis holds (npm run dev's too): find-queue.ts.
 */
import { ConfigError, runMain } from "../../lib/env.js";
import { chainArg, oneNetwork } from "../../lib/network.js";
import { loadConfig } from "../config.js";
import { createQueue, type RunQueue } from "../queue.js";
import { resolveQueuePrefix } from "./find-queue.js";

const usage = "usage: npm run queue -- stats | dead [--limit N] | retry <jobId> | retry-all [--chain <id>]";

async function stats(queue: RunQueue) {
  const counts = await queue.getJobCounts("waiting", "prioritized", "delayed", "active", "completed", "failed");
  console.log(`queue ${queue.name}`);
  for (const [state, n] of Object.entries(counts)) {
    console.log(`  ${(state === "failed" ? "dead (failed)" : state).padEnd(14)} ${n}`);
  }
}

async function dead(queue: RunQueue, limit: number) {
  const jobs = await queue.getFailed(0, limit - 1);
  if (jobs.length === 0) {
    console.log("no dead jobs");
    return;
  }
  console.log("job id                              workflow  attempts  failed at                 reason");
  for (const job of jobs) {
    const at = job.finishedOn ? new Date(job.finishedOn).toISOString() : "—";
    console.log(
      `${String(job.id).padEnd(35)} ${job.data.workflowId.padEnd(9)} ${String(job.attemptsMade).padEnd(9)} ${at.padEnd(25)} ${job.failedReason}`,
    );
  }
}

async function retry(queue: RunQueue, id: string) {
  const job = await queue.getJob(id);
  if (!job) throw new Error(`no job ${id}`);
  const state = await job.getState();
  if (state !== "failed") throw new Error(`job ${id} is ${state}, not dead`);
  await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
  console.log(`job ${id} is back in the queue with fresh attempts`);
}

async function retryAll(queue: RunQueue) {
  let n = 0;
  for (;;) {
    const jobs = await queue.getFailed(0, 999);
    if (jobs.length === 0) break;
    for (const job of jobs) {
      await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      n += 1;
    }
  }
  console.log(`${n} dead job(s) back in the queue`);
}

runMain(async () => {
  const { chain, rest } = chainArg(process.argv.slice(2));
  const [command, arg, value] = rest;
  const config = loadConfig("scheduler", process.env, { chain });
  const { chainId } = oneNetwork(config.networks, undefined);
  // Without QUEUE_PREFIX, the queue this Redis holds (npm run dev's included): find-queue.ts.
  const { prefix, note } = await resolveQueuePrefix(config, chainId);
  if (note) console.error(note);
  const queue = createQueue({ ...config, queuePrefix: prefix, chainId });
  try {
    if (command === "stats") await stats(queue);
    else if (command === "dead") {
      const limit = arg === "--limit" ? Number(value) : 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new ConfigError("--limit: an integer from 1 to 10000");
      await dead(queue, limit);
    } else if (command === "retry") {
      if (!arg) throw new ConfigError(usage);
      await retry(queue, arg);
    } else if (command === "retry-all") await retryAll(queue);
    else throw new ConfigError(usage);
  } finally {
    await queue.close();
  }
});
