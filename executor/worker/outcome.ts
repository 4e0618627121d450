import type { Hash } from "viem";

/** What became of one job's run; the BullMQ worker turns it into complete, delay or fail. */
export type Outcome =
  | { kind: "executed"; success: boolean; txHash: Hash; runNumber: string; blockNumber: string; reason: string | null }
  | { kind: "skipped"; reason: string; txHash: Hash | null }
  /** Not now, and not a failure: comes back at `untilMs` without using an attempt. */
  | { kind: "delay"; untilMs: number; why: string }
  /** Counts as a failed attempt: retried with backoff, dead-lettered when attempts run out. */
  | { kind: "failed"; message: string };
