/**
 * The live queue side of a workflow's status, read from Redis (BullMQ). The API only reads: the
 * scheduler and worker own the queue. When Redis is unreachable the answer says so instead of failing.
 */
import { Queue } from "bullmq";
import {
  IDLE,
  jobId,
  type LiveQueueState,
  liveStateOf,
  queueName,
  queueSettings,
  type RunJobData,
} from "../../lib/queue.js";
import { queueConnection } from "../../lib/redis.js";

// Read as the executor reads them (ponder.config.ts has already stopped Ponder on a bad value).
const location = queueSettings();
const TIMEOUT_MS = 1500;

/** One queue per chain (queueName(chainId)), each opened on first use and kept: pages read them all the time. */
const queues = new Map<number, Queue<RunJobData>>();

function queueFor(chainId: number): Queue<RunJobData> {
  let queue = queues.get(chainId);
  if (!queue) {
    queue = new Queue<RunJobData>(queueName(chainId), {
      prefix: location.queuePrefix,
      // Fail fast: a status page must not hang on a missing Redis.
      connection: queueConnection(location, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: TIMEOUT_MS,
      }).connection,
    });
    queue.on("error", () => {}); // reported per request instead
    queues.set(chainId, queue);
  }
  return queue;
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error("redis timeout")), TIMEOUT_MS)),
  ]);
}

export type QueueAnswer = { available: true; state: LiveQueueState } | { available: false; reason: string };

export async function liveState(chainId: number, workflowId: bigint, dueSlot: bigint): Promise<QueueAnswer> {
  try {
    const q = queueFor(chainId);
    const job = await withTimeout(q.getJob(jobId(chainId, workflowId, dueSlot)));
    if (!job) return { available: true, state: IDLE };
    const state = await withTimeout(job.getState());
    return { available: true, state: liveStateOf(state, job) };
  } catch {
    return { available: false, reason: "queue (Redis) unreachable" };
  }
}

export type QueueDepth =
  | { available: true; waiting: number; delayed: number; active: number; dead: number }
  | { available: false; reason: string };

export async function queueDepth(chainId: number): Promise<QueueDepth> {
  try {
    const counts = await withTimeout(
      queueFor(chainId).getJobCounts("waiting", "delayed", "active", "failed", "prioritized"),
    );
    return {
      available: true,
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      delayed: counts.delayed ?? 0,
      active: counts.active ?? 0,
      dead: counts.failed ?? 0,
    };
  } catch {
    return { available: false, reason: "queue (Redis) unreachable" };
  }
}

/** The jobs of several chains' queues added up; unavailable if any one cannot be read. */
export async function totalQueueDepth(chainIds: readonly number[]): Promise<QueueDepth> {
  const depths = await Promise.all(chainIds.map(queueDepth));
  const total = { available: true as const, waiting: 0, delayed: 0, active: 0, dead: 0 };
  for (const d of depths) {
    if (!d.available) return d;
    total.waiting += d.waiting;
    total.delayed += d.delayed;
    total.active += d.active;
    total.dead += d.dead;
  }
  return total;
}

/** A job in the dead-letter set: its run never reached the chain, and waits for `npm run queue -- retry`. */
export interface DeadJob {
  chainId: number;
  jobId: string;
  workflowId: bigint;
  dueAt: bigint;
  attempts: number;
  reason: string | null;
  /** When it died (ms since the epoch). */
  finishedOn: number | null;
}

export type DeadAnswer = { available: true; jobs: DeadJob[] } | { available: false; reason: string };

/** The newest `limit` dead-lettered jobs of one chain's queue. */
export async function deadJobs(chainId: number, limit: number): Promise<DeadAnswer> {
  try {
    const jobs = await withTimeout(queueFor(chainId).getFailed(0, limit - 1));
    const decimal = (v: unknown) => (typeof v === "string" && /^\d{1,78}$/.test(v) ? BigInt(v) : undefined);
    return {
      available: true,
      // A job not of the scheduler's making (no workflow or slot) is not a run: left out, not a failure.
      jobs: jobs.flatMap((job) => {
        const workflowId = decimal(job.data?.workflowId);
        const dueAt = decimal(job.data?.dueAt);
        if (workflowId === undefined || dueAt === undefined) return [];
        return [
          {
            chainId,
            jobId: job.id ?? "",
            workflowId,
            dueAt,
            attempts: job.attemptsMade,
            reason: job.failedReason || null,
            finishedOn: job.finishedOn ?? null,
          },
        ];
      }),
    };
  } catch {
    return { available: false, reason: "queue (Redis) unreachable" };
  }
}
