/**
 * What became of one job's run, and the one place errors become outcomes: only the run's own failure
 * ("fail" in errors.ts) uses up an attempt; everything else puts the job back without using one.
 */
import type { Hash } from "viem";
import {
  type ExecutorError,
  FeeCapError,
  SignerFundsError,
  SimulationError,
  TxPendingError,
  toExecutorError,
  UnderpricedError,
  type UnderpricedRun,
  WorkflowFundsError,
} from "../errors.js";

/** Why a job was put back without using an attempt (a metric label and a log field). */
export type DelayReason =
  | "not_due"
  | "in_flight"
  | "rpc"
  | "fees"
  | "signer_funds"
  | "workflow_funds"
  | "underpriced"
  | "tx_pending"
  | "operator"
  | "shutdown";

/** What became of one job's run; the BullMQ worker turns it into complete, delay or fail. */
export type Outcome =
  | { kind: "executed"; success: boolean; txHash: Hash; runNumber: string; blockNumber: string; reason: string | null }
  | { kind: "skipped"; reason: string; txHash: Hash | null }
  /**
   * Not now, and not a failure: comes back at `untilMs` without using an attempt. An underpriced run
   * carries its figures, for the job (and so the API) to show.
   */
  | { kind: "delay"; untilMs: number; why: string; reason: DelayReason; underpriced?: UnderpricedRun }
  /** Counts as a failed attempt: retried with backoff, dead-lettered when attempts run out. */
  | { kind: "failed"; message: string };

/** A transient fault is worth another try soon; a condition outside the run, a little later. */
const RETRY_SOON_MS = 1_000;
const WAIT_MS = 5_000;
const WORKFLOW_FUNDS_WAIT_MS = 30_000;
/** An underpriced run looks again this often: prices move every block, but asking costs a simulation. */
export const UNDERPRICED_WAIT_MS = 15_000;

function reasonOf(e: ExecutorError): DelayReason {
  if (e instanceof FeeCapError) return "fees";
  if (e instanceof SignerFundsError) return "signer_funds";
  if (e instanceof WorkflowFundsError) return "workflow_funds";
  if (e instanceof UnderpricedError) return "underpriced";
  if (e instanceof SimulationError) return "operator";
  if (e instanceof TxPendingError) return "tx_pending";
  return "rpc"; // RpcUnavailableError, and anything else that is worth another try
}

export function outcomeOfError(error: unknown, now = Date.now()): Outcome {
  const e = toExecutorError(error);
  if (e.retry === "fail") return { kind: "failed", message: e.message };
  if (e instanceof UnderpricedError) {
    return {
      kind: "delay",
      untilMs: now + UNDERPRICED_WAIT_MS,
      why: e.message,
      reason: "underpriced",
      underpriced: e.run,
    };
  }
  const wait = e instanceof WorkflowFundsError ? WORKFLOW_FUNDS_WAIT_MS : e.retry === "retry" ? RETRY_SOON_MS : WAIT_MS;
  return { kind: "delay", untilMs: now + (e.retryAfterMs ?? wait), why: e.message, reason: reasonOf(e) };
}
