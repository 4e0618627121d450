/** Reads from the index, shared by the REST routes and the explorer pages. */
import { db } from "ponder:api";
import { escrowMovement, execution, skip, triggerLog, worker, workflow, workflowEvent } from "ponder:schema";
import { and, count, desc, eq, gte, lt, or, sql, sum } from "ponder";
import { dueColumns, dueLogColumns, dueLogsWhere, dueOrder, dueWhere } from "../../lib/due.js";
import type { DueCursor } from "../../lib/due-types.js";
import type { TriggerKind, WorkflowStatus } from "./params.js";
import { CONDITION_LATENESS_NOTE, LATENESS_FROM } from "./trigger.js";

export type WorkflowRow = typeof workflow.$inferSelect;
export type ExecutionRow = typeof execution.$inferSelect;

export interface Page<T> {
  items: T[];
  next: T | undefined;
}

function page<T>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? items[items.length - 1] : undefined };
}

export async function findWorkflow(id: bigint): Promise<WorkflowRow | undefined> {
  const rows = await db.select().from(workflow).where(eq(workflow.id, id)).limit(1);
  return rows[0];
}

export async function listWorkflows(filter: {
  owner?: `0x${string}`;
  status?: WorkflowStatus;
  trigger?: TriggerKind;
  before?: bigint;
  limit: number;
}): Promise<Page<WorkflowRow>> {
  const rows = await db
    .select()
    .from(workflow)
    .where(
      and(
        filter.owner ? eq(workflow.owner, filter.owner) : undefined,
        filter.status ? eq(workflow.status, filter.status) : undefined,
        filter.trigger ? eq(workflow.triggerKind, filter.trigger) : undefined,
        filter.before !== undefined ? lt(workflow.id, filter.before) : undefined,
      ),
    )
    .orderBy(desc(workflow.id))
    .limit(filter.limit + 1);
  return page(rows, filter.limit);
}

/** Runs newest first; the cursor is the (block, log index) of the last run returned. */
export async function listExecutions(filter: {
  workflowId?: bigint;
  before?: [bigint, bigint];
  limit: number;
}): Promise<Page<ExecutionRow>> {
  const before = filter.before;
  const rows = await db
    .select()
    .from(execution)
    .where(
      and(
        filter.workflowId !== undefined ? eq(execution.workflowId, filter.workflowId) : undefined,
        before
          ? or(
              lt(execution.blockNumber, before[0]),
              and(eq(execution.blockNumber, before[0]), lt(execution.logIndex, Number(before[1]))),
            )
          : undefined,
      ),
    )
    .orderBy(desc(execution.blockNumber), desc(execution.logIndex))
    .limit(filter.limit + 1);
  return page(rows, filter.limit);
}

export async function recentSkips(workflowId: bigint, limit = 20) {
  return db
    .select()
    .from(skip)
    .where(eq(skip.workflowId, workflowId))
    .orderBy(desc(skip.blockNumber), desc(skip.logIndex))
    .limit(limit);
}

export async function workflowHistory(workflowId: bigint, limit = 50) {
  return db
    .select()
    .from(workflowEvent)
    .where(eq(workflowEvent.workflowId, workflowId))
    .orderBy(desc(workflowEvent.blockNumber), desc(workflowEvent.logIndex))
    .limit(limit);
}

export async function transaction(hash: `0x${string}`) {
  const [runs, skips, events, escrow, triggerLogs] = await Promise.all([
    db.select().from(execution).where(eq(execution.txHash, hash)).orderBy(execution.logIndex),
    db.select().from(skip).where(eq(skip.txHash, hash)).orderBy(skip.logIndex),
    db.select().from(workflowEvent).where(eq(workflowEvent.txHash, hash)).orderBy(workflowEvent.logIndex),
    db.select().from(escrowMovement).where(eq(escrowMovement.txHash, hash)).orderBy(escrowMovement.logIndex),
    // Logs in this transaction that LOG workflows matched: a run's "caused by" link lands here.
    db
      .select()
      .from(triggerLog)
      .where(eq(triggerLog.txHash, hash))
      .orderBy(triggerLog.logIndex, triggerLog.workflowId)
      .limit(500),
  ]);
  const first = runs[0] ?? skips[0] ?? events[0] ?? escrow[0] ?? triggerLogs[0];
  if (!first) return undefined;
  return { hash, blockNumber: first.blockNumber, blockTime: first.blockTime, runs, skips, events, escrow, triggerLogs };
}

export async function addressActivity(account: `0x${string}`) {
  const [owned, workerRow, movements, forwarderOf] = await Promise.all([
    db.select().from(workflow).where(eq(workflow.owner, account)).orderBy(desc(workflow.id)).limit(100),
    db.select().from(worker).where(eq(worker.address, account)).limit(1),
    db
      .select()
      .from(escrowMovement)
      .where(eq(escrowMovement.account, account))
      .orderBy(desc(escrowMovement.blockNumber), desc(escrowMovement.logIndex))
      .limit(50),
    db.select({ id: workflow.id }).from(workflow).where(eq(workflow.forwarder, account)).limit(1),
  ]);
  const balance = owned.reduce((total, w) => total + w.balance, 0n);
  return {
    address: account,
    workflows: owned,
    worker: workerRow[0],
    forwarderOf: forwarderOf[0]?.id,
    ownedBalance: balance,
    movements,
  };
}

