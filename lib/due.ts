/**
 * The one definition of "due" the scheduler asks the index: active, due by `horizon`, and able to pay
 * a run (balance ≥ max fee + the value its actions carry). Shared by both ways of reading the index.
 */
import { and, asc, eq, gte, lte, sql } from "drizzle-orm";
import type { triggerLog, workflow } from "../ponder.schema.js";
import type { DueCursor } from "./due-types.js";

type WorkflowTable = typeof workflow;
type TriggerLogTable = typeof triggerLog;

/** Able to pay a run: the balance covers the max fee and the value its actions carry (the registry's NOT_FUNDED rule). */
export function fundedWhere(w: WorkflowTable) {
  return gte(w.balance, sql`${w.maxFeePerRun} + ${w.totalValue}`);
}

/** `fundedWhere` for a row already read. */
export function canPay(w: { balance: bigint; maxFeePerRun: bigint; totalValue: bigint }): boolean {
  return w.balance >= w.maxFeePerRun + w.totalValue;
}

/**
 * One chain's due set. `after`: the (next due, id) of the last row of the page before; rows come in that
 * order (`dueOrder`).
 */
export function dueWhere(w: WorkflowTable, chainId: number, horizon: bigint, after?: DueCursor) {
  return and(
    eq(w.chainId, chainId),
    eq(w.status, "ACTIVE"),
    lte(w.nextExecutionAt, horizon),
    fundedWhere(w),
    // A row comparison, which the (chain, status, next due, id) index answers as a range: many workflows share
    // a slot, and a page cut inside a slot must not sort the whole slot again.
    after
      ? sql`(${w.nextExecutionAt}, ${w.id}) > (${String(after[0])}::numeric, ${String(after[1])}::numeric)`
      : undefined,
  );
}

export function dueOrder(w: WorkflowTable) {
  return [asc(w.nextExecutionAt), asc(w.id)] as const;
}

export function dueColumns(w: WorkflowTable) {
  return {
    id: w.id,
    triggerKind: w.triggerKind,
    checkerKind: w.checkerKind,
    checker: w.checker,
    triggerData: w.triggerData,
    nextExecutionAt: w.nextExecutionAt,
    interval: w.interval,
    endTime: w.endTime,
    gasLimit: w.gasLimit,
    maxFeePerRun: w.maxFeePerRun,
    runCount: w.runCount,
  };
}

/**
 * LOG runs still owed: logs a workflow matched that have not run (nor been declined by checkLog), of
 * workflows that are active and can pay, in log order per workflow. Joined with `dueLogsJoin`.
 */
export function dueLogsWhere(w: WorkflowTable, l: TriggerLogTable, chainId: number) {
  return and(eq(l.chainId, chainId), eq(l.state, "PENDING"), eq(w.status, "ACTIVE"), fundedWhere(w));
}

/** A log's workflow: the same id on the same chain. */
export function dueLogsJoin(w: WorkflowTable, l: TriggerLogTable) {
  return and(eq(w.chainId, l.chainId), eq(w.id, l.workflowId));
}

export function dueLogColumns(w: WorkflowTable, l: TriggerLogTable) {
  return {
    workflowId: l.workflowId,
    blockNumber: l.blockNumber,
    blockHash: l.blockHash,
    blockTime: l.blockTime,
    logIndex: l.logIndex,
    performData: l.performData,
    gasLimit: w.gasLimit,
    maxFeePerRun: w.maxFeePerRun,
  };
}
