import { ponder } from "ponder:registry";
import { workflow, workflowEvent } from "ponder:schema";
import { hexToString } from "viem";
import { decodeLogTrigger } from "../lib/log-trigger.js";
import { CheckerKind, enumName, Status, TriggerType, type WorkflowSpec } from "../lib/spec.js";
import { positionOf, setWatch, watchOf } from "./LogTrigger.js";

function specColumns(spec: WorkflowSpec) {
  const log = spec.trigger.kind === TriggerType.LOG ? decodeLogTrigger(spec.trigger.data) : undefined;
  return {
    logFilter: log
      ? {
          emitter: log.emitter,
          topics: [log.topic0, log.topic1 ?? null, log.topic2 ?? null, log.topic3 ?? null],
          checkData: log.checkData,
        }
      : null,
    cron: spec.trigger.kind === TriggerType.CRON ? hexToString(spec.trigger.data) : null,
    triggerKind: enumName(TriggerType, spec.trigger.kind),
    interval: spec.trigger.interval,
    checkerKind: enumName(CheckerKind, spec.trigger.checkerKind),
    checker: spec.trigger.checker,
    triggerData: spec.trigger.data,
    actions: spec.actions.map((a) => ({ target: a.target, value: a.value.toString(), data: a.data })),
    gasLimit: spec.gasLimit,
    maxFeePerRun: spec.maxFeePerRun,
    totalValue: spec.actions.reduce((sum, a) => sum + a.value, 0n),
    startTime: spec.startTime,
    maxRuns: spec.maxRuns,
    endTime: spec.endTime,
  };
}

ponder.on("WorkflowRegistry:WorkflowRegistered", async ({ event, context }) => {
  const { id, owner, forwarder, spec, nextExecutionAt, deposit } = event.args;
  const time = event.block.timestamp;
  await context.db.insert(workflow).values({
    chainId: context.chain.id,
    id,
    owner,
    forwarder,
    status: "ACTIVE",
    ...specColumns(spec),
    // The registry normalises a past start to the registration block.
    startTime: nextExecutionAt,
    nextExecutionAt,
    balance: 0n, // the escrow's Deposited event that follows sets it
    runCount: 0,
    successCount: 0,
    failureCount: 0,
    skipCount: 0,
    createdBlock: event.block.number,
    createdTx: event.transaction.hash,
    createdAt: time,
    updatedAt: time,
  });
  if (spec.trigger.kind === TriggerType.LOG) {
    await setWatch(
      context,
      id,
      watchOf({ id, ...specColumns(spec) }, event.block.number, event.log.logIndex),
      positionOf(event),
    );
  }
  await context.db.insert(workflowEvent).values({
    id: event.id,
    chainId: context.chain.id,
    workflowId: id,
    kind: "registered",
    detail: { owner, forwarder, deposit: deposit.toString(), nextExecutionAt: nextExecutionAt.toString() },
    txHash: event.transaction.hash,
    blockNumber: event.block.number,
    blockTime: time,
    logIndex: event.log.logIndex,
  });
});

ponder.on("WorkflowRegistry:WorkflowUpdated", async ({ event, context }) => {
  const { id, spec, nextExecutionAt } = event.args;
  await context.db
    .update(workflow, { chainId: context.chain.id, id })
    .set({ ...specColumns(spec), startTime: nextExecutionAt, nextExecutionAt, updatedAt: event.block.timestamp });
  // A new filter applies to the logs after the update; a workflow that is no longer LOG stops watching.
  const row = await context.db.find(workflow, { chainId: context.chain.id, id });
  const watching = spec.trigger.kind === TriggerType.LOG && row?.status === "ACTIVE";
  await setWatch(
    context,
    id,
    watching ? watchOf({ id, ...specColumns(spec) }, event.block.number, event.log.logIndex) : undefined,
    positionOf(event),
  );
  await context.db.insert(workflowEvent).values({
    id: event.id,
    chainId: context.chain.id,
    workflowId: id,
    kind: "updated",
    detail: { nextExecutionAt: nextExecutionAt.toString(), interval: spec.trigger.interval.toString() },
    txHash: event.transaction.hash,
    blockNumber: event.block.number,
    blockTime: event.block.timestamp,
    logIndex: event.log.logIndex,
  });
});

ponder.on("WorkflowRegistry:WorkflowStatusChanged", async ({ event, context }) => {
  const { id, previous, status, nextExecutionAt } = event.args;
  const from = enumName(Status, previous);
  const to = enumName(Status, status);
  const row = await context.db
    .update(workflow, { chainId: context.chain.id, id })
    .set({ status: to, nextExecutionAt, updatedAt: event.block.timestamp });
  // Logs emitted while a workflow is paused are not its to run (as missed TIME slots are skipped).
  if (row.triggerKind === "LOG") {
    const entry = to === "ACTIVE" ? watchOf(row, event.block.number, event.log.logIndex) : undefined;
    await setWatch(context, id, entry, positionOf(event));
  }
  await context.db.insert(workflowEvent).values({
    id: event.id,
    chainId: context.chain.id,
    workflowId: id,
    kind: "status",
    detail: { from, to, nextExecutionAt: nextExecutionAt.toString() },
    txHash: event.transaction.hash,
    blockNumber: event.block.number,
    blockTime: event.block.timestamp,
    logIndex: event.log.logIndex,
  });
});

ponder.on("WorkflowRegistry:WorkflowOwnershipTransferred", async ({ event, context }) => {
  const { id, previousOwner, newOwner } = event.args;
  await context.db
    .update(workflow, { chainId: context.chain.id, id })
    .set({ owner: newOwner, updatedAt: event.block.timestamp });
  await context.db.insert(workflowEvent).values({
    id: event.id,
    chainId: context.chain.id,
    workflowId: id,
    kind: "ownership",
    detail: { from: previousOwner, to: newOwner },
    txHash: event.transaction.hash,
    blockNumber: event.block.number,
    blockTime: event.block.timestamp,
    logIndex: event.log.logIndex,
  });
});
