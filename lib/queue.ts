/**
 * The queue contract between scheduler, worker and API: one BullMQ queue per chain, one job per
 * (chain, workflow, due slot) with a deterministic id, so any number of schedulers enqueue nothing twice
 * and the API can find a workflow's live job from the index alone (its next due slot).
 */
import type { Hex } from "viem";
import { z } from "zod";
import { parseEnv, url } from "./env.js";
import type { TriggerName } from "./spec.js";

/** The trigger names (lib/spec.ts owns them). */
export type { TriggerName };

export const queueName = (chainId: number) => `runs-${chainId}`;

/**
 * Where the queue lives, as every process reads it (executor, API, tools): validated the same way
 * everywhere, so a bad value stops each of them with the variable's name rather than leaving the API to
 * report the queue unreachable.
 */
export const queueEnv = {
  REDIS_URL: url
    .refine((u) => /^rediss?:\/\//i.test(u), "must be a redis:// or rediss:// URL")
    .default("redis://127.0.0.1:6379"),
  /** A Redis Cluster instead: its seed nodes, comma-separated redis:// or rediss:// URLs (REDIS_URL is then unused). */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^rediss?:\/\/[^,\s]+(\s*,\s*rediss?:\/\/[^,\s]+)*$/i, "must be comma-separated redis:// or rediss:// URLs")
    .optional(),
  /** Redis key prefix of the queue; distinct prefixes let several deployments (or test suites) share a Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, "letters, digits, : _ - only")
    .default("autokeeper"),
};

export interface QueueLocation {
  redisUrl: string;
  clusterNodes: string[] | undefined;
  /** On a cluster, QUEUE_PREFIX in braces: a hash tag, so every key of the queue shares one slot (BullMQ's scripts need that). */
  queuePrefix: string;
}

/** Where the queue is, from the parsed REDIS_URL, REDIS_CLUSTER_NODES and QUEUE_PREFIX. */
export function queueLocation(e: {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: string | undefined;
  QUEUE_PREFIX: string;
}): QueueLocation {
  const clusterNodes = e.REDIS_CLUSTER_NODES?.split(",").map((n) => n.trim());
  return {
    redisUrl: e.REDIS_URL,
    clusterNodes,
    queuePrefix: clusterNodes ? `{${e.QUEUE_PREFIX}}` : e.QUEUE_PREFIX,
  };
}

export function queueSettings(env: NodeJS.ProcessEnv = process.env): QueueLocation {
  return queueLocation(parseEnv(queueEnv, env));
}

export const jobId = (chainId: number, workflowId: bigint, dueSlot: bigint) => `${chainId}:${workflowId}:${dueSlot}`;

/**
 * A LOG run's job: one per (chain, workflow, log), the same log as the on-chain guard names. Three
 * colon-separated parts, as BullMQ allows for custom ids.
 */
export const logJobId = (chainId: number, workflowId: bigint, blockHash: Hex, logIndex: number) =>
  `${chainId}:${workflowId}:log-${blockHash}-${logIndex}`;

export interface RunJobData {
  chainId: number;
  workflowId: string; // bigints as decimal strings: job data is JSON
  dueAt: string;
  performData: Hex;
  /** The workflow's gas limit per run, so batches can be sized before simulating. */
  gasLimit: number;
  /**
   * The trigger that made the job. A CONDITION job carries one check's answer, which is stale once the
   * workflow has run since: the worker must then drop it, not run it again. (Absent on older jobs: TIME.)
   */
  trigger?: TriggerName;
  /**
   * When the run became due, for its lateness (unix seconds): CONDITION, the block whose check first said
   * yes; LOG, the log's block (its dueAt too). TIME and CRON are late from their slot (dueAt).
   */
  readyAt?: string;
  /** Set before broadcast, so a restarted worker checks this transaction before sending again. */
  txHash?: Hex;
  /** Every version broadcast for the job (replacements and re-sends included), newest last. */
  txHashes?: Hex[];
  signer?: Hex;
  /**
   * Set while the run waits because its fee (capped at the owner's maxFeePerRun) is below what it would
   * cost the worker: the figures of the last look, wei as decimal strings.
   */
  underpriced?: Underpriced;
  /**
   * The nonce every version was sent at. While the chain has not used it, a version may still be mined,
   * so the run must not be sent at another nonce (that could run it twice).
   */
  nonce?: number;
}

