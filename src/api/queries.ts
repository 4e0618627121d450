/**
 * Reads from the index, shared by the REST routes and the explorer pages. Every row carries its chain; a
 * `chainId` argument left undefined means every chain the index serves.
 */
import { db } from "ponder:api";
import { escrowMovement, execution, skip, triggerLog, worker, workflow, workflowEvent } from "ponder:schema";
import type { AnyColumn } from "drizzle-orm";
import { bigint, pgTable, text, varchar } from "drizzle-orm/pg-core";
import { and, asc, count, desc, eq, gt, gte, lt, not, or, sql, sum } from "ponder";
import {
  dueColumns,
  dueLogColumns,
  dueLogsJoin,
  dueLogsWhere,
  dueOrder,
  dueWhere,
  fundedWhere,
} from "../../lib/due.js";
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

/** `column = chainId`, or no condition when every chain is meant. */
const onChain = (column: AnyColumn, chainId: number | undefined) =>
  chainId === undefined ? undefined : eq(column, chainId);

/** The workflows with this id: one per chain that has it (`chainId`: only that chain's). */
export async function findWorkflows(id: bigint, chainId?: number): Promise<WorkflowRow[]> {
  return db
    .select()
    .from(workflow)
    .where(and(eq(workflow.id, id), onChain(workflow.chainId, chainId)))
    .orderBy(asc(workflow.chainId))
    .limit(100);
}

/** Newest first (by id, then chain); the cursor is the (id, chain id) of the last workflow returned. */
export async function listWorkflows(filter: {
  chainId?: number;
  owner?: `0x${string}`;
  status?: WorkflowStatus;
  trigger?: TriggerKind;
  before?: [bigint, number];
  limit: number;
}): Promise<Page<WorkflowRow>> {
  const before = filter.before;
  const rows = await db
    .select()
    .from(workflow)
    .where(
      and(
        onChain(workflow.chainId, filter.chainId),
        filter.owner ? eq(workflow.owner, filter.owner) : undefined,
        filter.status ? eq(workflow.status, filter.status) : undefined,
        filter.trigger ? eq(workflow.triggerKind, filter.trigger) : undefined,
        before
          ? or(lt(workflow.id, before[0]), and(eq(workflow.id, before[0]), lt(workflow.chainId, before[1])))
          : undefined,
      ),
    )
    .orderBy(desc(workflow.id), desc(workflow.chainId))
    .limit(filter.limit + 1);
  return page(rows, filter.limit);
}