export async function stats(nowSeconds: bigint) {
  const hourAgo = nowSeconds - 3600n;
  const dayAgo = nowSeconds - 86_400n;
  const [byStatus, totals, skips, lastHour, lastDay, lateness] = await Promise.all([
    db.select({ status: workflow.status, n: count() }).from(workflow).groupBy(workflow.status),
    db
      .select({
        runs: count(),
        failures: sql<string>`count(*) filter (where ${execution.success} = false)`,
        fees: sum(execution.fee),
      })
      .from(execution),
    db.select({ n: count() }).from(skip),
    db.select({ n: count() }).from(execution).where(gte(execution.blockTime, hourAgo)),
    db.select({ n: count() }).from(execution).where(gte(execution.blockTime, dayAgo)),
    db
      .select({
        kind: sql<string | null>`${execution.triggerKind}`,
        p50: sql<string | null>`percentile_cont(0.5) within group (order by ${execution.lateness})`,
        p95: sql<string | null>`percentile_cont(0.95) within group (order by ${execution.lateness})`,
        n: count(),
      })
      .from(execution)
      .where(gte(execution.blockTime, dayAgo))
      .groupBy(sql`rollup(${execution.triggerKind})`),
  ]);
  // rollup: one row per kind, then the all-kinds row (kind null).
  const percentiles = (row: (typeof lateness)[number] | undefined) => ({
    p50: seconds(row?.p50),
    p95: seconds(row?.p95),
    count: Number(row?.n ?? 0),
  });
  const all = lateness.find((r) => r.kind === null);
  const ofKind = (kind: TriggerKind) => percentiles(lateness.find((r) => r.kind === kind));
  const runs = Number(totals[0]?.runs ?? 0);
  const failures = Number(totals[0]?.failures ?? 0);
  const statusCounts = Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)]));
  return {
    workflows: {
      total: Object.values(statusCounts).reduce((a, b) => a + b, 0),
      byStatus: { ACTIVE: 0, PAUSED: 0, CANCELLED: 0, COMPLETED: 0, ...statusCounts },
    },
    runs: {
      total: runs,
      succeeded: runs - failures,
      failed: failures,
      successRate: runs === 0 ? null : (runs - failures) / runs,
      lastHour: Number(lastHour[0]?.n ?? 0),
      lastDay: Number(lastDay[0]?.n ?? 0),
      feesPaid: BigInt(totals[0]?.fees ?? 0),
    },
    skips: Number(skips[0]?.n ?? 0),
    /** Every kind together, as before per-kind figures existed; `lateness` is the one to read. */
    latenessSeconds: { window: "last 24 h", runs: Number(all?.n ?? 0), p50: seconds(all?.p50), p95: seconds(all?.p95) },
    /** Seconds late over the last 24 h, per trigger kind: each measures from the moment its kind became due. */
    lateness: {
      TIME: { ...ofKind("TIME"), from: LATENESS_FROM.TIME },
      CRON: { ...ofKind("CRON"), from: LATENESS_FROM.CRON },
      LOG: { ...ofKind("LOG"), from: LATENESS_FROM.LOG },
      CONDITION: {
        ...ofKind("CONDITION"),
        from: LATENESS_FROM.CONDITION,
        note: CONDITION_LATENESS_NOTE,
      },
    },
  };
}

/** Percentiles interpolate between whole seconds: 24.799999999999994 is 24.8. */
function seconds(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  return Math.round(Number(value) * 100) / 100;
}

export async function dueWorkflows(horizon: bigint, limit: number, after?: DueCursor) {
  const rows = await db
    .select(dueColumns(workflow))
    .from(workflow)
    .where(dueWhere(workflow, horizon, after))
    .orderBy(...dueOrder(workflow))
    .limit(limit + 1);
  return page(rows, limit);
}

export type TriggerLogRow = typeof triggerLog.$inferSelect;

/** A LOG workflow's matching logs, newest first; the cursor is the (block, log index) of the last one returned. */
export async function listTriggerLogs(filter: {
  workflowId: bigint;
  before?: [bigint, bigint];
  limit: number;
}): Promise<Page<TriggerLogRow>> {
  const before = filter.before;
  const rows = await db
    .select()
    .from(triggerLog)
    .where(
      and(
        eq(triggerLog.workflowId, filter.workflowId),
        before
          ? or(
              lt(triggerLog.blockNumber, before[0]),
              and(eq(triggerLog.blockNumber, before[0]), lt(triggerLog.logIndex, Number(before[1]))),
            )
          : undefined,
      ),
    )
    .orderBy(desc(triggerLog.blockNumber), desc(triggerLog.logIndex))
    .limit(filter.limit + 1);
  return page(rows, filter.limit);
}

export async function dueLogs(limit: number) {
  return db
    .select(dueLogColumns(workflow, triggerLog))
    .from(triggerLog)
    .innerJoin(workflow, eq(workflow.id, triggerLog.workflowId))
    .where(dueLogsWhere(workflow, triggerLog))
    .orderBy(triggerLog.workflowId, triggerLog.blockNumber, triggerLog.logIndex)
    .limit(limit);
}

export async function latestExecutions(limit: number) {
  return listExecutions({ limit }).then((p) => p.items);
}
