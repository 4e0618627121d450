/** The BullMQ queue of runs, with the retry policy the earlier system had: attempts with linear backoff. */
import { type JobsOptions, Queue } from "bullmq";
import { queueName, type RunJobData } from "../lib/queue.js";
import type { ExecutorConfig } from "./config.js";
import { redisConnection } from "./redis.js";

export type RunQueue = Queue<RunJobData>;

export function createQueue(config: ExecutorConfig): RunQueue {
  return new Queue<RunJobData>(queueName(config.network.chainId), {
    connection: redisConnection(config.redisUrl),
    prefix: config.queuePrefix,
    defaultJobOptions: jobOptions(config),
  });
}

export function jobOptions(config: Pick<ExecutorConfig, "maxAttempts">): JobsOptions {
  return {
    attempts: config.maxAttempts,
    // 2 s, 4 s, 6 s… (attempt × BACKOFF_MS), computed by backoffStrategy in the worker.
    backoff: { type: "linear" },
    // Completed jobs stay a while so a scheduler reading a slightly stale index cannot re-add the slot.
    removeOnComplete: { age: 600, count: 50_000 },
    // Failed jobs stay: they are the dead-letter queue.
    removeOnFail: false,
  };
}

export const linearBackoff = (backoffMs: number) => (attemptsMade: number) => attemptsMade * backoffMs;
