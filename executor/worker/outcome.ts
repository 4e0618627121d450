/**
 * What became of one job's run, and the one place that decides it: errors, simulated items and mined
 * receipts become outcomes here. Only the run's own failure ("fail" in errors.ts) uses up an attempt;
 * everything else puts the job back without using one.
 */
import type { Hash, Hex } from "viem";
import { checkRefOf } from "../../lib/check-ref.js";
import { decodeRevertReason } from "../../lib/revert-reason.js";
import { enumName, SkipReason } from "../../lib/spec.js";
import type { Landing } from "../chain-clock.js";
import {
  type ExecutorError,
  FeeCapError,
  RpcUnavailableError,
  RunRevertedError,
  SignerFundsError,
  SimulationError,
  TxPendingError,
  toExecutorError,
  UnderpricedError,
  type UnderpricedRun,
  WorkflowFundsError,
} from "../errors.js";
import type { BatchItem } from "./batcher.js";
import type { RunEconomics } from "./economics.js";
import type { ItemEvent } from "./receipt.js";
import type { ItemSimulation } from "./simulate.js";

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

/** What the verdicts need from the worker: when a slot can land, and whether a run pays its way. */
export interface VerdictDeps {
  /** The earliest moment (ms) a transaction can land at or after `dueAt` (ChainClock.readyAtMs). */
  readyAtMs(dueAt: bigint): number;
  economics: Pick<RunEconomics, "judge" | "forget">;
}

/** A CONDITION job whose slot the chain disagrees with for this long is dropped as stale. */
const STALE_AFTER_S = 60n;

/** Comes back once its slot can land, and not sooner than 200 ms from now. */
export function untilDue(
  d: Pick<VerdictDeps, "readyAtMs">,
  item: { dueAt: bigint },
  why: string,
  reason: "not_due" | "in_flight" | "shutdown" = "not_due",
): Outcome {
  return { kind: "delay", untilMs: Math.max(Date.now() + 200, d.readyAtMs(item.dueAt)), why, reason };
}

/** A run the chain performed, from its WorkflowExecuted (and a failed run's WorkflowFailed) in `receipt`. */
export function executedOutcome(
  e: { success: boolean; runNumber: bigint; reason: Hex },
  receipt: { transactionHash: Hash; blockNumber: bigint },
): Outcome {
  return {
    kind: "executed",
    success: e.success,
    txHash: receipt.transactionHash,
    runNumber: String(e.runNumber),
    blockNumber: String(receipt.blockNumber),
    reason: e.success ? null : decodeRevertReason(e.reason),
  };
}

/**
 * A slot's skip (TIME, CRON, CONDITION), simulated or mined: the chain says the same things either way.
 * Not due though its slot is (`at` is past it): another run served it. Not due yet: it comes back at its
 * time. Not funded: it waits for its owner. Not active, expired or unknown: it will not run again.
 */
function slotSkip(d: VerdictDeps, item: BatchItem, skip: number, at: bigint, txHash: Hash | null, early: string) {
  if (skip === SkipReason.NOT_DUE && item.dueAt <= at) return skipped("ALREADY_SERVED", txHash);
  if (skip === SkipReason.NOT_DUE) return untilDue(d, item, early);
  if (skip === SkipReason.NOT_FUNDED) return outcomeOfError(new WorkflowFundsError("workflow cannot pay a run"));
  d.economics.forget(item.workflowId);
  return skipped(enumName(SkipReason, skip), txHash);
}

const skipped = (reason: string, txHash: Hash | null): Outcome => ({ kind: "skipped", reason, txHash });

const wouldRevert = (r: ItemSimulation) =>
  outcomeOfError(new RunRevertedError(`action would revert: ${decodeRevertReason(r.reason) ?? "no reason"}`));

/**
 * What one simulated item means for its job: undefined when it should be sent, else its outcome.
 * `landing` is the block the simulation ran as (its number and timestamp), `price` the gas price its
 * fees were computed at.
 */
