import { ponder } from "ponder:registry";
import { execution, hourlyStat, logRun, skip, triggerLog, worker, workflow } from "ponder:schema";
import { decodeRevertReason } from "../lib/revert-reason.js";
import { enumName, SkipReason } from "../lib/spec.js";

const hourOf = (t: bigint) => t - (t % 3600n);

ponder.on("ActionExecutor:WorkflowExecuted", async ({ event, context }) => {
  const { id, runNumber, worker: by, success, gasUsed, fee, dueAt, nextExecutionAt, reason } = event.args;
  const time = event.block.timestamp;
  const triggerKind = (await context.db.find(workflow, { id }))?.triggerKind ?? "TIME";
  // A LOG run is late from its log's block (LogRun, just before this event, named the log).
  const link = triggerKind === "LOG" ? await context.db.find(logRun, { id: `${id}:${runNumber}` }) : undefined;
  const log = link ? await context.db.find(triggerLog, { id: link.triggerLogId }) : undefined;
  const from = log ? log.blockTime : dueAt;
  const lateness = time > from ? time - from : 0n;
  await context.db.insert(execution).values({
    id: event.id,
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
    triggerTxHash: log?.txHash ?? null,
    triggerLogIndex: link?.logIndex ?? null,
    triggerBlockNumber: link?.logBlockNumber ?? null,
    txHash: event.transaction.hash,
    blockNumber: event.block.number,
    logIndex: event.log.logIndex,
    reason: success ? null : reason,
    reasonText: success ? null : decodeRevertReason(reason),
  });
  await context.db.update(workflow, { id }).set((row) => ({
    runCount: Number(runNumber),
    successCount: row.successCount + (success ? 1 : 0),
    failureCount: row.failureCount + (success ? 0 : 1),
    nextExecutionAt,
    lastRunAt: time,
    lastRunSuccess: success,
    lastRunTx: event.transaction.hash,
    updatedAt: time,
  }));
  await context.db
    .insert(worker)
    .values({ address: by, runs: 1, failures: success ? 0 : 1, skips: 0, earned: fee, claimed: 0n, lastSeenAt: time })
    .onConflictDoUpdate((row) => ({
      runs: row.runs + 1,
      failures: row.failures + (success ? 0 : 1),
      earned: row.earned + fee,
      lastSeenAt: time,
    }));
  await context.db
    .insert(hourlyStat)
    .values({
      hour: hourOf(time),
      runs: 1,
      failures: success ? 0 : 1,
      skips: 0,
      gasUsed,
      fees: fee,
      latenessTotal: lateness,
    })
    .onConflictDoUpdate((row) => ({
      runs: row.runs + 1,
      failures: row.failures + (success ? 0 : 1),
      gasUsed: row.gasUsed + gasUsed,
      fees: row.fees + fee,
      latenessTotal: row.latenessTotal + lateness,
    }));
});

ponder.on("ActionExecutor:WorkflowSkipped", async ({ event, context }) => {
  const { id, worker: by, reason } = event.args;
  const time = event.block.timestamp;
  await context.db.insert(skip).values({
    id: event.id,
    workflowId: id,
    worker: by,
    reason: enumName(SkipReason, reason),
    txHash: event.transaction.hash,
    blockNumber: event.block.number,
    blockTime: time,
    logIndex: event.log.logIndex,
  });
  // Unknown ids have no row to count against.
  const row = await context.db.find(workflow, { id });
  if (row) await context.db.update(workflow, { id }).set({ skipCount: row.skipCount + 1 });
  await context.db
    .insert(worker)
    .values({ address: by, runs: 0, failures: 0, skips: 1, earned: 0n, claimed: 0n, lastSeenAt: time })
    .onConflictDoUpdate((w) => ({ skips: w.skips + 1, lastSeenAt: time }));
  await context.db
    .insert(hourlyStat)
    .values({ hour: hourOf(time), runs: 0, failures: 0, skips: 1, gasUsed: 0n, fees: 0n, latenessTotal: 0n })
    .onConflictDoUpdate((h) => ({ skips: h.skips + 1 }));
});
