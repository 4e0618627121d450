import { ponder } from "ponder:registry";
import { execution, logRun, skip, workflow } from "ponder:schema";
import { decodeRevertReason } from "../lib/revert-reason.js";
import { enumName, SkipReason } from "../lib/spec.js";
import { logRunId } from "./LogTrigger.js";

// A run costs the index two writes and no other reads: the workflow's update (which reads its row, and
// so its trigger kind) and the run's row. Per-worker and per-hour figures are derived from the runs when
// they are read (the worker and hourly_stat views), not kept per event.
ponder.on("ActionExecutor:WorkflowExecuted", async ({ event, context }) => {
  const { id, runNumber, worker: by, success, gasUsed, fee, dueAt, nextExecutionAt, reason } = event.args;
  const time = event.block.timestamp;
  const chainId = context.chain.id;
  const row = await context.db.update(workflow, { chainId, id }).set((w) => ({
    runCount: Number(runNumber),
    successCount: w.successCount + (success ? 1 : 0),
    failureCount: w.failureCount + (success ? 0 : 1),
    nextExecutionAt,
    lastRunAt: time,
    lastRunSuccess: success,
    lastRunTx: event.transaction.hash,
    updatedAt: time,
  }));
  const triggerKind = row.triggerKind;
  // A LOG run is late from its log's block (LogRun, just before this event, named the log).
  const link =
    triggerKind === "LOG" ? await context.db.find(logRun, { id: logRunId(chainId, id, runNumber) }) : undefined;
  const from = link?.logBlockTime ?? dueAt;
  const lateness = time > from ? time - from : 0n;
  await context.db.insert(execution).values({
    id: event.id,
    chainId,
    workflowId: id,
    runNumber: Number(runNumber),
    worker: by,
    success,
    gasUsed,
    fee,
    dueAt,
    nextExecutionAt,
    blockTime: time,
    triggerKind,
    lateness,
    triggerTxHash: link?.logTxHash ?? null,
    triggerLogIndex: link?.logIndex ?? null,
    triggerBlockNumber: link?.logBlockNumber ?? null,
    txHash: event.transaction.hash,
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    reason: success ? null : reason,
    reasonText: success ? null : decodeRevertReason(reason),
  });
});

ponder.on("ActionExecutor:WorkflowSkipped", async ({ event, context }) => {
  const { id, worker: by, reason } = event.args;
  const chainId = context.chain.id;
  await context.db.insert(skip).values({
    id: event.id,
    chainId,
    workflowId: id,
    worker: by,
    reason: enumName(SkipReason, reason),
    txHash: event.transaction.hash,
    blockNumber: event.block.number,
    blockTime: event.block.timestamp,
    logIndex: event.log.logIndex,
  });
  // Unknown ids have no row to count against.
  const row = await context.db.find(workflow, { chainId, id });
  if (row) await context.db.update(workflow, { chainId, id }).set({ skipCount: row.skipCount + 1 });
});
