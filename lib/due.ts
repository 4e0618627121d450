/**
 * The one definition of "due" the scheduler asks the index: active, due by `horizon`, and able to pay
 * a run (balance ≥ max fee + the value its actions carry). Shared by both ways of reading the index.
 */
import { and, eq, gte, lte, sql } from "drizzle-orm";
import type { triggerLog, workflow } from "../ponder.schema.js";

type WorkflowTable = typeof workflow;
type TriggerLogTable = typeof triggerLog;

export function dueWhere(w: WorkflowTable, horizon: bigint) {
  return and(
    eq(w.status, "ACTIVE"),
    lte(w.nextExecutionAt, horizon),
    gte(w.balance, sql`${w.maxFeePerRun} + ${w.totalValue}`),
  );
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
    lastRunTx: w.lastRunTx,
  };
}

export interface DueWorkflow {
  id: bigint;
  triggerKind: string;
  checkerKind: string;
  checker: `0x${string}`;
  triggerData: `0x${string}`;
  nextExecutionAt: bigint;
  interval: bigint;
  endTime: bigint;
  gasLimit: number;
  /** The most a run may be charged (the scheduler leaves out slots ahead for a workflow that surely cannot pay). */
  maxFeePerRun: bigint;
  /** The transaction of the last run the index shows (null before the first run). */
  lastRunTx: `0x${string}` | null;
}

export const MAX_DUE_PAGE = 10_000;

/**
 * LOG runs still owed: logs a workflow matched that have not run (nor been declined by checkLog), of
 * workflows that are active and can pay, in log order per workflow. Joined on trigger_log.workflow_id.
 */
export function dueLogsWhere(w: WorkflowTable, l: TriggerLogTable) {
  return and(eq(l.state, "PENDING"), eq(w.status, "ACTIVE"), gte(w.balance, sql`${w.maxFeePerRun} + ${w.totalValue}`));
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

export interface DueLog {
  workflowId: bigint;
  blockNumber: bigint;
  blockHash: `0x${string}`;
  /** The log's block time: a LOG run is late from it. */
  blockTime: bigint;
  logIndex: number;
  /** A Chainlink log upkeep's checkLog answer (null for a workflow with actions). */
  performData: `0x${string}` | null;
  gasLimit: number;
  maxFeePerRun: bigint;
}
