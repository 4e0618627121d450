/**
 * Reads what is due from the index. Two transports ask the same question (lib/due.ts):
 * - "sql": Ponder's SQL-over-HTTP endpoint with @ponder/client. Correct when Ponder runs on Postgres.
 * - "api": the Ponder app's own GET /api/due. Correct on Postgres and on the embedded PGlite, where
 *   Ponder 0.16.10's /sql endpoint answers from a stale view once live indexing updates a row
 *   (reproduced here: a workflow row vanishes from /sql after its first run while /api still sees it).
 */
import type { DueLog, DueWorkflow } from "../../lib/due.js";

export type { DueLog, DueWorkflow };
export type IndexTransport = "api" | "sql";

/**
 * The SQL transport's modules, loaded on first use: Ponder's schema imports `ponder` itself, which took
 * 1.3 s of the executor's 2.4 s start-up on this machine, for a transport the default never uses.
 */
async function sqlTransport(ponderUrl: string) {
  const [{ createClient }, { asc, eq }, due, schema] = await Promise.all([
    import("@ponder/client"),
    import("drizzle-orm"),
    import("../../lib/due.js"),
    import("../../ponder.schema.js"),
  ]);
  return { client: createClient(`${ponderUrl}/sql`, { schema }), asc, eq, due, schema };
}

export class IndexReader {
  #sql: ReturnType<typeof sqlTransport> | undefined;

  constructor(
    readonly ponderUrl: string,
    readonly transport: IndexTransport = "api",
  ) {}

  #sqlTransport() {
    this.#sql ??= sqlTransport(this.ponderUrl);
    return this.#sql;
  }

  /** Active, funded workflows due at or before `horizon`: one set-based query on (status, next due). */
  async due(horizon: bigint): Promise<DueWorkflow[]> {
    if (this.transport === "sql") {
      const { client, asc, due, schema } = await this.#sqlTransport();
      const w = schema.workflow;
      return client.db
        .select(due.dueColumns(w))
        .from(w)
        .where(due.dueWhere(w, horizon))
        .orderBy(asc(w.nextExecutionAt))
        .limit(due.MAX_DUE_PAGE);
    }
    // No limit: the API answers its own largest page, lib/due.ts's MAX_DUE_PAGE (importing that module
    // here would load drizzle, ~80 ms of every start, for the SQL transport only).
    const res = await fetch(`${this.ponderUrl}/api/due?horizon=${horizon}`);
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
      const { client, asc, eq, due, schema } = await this.#sqlTransport();
      const { workflow: w, triggerLog: l } = schema;
      return client.db
        .select(due.dueLogColumns(w, l))
        .from(l)
        .innerJoin(w, eq(w.id, l.workflowId))
        .where(due.dueLogsWhere(w, l))
        .orderBy(asc(l.workflowId), asc(l.blockNumber), asc(l.logIndex))
        .limit(due.MAX_DUE_PAGE);
    }
    const res = await fetch(`${this.ponderUrl}/api/due/logs`);
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