/** An underpriced run's figures at the price its transaction would pay (see executor/worker/economics.ts). */
export interface Underpriced {
  feeWei: string;
  costWei: string;
  gasUsed: string;
  gasPriceWei: string;
  /** When the worker last looked (ms since the epoch). */
  at: number;
}

/**
 * A slot's run job (TIME, CRON, CONDITION), made in one place for the scheduler and `npm run push-job`
 * alike: its data and its deterministic id. `checkedAt`: CONDITION, the timestamp of the block whose
 * check said yes (the run is late from it). LOG jobs are one per log, not per slot (logJobId).
 */
export function slotJob(
  chainId: number,
  workflow: { id: bigint; gasLimit: number; triggerKind: string },
  slot: bigint,
  performData: Hex,
  checkedAt?: bigint,
): { jobId: string; data: RunJobData } {
  const condition = workflow.triggerKind === "CONDITION";
  return {
    jobId: jobId(chainId, workflow.id, slot),
    data: {
      chainId,
      workflowId: workflow.id.toString(),
      dueAt: slot.toString(),
      performData,
      gasLimit: workflow.gasLimit,
      trigger: condition ? "CONDITION" : workflow.triggerKind === "CRON" ? "CRON" : "TIME",
      ...(condition ? { readyAt: String(checkedAt ?? slot) } : {}),
    },
  };
}

/** What the API shows for a workflow's current slot. */
export type LiveState =
  | "idle" // no job for the current slot: not due yet, or no scheduler running
  | "waiting" // enqueued ahead of its due time (delayed job)
  | "queued" // due and waiting for a worker
  | "submitted" // a worker has sent the transaction
  | "retrying" // an attempt failed; another is scheduled
  | "underpriced" // its fee cap is below what the run costs at today's gas price: it waits for the price to fall
  | "dead" // attempts exhausted: in the dead-letter (failed) set
  | "done"; // the job completed (the index will catch up)

export interface LiveQueueState {
  state: LiveState;
  jobId: string | null;
  attempts: number;
  txHash: Hex | null;
  lastError: string | null;
  /** While the state is "underpriced": what the run would pay against what it would cost. */
  underpriced: Underpriced | null;
  /** The job's readyAt (unix seconds, decimal): CONDITION, the block whose check first said yes; LOG, the log's block. */
  readyAt: string | null;
}

export const IDLE: LiveQueueState = {
  state: "idle",
  jobId: null,
  attempts: 0,
  txHash: null,
  lastError: null,
  underpriced: null,
  readyAt: null,
};

/** Maps a BullMQ job state (and what the worker wrote into the job) to a LiveState. */
export function liveStateOf(
  bullState: string,
  job: { id?: string; attemptsMade: number; failedReason?: string; data: Partial<RunJobData> },
): LiveQueueState {
  const base = {
    jobId: job.id ?? null,
    attempts: job.attemptsMade,
    txHash: job.data.txHash ?? null,
    lastError: job.failedReason || null,
    underpriced: null,
    readyAt: job.data.readyAt ?? null,
  };
  switch (bullState) {
    case "completed":
      return { ...base, state: "done" };
    case "failed":
      return { ...base, state: "dead" };
    case "active":
      return { ...base, state: job.data.txHash ? "submitted" : "queued" };
    case "delayed":
      if (job.data.underpriced) return { ...base, state: "underpriced", underpriced: job.data.underpriced };
      return { ...base, state: job.attemptsMade > 0 ? "retrying" : "waiting" };
    case "waiting":
    case "prioritized":
    case "waiting-children":
      return { ...base, state: job.attemptsMade > 0 ? "retrying" : "queued" };
    default:
      return IDLE;
  }
}
