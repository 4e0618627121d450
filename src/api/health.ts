/**
 * A workflow's health: the one word a person should read first. The status (ACTIVE, PAUSED, ...) says what
 * the owner asked for; health says whether it is getting it. Derived, never stored: from the index row,
 * the job of its current slot (null when the queue could not be read) and its last failure's reason.
 */
import { canPay } from "../../lib/due.js";
import { eth } from "../../lib/format.js";
import type { LiveQueueState } from "../../lib/queue.js";
import { lastFailure, type WorkflowRow } from "./queries.js";
import type { QueueAnswer } from "./queue-state.js";

export const HEALTH_STATES = ["healthy", "retrying", "failing", "dead", "unfunded", "paused", "ended"] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

export interface Health {
  state: HealthState;
  /** Why, in a sentence; null when healthy. */
  reason: string | null;
}

/** The states a person must act on (the home page's "needs attention"), worst first. */
export const ATTENTION: readonly HealthState[] = ["dead", "failing", "unfunded"];

/**
 * The first that applies, in this order: ended or paused (nothing is expected of it), dead-lettered (a run
 * is stuck until someone retries it), unfunded (nothing runs until funded), retrying (the worker is on
 * it), failing (its last run reverted on chain), else healthy.
 */
export function healthOf(
  w: Pick<WorkflowRow, "status" | "balance" | "maxFeePerRun" | "totalValue" | "lastRunSuccess">,
  queue: LiveQueueState | null,
  lastFailure: string | null,
): Health {
  if (w.status === "COMPLETED" || w.status === "CANCELLED") return { state: "ended", reason: w.status.toLowerCase() };
  if (w.status === "PAUSED") return { state: "paused", reason: "paused by its owner" };
  if (queue?.state === "dead") {
    const tries = queue.attempts === 1 ? "1 attempt" : `${queue.attempts} attempts`;
    return {
      state: "dead",
      reason: `its run never reached the chain (dead after ${tries}): ${queue.lastError ?? "?"}`,
    };
  }
  if (!canPay(w)) {
    return {
      state: "unfunded",
      reason: `balance ${eth(w.balance)} is below one run's ${eth(w.maxFeePerRun + w.totalValue)}: it will not run until funded`,
    };
  }
  if (queue?.state === "retrying") {
    return { state: "retrying", reason: `attempt ${queue.attempts + 1} is scheduled: ${queue.lastError ?? "?"}` };
  }
  if (queue?.state === "underpriced") {
    return { state: "retrying", reason: "its max fee per run is below what a run costs now: it waits for cheaper gas" };
  }
  if (w.lastRunSuccess === false) {
    return { state: "failing", reason: `its last run failed on chain: ${lastFailure ?? "no reason given"}` };
  }
  return { state: "healthy", reason: null };
}

/** `healthOf` for a workflow read now: its current job as `liveState` answered, its last failure from the index. */
export async function healthNow(w: WorkflowRow, queue: QueueAnswer): Promise<Health> {
  const failure = w.lastRunSuccess === false ? await lastFailure(w.chainId, w.id) : null;
  return healthOf(w, queue.available ? queue.state : null, failure);
}
