/**
 * Reads what is due from the index. Two transports ask the same question (lib/due.ts):
 * - "sql": Ponder's SQL-over-HTTP endpoint with @ponder/client. Correct when Ponder runs on Postgres.
 * - "api": the Ponder app's own GET /api/due. Correct on Postgres and on the embedded PGlite, where
 *   Ponder 0.16.10's /sql endpoint answers from a stale view once live indexing updates a row
 *   (reproduced here: a workflow row vanishes from /sql after its first run while /api still sees it).
 */
import { createClient } from "@ponder/client";
import { asc, eq } from "drizzle-orm";
import {
  type DueLog,
  type DueWorkflow,
  dueColumns,
  dueLogColumns,
  dueLogsWhere,
  dueWhere,
  MAX_DUE_PAGE,
} from "../../lib/due.js";
import * as schema from "../../ponder.schema.js";

export type { DueLog, DueWorkflow };
export type IndexTransport = "api" | "sql";

export class IndexReader {
  readonly #client;

  constructor(
    readonly ponderUrl: string,
    readonly transport: IndexTransport = "api",
  ) {
    this.#client = createClient(`${ponderUrl}/sql`, { schema });
  }

  /** Active, funded workflows due at or before `horizon`: one set-based query on (status, next due). */
  async due(horizon: bigint): Promise<DueWorkflow[]> {
    if (this.transport === "sql") {
      const w = schema.workflow;
      return this.#client.db
        .select(dueColumns(w))
        .from(w)
        .where(dueWhere(w, horizon))
        .orderBy(asc(w.nextExecutionAt))
        .limit(MAX_DUE_PAGE);
    }
    const res = await fetch(`${this.ponderUrl}/api/due?horizon=${horizon}&limit=${MAX_DUE_PAGE}`);
    if (!res.ok) throw new Error(`index answered ${res.status} for /api/due`);
    type Wire = Omit<DueWorkflow, "id" | "nextExecutionAt" | "interval" | "endTime" | "maxFeePerRun"> &
      Record<"id" | "nextExecutionAt" | "interval" | "endTime" | "maxFeePerRun", string>;
    const body = (await res.json()) as { items: Wire[] };
    return body.items.map((w) => ({
      ...w,
      id: BigInt(w.id),
      nextExecutionAt: BigInt(w.nextExecutionAt),
      interval: BigInt(w.interval),
      endTime: BigInt(w.endTime),
      maxFeePerRun: BigInt(w.maxFeePerRun),
    }));
  }

  /** Logs that LOG workflows owe a run, in log order per workflow (see lib/due.ts). */
  async dueLogs(): Promise<DueLog[]> {
    if (this.transport === "sql") {
      const { workflow: w, triggerLog: l } = schema;
      return this.#client.db
        .select(dueLogColumns(w, l))
        .from(l)
        .innerJoin(w, eq(w.id, l.workflowId))
        .where(dueLogsWhere(w, l))
        .orderBy(asc(l.workflowId), asc(l.blockNumber), asc(l.logIndex))
        .limit(MAX_DUE_PAGE);
    }
    const res = await fetch(`${this.ponderUrl}/api/due/logs?limit=${MAX_DUE_PAGE}`);
    if (!res.ok) throw new Error(`index answered ${res.status} for /api/due/logs`);
    type Wire = Omit<DueLog, "workflowId" | "blockNumber" | "blockTime" | "maxFeePerRun"> &
      Record<"workflowId" | "blockNumber" | "blockTime" | "maxFeePerRun", string>;
    const body = (await res.json()) as { items: Wire[] };
    return body.items.map((l) => ({
      ...l,
      workflowId: BigInt(l.workflowId),
      blockNumber: BigInt(l.blockNumber),
      blockTime: BigInt(l.blockTime),
      maxFeePerRun: BigInt(l.maxFeePerRun),
    }));
  }

  async ready(): Promise<boolean> {
    const res = await fetch(`${this.ponderUrl}/ready`).catch(() => undefined);
    return res?.ok ?? false;
  }

  /** The last block the index has processed. */
  async indexedBlock(): Promise<bigint | undefined> {
    const res = await fetch(`${this.ponderUrl}/status`).catch(() => undefined);
    if (!res?.ok) return undefined;
    const status = (await res.json()) as Record<string, { block: { number: number } }>;
    const first = Object.values(status)[0];
    return first ? BigInt(first.block.number) : undefined;
  }
}
