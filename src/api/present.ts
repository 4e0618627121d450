/**
 * API shapes for index rows: what a client sees, independent of how the tables are laid out. Each names
 * its chain: one index serves several, and a workflow id is only unique within one.
 */
import type { escrowMovement, skip, worker, workflowEvent } from "ponder:schema";
import type { ExecutionRow, TriggerLogRow, WorkflowRow } from "./queries.js";
import { decodeTrigger, LATENESS_FROM } from "./trigger.js";

export function presentWorkflow(w: WorkflowRow) {
  return {
    chainId: w.chainId,
    id: w.id,
    owner: w.owner,
    forwarder: w.forwarder,
    status: w.status,
    trigger: {
      kind: w.triggerKind,
      interval: w.interval,
      checkerKind: w.checkerKind,
      checker: w.checkerKind === "NONE" ? null : w.checker,
      data: w.triggerData,
      /** LOG: the filter decoded from `data`; CRON: the expression and its next ticks (null for other kinds). */
      ...decodeTrigger(w),
    },
    actions: w.actions,
    gasLimit: w.gasLimit,
    maxFeePerRun: w.maxFeePerRun,
    totalValue: w.totalValue,
    schedule: {
      startTime: w.startTime,
      nextExecutionAt: w.nextExecutionAt,
      maxRuns: w.maxRuns === 0n ? null : w.maxRuns,
      endTime: w.endTime === 0n ? null : w.endTime,
    },
    balance: w.balance,
    counts: { runs: w.runCount, succeeded: w.successCount, failed: w.failureCount, skipped: w.skipCount },
    lastRun: w.lastRunAt === null ? null : { at: w.lastRunAt, success: w.lastRunSuccess, txHash: w.lastRunTx },
    created: { block: w.createdBlock, txHash: w.createdTx, time: w.createdAt },
  };
}

export function presentExecution(e: ExecutionRow) {
  return {
    chainId: e.chainId,
    workflowId: e.workflowId,
    runNumber: e.runNumber,
    worker: e.worker,
    success: e.success,
    gasUsed: e.gasUsed,
    fee: e.fee,
    dueAt: e.dueAt,
    blockTime: e.blockTime,
    latenessSeconds: e.lateness,
    /** What latenessSeconds counts from; for CONDITION not the first "yes" (see /api/stats lateness.CONDITION.note). */
    latenessFrom: latenessFrom(e.triggerKind),
    nextExecutionAt: e.nextExecutionAt,
    txHash: e.txHash,
    blockNumber: e.blockNumber,
    logIndex: e.logIndex,
    triggerKind: e.triggerKind,
    /** LOG: the log that caused the run. */
    trigger:
      e.triggerTxHash === null
        ? null
        : { txHash: e.triggerTxHash, logIndex: e.triggerLogIndex, blockNumber: e.triggerBlockNumber },
    revert: e.success ? null : { data: e.reason, reason: e.reasonText },
  };
}

function latenessFrom(kind: string): string | null {
  return Object.hasOwn(LATENESS_FROM, kind) ? LATENESS_FROM[kind as keyof typeof LATENESS_FROM] : null;
}

/** A log a LOG workflow matched, and what became of it. */
export function presentTriggerLog(l: TriggerLogRow) {
  return {
    chainId: l.chainId,
    workflowId: l.workflowId,
    blockNumber: l.blockNumber,
    blockHash: l.blockHash,
    blockTime: l.blockTime,
    txHash: l.txHash,
    logIndex: l.logIndex,
    emitter: l.emitter,
    topics: l.topics,
    data: l.data,
    state: l.state,
    skipReason: l.skipReason,
    run: l.runTx === null ? null : { runNumber: l.runNumber, txHash: l.runTx, blockNumber: l.runBlock },
    runBlock: l.runBlock,
  };
}

export function presentSkip(s: typeof skip.$inferSelect) {
  return {
    chainId: s.chainId,
    workflowId: s.workflowId,
    worker: s.worker,
    reason: s.reason,
    txHash: s.txHash,
    blockNumber: s.blockNumber,
    blockTime: s.blockTime,
    logIndex: s.logIndex,
  };
}

export function presentEvent(e: typeof workflowEvent.$inferSelect) {
  return {
    chainId: e.chainId,
    workflowId: e.workflowId,
    kind: e.kind,
    detail: e.detail,
    txHash: e.txHash,
    blockNumber: e.blockNumber,
    blockTime: e.blockTime,
    logIndex: e.logIndex,
  };
}

export function presentMovement(m: typeof escrowMovement.$inferSelect) {
  return {
    chainId: m.chainId,
    kind: m.kind,
    workflowId: m.workflowId,
    account: m.account,
    amount: m.amount,
    balanceAfter: m.balanceAfter,
    txHash: m.txHash,
    blockNumber: m.blockNumber,
    blockTime: m.blockTime,
    logIndex: m.logIndex,
  };
}

/** A worker's record on one chain (the worker view sums its runs, skips and claims there). */
export function presentWorker(w: typeof worker.$inferSelect) {
  return {
    chainId: w.chainId,
    runs: w.runs,
    failures: w.failures,
    skips: w.skips,
    earned: w.earned,
    claimed: w.claimed,
    lastSeenAt: w.lastSeenAt,
  };
}