export function simulatedOutcome(
  d: VerdictDeps,
  item: BatchItem,
  r: ItemSimulation,
  landing: Landing,
  price: bigint,
): Outcome | undefined {
  const target = landing.timestamp;
  if (r.skipReason === SkipReason.NONE) {
    if (!r.success) return wouldRevert(r);
    if (item.trigger === "CONDITION" && r.dueAt !== item.dueAt) {
      // A condition answered for an earlier schedule: the workflow has run since (maybe for a lost copy
      // of this job). Running it again could perform twice; the scheduler asks the checker afresh.
      // (Or one too old to matter: a reorg moved the schedule back for good.)
      if (r.dueAt > item.dueAt || target > item.dueAt + STALE_AFTER_S) return skipped("STALE_CHECK", null);
      // The node answered from before the run the index already showed (a lagging endpoint): ask again.
      return outcomeOfError(new RpcUnavailableError("the node's state is older than the index's"));
    }
    // It would run, and run well: sent only if its fee covers what it costs the worker.
    return d.economics.judge(item, r, price);
  }
  if (item.trigger === "LOG") return logSkip(d, item, r.skipReason, target, null);
  if (r.skipReason === SkipReason.STALE_CHECK) {
    // Checked at a block our clock has not seen (the index ran ahead of a slow head poll): simulated as
    // of an older block, the check's block is "not mined yet". Asked again once the head moves on.
    const ref = checkRefOf(item.performData);
    if (ref && ref.blockNumber >= landing.number)
      return outcomeOfError(new RpcUnavailableError("the check's block is newer than the node's head"));
    // The workflow ran since its check, or a reorg replaced the block it was asked at (the chain refuses
    // such an answer: lib/check-ref.ts). The scheduler asks afresh.
    return skipped("STALE_CHECK", null);
  }
  return slotSkip(d, item, r.skipReason, target, null, "not due in the next block");
}

/**
 * A LOG item's skip, simulated or mined: each log is its own run, guarded on chain, so no slot
 * bookkeeping applies. `at` is the landing or mined block's timestamp.
 */
function logSkip(d: VerdictDeps, item: BatchItem, skip: number, at: bigint, txHash: Hash | null): Outcome {
  switch (skip) {
    case SkipReason.LOG_ALREADY_SERVED:
      return skipped("ALREADY_SERVED", txHash);
    case SkipReason.LOG_NOT_CANONICAL:
      // Reorged out (the index drops it too), or a node behind the index: asked again for a while.
      if (at > item.dueAt + STALE_AFTER_S) return skipped("LOG_NOT_CANONICAL", txHash);
      return outcomeOfError(new RpcUnavailableError("the log's block is not on the node's chain (yet)"));
    case SkipReason.NOT_DUE:
      return { kind: "delay", untilMs: Date.now() + 5_000, why: "the workflow has not started", reason: "not_due" };
    case SkipReason.NOT_FUNDED:
      return outcomeOfError(new WorkflowFundsError("workflow cannot pay a run"));
    default:
      d.economics.forget(item.workflowId);
      return skipped(enumName(SkipReason, skip), txHash);
  }
}

/**
 * What a mined batch did to one item, from its event in the receipt (undefined: the mined version left
 * it out). `minedAt` is the block's timestamp.
 */
export function minedOutcome(
  d: VerdictDeps,
  item: BatchItem,
  e: ItemEvent | undefined,
  receipt: { transactionHash: Hash; blockNumber: bigint },
  minedAt: bigint,
): Outcome {
  // The version that was mined was re-simulated without this run (not due yet on a re-mined chain,
  // say): the job comes back at its due time and looks at the chain again before sending.
  if (!e) return untilDue(d, item, `run not in the mined version ${receipt.transactionHash}`);
  if (e.kind === "executed") {
    // This transaction served an earlier slot of the workflow; this job's own slot is still to come.
    if (item.trigger !== "LOG" && e.dueAt < item.dueAt) return untilDue(d, item, "an earlier slot ran in its place");
    return executedOutcome(e, receipt);
  }
  if (item.trigger === "LOG") return logSkip(d, item, e.reason, minedAt, receipt.transactionHash);
  return slotSkip(d, item, e.reason, minedAt, receipt.transactionHash, "landed before its due time");
}