/** A workflow's runs newest first; the cursor is the (block, log index) of the last run returned. */
export async function listExecutions(filter: {
  chainId: number;
  workflowId: bigint;
  before?: [bigint, bigint];
  limit: number;
}): Promise<Page<ExecutionRow>> {
  const before = filter.before;
  const rows = await db
    .select()
    .from(execution)
    .where(
      and(
        eq(execution.chainId, filter.chainId),
        eq(execution.workflowId, filter.workflowId),
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

export async function recentSkips(chainId: number, workflowId: bigint, limit = 20) {
  return db
    .select()
    .from(skip)
    .where(and(eq(skip.chainId, chainId), eq(skip.workflowId, workflowId)))
    .orderBy(desc(skip.blockNumber), desc(skip.logIndex))
    .limit(limit);
}

export async function workflowHistory(chainId: number, workflowId: bigint, limit = 50) {
  return db
    .select()
    .from(workflowEvent)
    .where(and(eq(workflowEvent.chainId, chainId), eq(workflowEvent.workflowId, workflowId)))
    .orderBy(desc(workflowEvent.blockNumber), desc(workflowEvent.logIndex))
    .limit(limit);
}

/**
 * Everything in a transaction. A hash names one chain's transaction (EIP-155 signatures include the chain),
 * but an unprotected one can be replayed on another: `chainId` keeps to one chain, and each row names its own.
 */
export async function transaction(hash: `0x${string}`, chainId?: number) {
  const [runs, skips, events, escrow, triggerLogs] = await Promise.all([
    db
      .select()
      .from(execution)
      .where(and(eq(execution.txHash, hash), onChain(execution.chainId, chainId)))
      .orderBy(execution.chainId, execution.logIndex),
    db
      .select()
      .from(skip)
      .where(and(eq(skip.txHash, hash), onChain(skip.chainId, chainId)))
      .orderBy(skip.chainId, skip.logIndex),
    db
      .select()
      .from(workflowEvent)
      .where(and(eq(workflowEvent.txHash, hash), onChain(workflowEvent.chainId, chainId)))
      .orderBy(workflowEvent.chainId, workflowEvent.logIndex),
    db
      .select()
      .from(escrowMovement)
      .where(and(eq(escrowMovement.txHash, hash), onChain(escrowMovement.chainId, chainId)))
      .orderBy(escrowMovement.chainId, escrowMovement.logIndex),
    // Logs in this transaction that LOG workflows matched: a run's "caused by" link lands here.
    db
      .select()
      .from(triggerLog)
      .where(and(eq(triggerLog.txHash, hash), onChain(triggerLog.chainId, chainId)))
      .orderBy(triggerLog.chainId, triggerLog.logIndex, triggerLog.workflowId)
      .limit(500),
  ]);
  const first = runs[0] ?? skips[0] ?? events[0] ?? escrow[0] ?? triggerLogs[0];
  if (!first) return undefined;
  return {
    hash,
    chainId: first.chainId,
    blockNumber: first.blockNumber,
    blockTime: first.blockTime,
    runs,
    skips,
    events,
    escrow,
    triggerLogs,
  };
}

/**
 * An address's workflows, worker record, forwarder role and escrow movements, and per chain what only adds
 * up within a chain: balances are in each chain's own currency, and a worker has a record on each.
 */
export async function addressActivity(account: `0x${string}`, chainId?: number) {
  const [owned, workers, movements, forwarders] = await Promise.all([
    db
      .select()
      .from(workflow)
      .where(and(eq(workflow.owner, account), onChain(workflow.chainId, chainId)))
      .orderBy(desc(workflow.id), asc(workflow.chainId))
      .limit(100),
    db
      .select()
      .from(worker)
      .where(and(eq(worker.address, account), onChain(worker.chainId, chainId)))
      .orderBy(worker.chainId),
    db
      .select()
      .from(escrowMovement)
      .where(and(eq(escrowMovement.account, account), onChain(escrowMovement.chainId, chainId)))
      .orderBy(desc(escrowMovement.blockTime), desc(escrowMovement.blockNumber), desc(escrowMovement.logIndex))
      .limit(50),
    // The same registry at the same address on two chains gives a workflow id the same forwarder on both.
    db
      .select({ chainId: workflow.chainId, id: workflow.id })
      .from(workflow)
      .where(and(eq(workflow.forwarder, account), onChain(workflow.chainId, chainId)))
      .orderBy(workflow.chainId)
      .limit(100),
  ]);
  const chainIds = [...new Set([...owned, ...workers, ...movements, ...forwarders].map((row) => row.chainId))].sort(
    (a, b) => a - b,
  );
  return {
    address: account,
    workflows: owned,
    movements,
    chains: chainIds.map((c) => ({
      chainId: c,
      ownedBalance: owned.filter((w) => w.chainId === c).reduce((total, w) => total + w.balance, 0n),
      worker: workers.find((w) => w.chainId === c),
      forwarderOf: forwarders.find((f) => f.chainId === c)?.id,
    })),
  };
}

export type AddressActivity = Awaited<ReturnType<typeof addressActivity>>;

/** Totals over one chain, or over every chain (`chainId` undefined). */
/**
 * `deadLettered`: jobs in the queue's dead-letter set (runs that never reached the chain), counted as
 * failures in the success rate; null when the queue could not be read (the rate then counts the chain only).
 */
export async function stats(nowSeconds: bigint, chainId: number | undefined, deadLettered: number | null) {
  const hourAgo = nowSeconds - 3600n;
  const dayAgo = nowSeconds - 86_400n;
  const runsOnChain = onChain(execution.chainId, chainId);
  const [byStatus, totals, skips, lastHour, lastDay, lateness] = await Promise.all([
    db
      .select({ status: workflow.status, n: count() })
      .from(workflow)
      .where(onChain(workflow.chainId, chainId))
      .groupBy(workflow.status),
    db
      .select({
        runs: count(),
        failures: sql<string>`count(*) filter (where ${execution.success} = false)`,
        fees: sum(execution.fee),
      })
      .from(execution)
      .where(runsOnChain),
    db.select({ n: count() }).from(skip).where(onChain(skip.chainId, chainId)),
    db
      .select({ n: count() })
      .from(execution)
      .where(and(runsOnChain, gte(execution.blockTime, hourAgo))),
    db
      .select({ n: count() })
      .from(execution)
      .where(and(runsOnChain, gte(execution.blockTime, dayAgo))),
    db
      .select({
        kind: sql<string | null>`${execution.triggerKind}`,
        p50: sql<string | null>`percentile_cont(0.5) within group (order by ${execution.lateness})`,
        p95: sql<string | null>`percentile_cont(0.95) within group (order by ${execution.lateness})`,
        n: count(),
      })
      .from(execution)
      .where(and(runsOnChain, gte(execution.blockTime, dayAgo)))
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
  const attempted = runs + (deadLettered ?? 0);
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
      deadLettered,
      /** Succeeded over every run attempted: those on chain and those dead-lettered before reaching it. */
      successRate: attempted === 0 ? null : (runs - failures) / attempted,
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

/** Active workflows whose last run failed on chain, most recent failure first. */
export async function failingWorkflows(chainId: number | undefined, limit: number): Promise<WorkflowRow[]> {
  return db
    .select()
    .from(workflow)
    .where(and(onChain(workflow.chainId, chainId), eq(workflow.status, "ACTIVE"), eq(workflow.lastRunSuccess, false)))
    .orderBy(desc(workflow.lastRunAt), desc(workflow.id))
    .limit(limit);
}

/** Active workflows that cannot pay a run (lib/due.ts), newest first. */
export async function unfundedWorkflows(chainId: number | undefined, limit: number): Promise<WorkflowRow[]> {
  return db
    .select()
    .from(workflow)
    .where(and(onChain(workflow.chainId, chainId), eq(workflow.status, "ACTIVE"), not(fundedWhere(workflow))))
    .orderBy(desc(workflow.id), asc(workflow.chainId))
    .limit(limit);
}

/** The decoded revert reason of a workflow's latest failed run (null: none, or no reason given). */
export async function lastFailure(chainId: number, workflowId: bigint): Promise<string | null> {
  const [row] = await db
    .select({ reason: execution.reasonText })
    .from(execution)
    .where(and(eq(execution.chainId, chainId), eq(execution.workflowId, workflowId), eq(execution.success, false)))
    .orderBy(desc(execution.blockNumber), desc(execution.logIndex))
    .limit(1);
  return row?.reason ?? null;
}

export async function dueWorkflows(chainId: number, horizon: bigint, limit: number, after?: DueCursor) {
  const rows = await db
    .select(dueColumns(workflow))
    .from(workflow)
    .where(dueWhere(workflow, chainId, horizon, after))
    .orderBy(...dueOrder(workflow))
    .limit(limit + 1);
  return page(rows, limit);
}

export type TriggerLogRow = typeof triggerLog.$inferSelect;

/** A LOG workflow's matching logs, newest first; the cursor is the (block, log index) of the last one returned. */
export async function listTriggerLogs(filter: {
  chainId: number;
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
        eq(triggerLog.chainId, filter.chainId),
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

export async function dueLogs(chainId: number, limit: number) {
  return db
    .select(dueLogColumns(workflow, triggerLog))
    .from(triggerLog)
    .innerJoin(workflow, dueLogsJoin(workflow, triggerLog))
    .where(dueLogsWhere(workflow, triggerLog, chainId))
    .orderBy(triggerLog.workflowId, triggerLog.blockNumber, triggerLog.logIndex)
    .limit(limit);
}

/** The latest runs of one chain or of all: by block time, since block numbers of two chains do not compare. */
export async function latestExecutions(limit: number, chainId?: number): Promise<ExecutionRow[]> {
  return db
    .select()
    .from(execution)
    .where(onChain(execution.chainId, chainId))
    .orderBy(desc(execution.blockTime), desc(execution.blockNumber), desc(execution.logIndex), asc(execution.chainId))
    .limit(limit);
}

/**
 * Ponder's own record of how far it has indexed each chain (what its /status answers), in the app's
 * schema beside the tables: read unqualified as /status reads it, the search path of the API's
 * connection names that schema on Postgres and on PGlite alike. `latest_checkpoint` is Ponder's
 * fixed-width checkpoint: 10 digits of block time, 16 of chain id, 16 of block number, then the event.
 */
const ponderCheckpoint = pgTable("_ponder_checkpoint", {
  chainName: text("chain_name").primaryKey(),
  chainId: bigint("chain_id", { mode: "number" }).notNull(),
  latestCheckpoint: varchar("latest_checkpoint", { length: 75 }).notNull(),
});

/** The last block indexed per chain id (a chain missing has not been started on yet). */
export async function indexedBlocks(): Promise<Map<number, bigint>> {
  const rows = await db
    .select({ chainId: ponderCheckpoint.chainId, checkpoint: ponderCheckpoint.latestCheckpoint })
    .from(ponderCheckpoint);
  const blocks = new Map<number, bigint>();
  for (const row of rows) {
    const block = row.checkpoint.slice(26, 42);
    if (/^\d{16}$/.test(block)) blocks.set(Number(row.chainId), BigInt(block));
  }
  return blocks;
}

/** One thing that happened to a workflow, as GET /api/activity lists them (what alerting follows). */
export type ActivityItem =
  | { kind: "run"; blockNumber: bigint; logIndex: number; run: ExecutionRow }
  | { kind: "status"; blockNumber: bigint; logIndex: number; event: typeof workflowEvent.$inferSelect }
  | {
      kind: "balance";
      blockNumber: bigint;
      logIndex: number;
      movement: typeof escrowMovement.$inferSelect;
      /** What one run needs the balance to hold (max fee + the value its actions send), as of now. */
      perRun: bigint;
    };

/**
 * One chain's runs, status changes and workflow balance movements after the (block, log index) cursor,
 * in chain order. Each kind is read up to `limit` and the merge cut at `limit`: whatever is in the first
 * `limit` overall is in the first `limit` of its own kind.
 */
export async function activitySince(chainId: number, after: [bigint, bigint], limit: number): Promise<ActivityItem[]> {
  const later = (block: AnyColumn, logIndex: AnyColumn) =>
    or(gt(block, after[0]), and(eq(block, after[0]), gt(logIndex, Number(after[1]))));
  const [runs, events, movements] = await Promise.all([
    db
      .select()
      .from(execution)
      .where(and(eq(execution.chainId, chainId), later(execution.blockNumber, execution.logIndex)))
      .orderBy(asc(execution.blockNumber), asc(execution.logIndex))
      .limit(limit),
    db
      .select()
      .from(workflowEvent)
      .where(
        and(
          eq(workflowEvent.chainId, chainId),
          eq(workflowEvent.kind, "status"),
          later(workflowEvent.blockNumber, workflowEvent.logIndex),
        ),
      )
      .orderBy(asc(workflowEvent.blockNumber), asc(workflowEvent.logIndex))
      .limit(limit),
    db
      .select({ movement: escrowMovement, maxFeePerRun: workflow.maxFeePerRun, totalValue: workflow.totalValue })
      .from(escrowMovement)
      .innerJoin(
        workflow,
        and(eq(workflow.chainId, escrowMovement.chainId), eq(workflow.id, escrowMovement.workflowId)),
      )
      .where(and(eq(escrowMovement.chainId, chainId), later(escrowMovement.blockNumber, escrowMovement.logIndex)))
      .orderBy(asc(escrowMovement.blockNumber), asc(escrowMovement.logIndex))
      .limit(limit),
  ]);
  const items: ActivityItem[] = [
    ...runs.map((run) => ({ kind: "run" as const, blockNumber: run.blockNumber, logIndex: run.logIndex, run })),
    ...events.map((event) => ({
      kind: "status" as const,
      blockNumber: event.blockNumber,
      logIndex: event.logIndex,
      event,
    })),
    ...movements.map(({ movement, maxFeePerRun, totalValue }) => ({
      kind: "balance" as const,
      blockNumber: movement.blockNumber,
      logIndex: movement.logIndex,
      movement,
      perRun: maxFeePerRun + totalValue,
    })),
  ];
  items.sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  );
  return items.slice(0, limit);
}
