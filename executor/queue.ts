/**
 * The BullMQ queue of runs and the worker that consumes it, with the retry policy the earlier system
 * had (attempts with linear backoff). The executor and the queue benchmark both build them here.
 */
import { createRequire } from "node:module";
import type * as BullMQ from "bullmq";
import type { JobsOptions, Queue, Worker } from "bullmq";
import { queueName, type RunJobData } from "../lib/queue.js";
import { queueConnection } from "../lib/redis.js";
import type { ExecutorConfig } from "./config.js";

/**
 * BullMQ, required rather than imported. Node gets its CommonJS build (its ESM build is for bundlers),
 * and importing CommonJS from an ES module makes Node scan all 171 of its files for export names first
 * (130 ms here): what the sources run as under tsx and vitest. The compiled executor is CommonJS, where
 * either spelling is a plain require().
 */
export const bullmq = createRequire(import.meta.url)("bullmq") as typeof BullMQ;

export type RunQueue = Queue<RunJobData>;

/** What the queue needs from the config (so tools and benchmarks can build one without a chain). */
export type QueueSettings = Pick<ExecutorConfig, "redisUrl" | "queuePrefix" | "maxAttempts"> &
  Partial<Pick<ExecutorConfig, "clusterNodes">> & {
    /** The chain whose runs the queue holds: one queue per chain (lib/queue.ts). */
    chainId: number;
  };

export type WorkerSettings = QueueSettings & Pick<ExecutorConfig, "concurrency" | "jobLockMs" | "backoffMs">;

/** Closing a queue or worker on a cluster also quits the cluster client it was given (lib/redis.ts). */
function owning<T extends { close(): Promise<void> }>(q: T, connection: ReturnType<typeof queueConnection>): T {
  const close = q.close.bind(q);
  q.close = async () => {
    await close();
    await connection.close();
  };
  return q;
}

export function createQueue(config: QueueSettings): RunQueue {
  const redis = queueConnection(config);
  const queue = new bullmq.Queue<RunJobData>(queueName(config.chainId), {
    connection: redis.connection,
    prefix: config.queuePrefix,
    defaultJobOptions: jobOptions(config),
  });
  return owning(queue, redis);
}

/** A worker on the runs queue; `process` does the job (for the executor: recover or batch and send). */
export function createQueueWorker(
  config: WorkerSettings,
  process: ConstructorParameters<typeof Worker<RunJobData>>[1],
): Worker<RunJobData> {
  const redis = queueConnection(config);
  const worker = new bullmq.Worker<RunJobData>(queueName(config.chainId), process, {
    connection: redis.connection,
    prefix: config.queuePrefix,
    concurrency: config.concurrency,
    // A killed worker's jobs come back after the lock lapses; a stall is a crash, not the job's fault.
    lockDuration: config.jobLockMs,
    stalledInterval: Math.max(1000, Math.floor(config.jobLockMs / 3)),
    maxStalledCount: 100,
    settings: { backoffStrategy: linearBackoff(config.backoffMs) },
  });
  return owning(worker, redis);
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
