import { ponder } from "ponder:registry";
import { execution, logRun, runFailure, skip, workflow } from "ponder:schema";
import { decodeRevertReason } from "../lib/revert-reason.js";
import { enumName, SkipReason } from "../lib/spec.js";
import { insertMovement } from "./FeeEscrow.js";
import { runId } from "./LogTrigger.js";

// A run is one event, and costs the index three writes and no other reads: the workflow's update (which
// reads its row, and so its trigger kind and balance), the run's row and its charge's row. The escrow emits
// nothing for a charge (it cost every run 2.1k gas): WorkflowExecuted is the record of it, and the balance
// after it is the one before less the fee, exactly as FeeEscrow.charge computes it. Per-worker and per-hour
// figures are derived from the runs when they are read (the worker and hourly_stat views), not kept per event.
ponder.on("ActionExecutor:WorkflowExecuted", async ({ event, context }) => {
  const { id, runNumber, worker: by, success, gasUsed, fee, dueAt, nextExecutionAt } = event.args;
  const time = event.block.timestamp;
  const chainId = context.chain.id;
  const row = await context.db.update(workflow, { chainId, id }).set((w) => ({
    balance: w.balance - fee,
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
  const key = runId(chainId, id, runNumber);
  const link = triggerKind === "LOG" ? await context.db.find(logRun, { id: key }) : undefined;
  const reason = success ? null : ((await context.db.find(runFailure, { id: key }))?.reason ?? "0x");
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
    reason,
    reasonText: reason === null ? null : decodeRevertReason(reason),
  });
  await insertMovement(context, event, {
    kind: "charge",
    workflowId: id,
    account: by,
    amount: fee,
    balanceAfter: row.balance,
  });
});

ponder.on("ActionExecutor:WorkflowFailed", async ({ event, context }) => {
  const { id, runNumber, reason } = event.args;
  await context.db.insert(runFailure).values({ id: runId(context.chain.id, id, runNumber), reason });
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
