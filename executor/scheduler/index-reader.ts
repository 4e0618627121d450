/**
 * Reads what is due from the index. Two transports ask the same question (lib/due.ts):
 * - "sql": Ponder's SQL-over-HTTP endpoint with @ponder/client. Correct when Ponder runs on Postgres.
 * - "api": the Ponder app's own GET /api/due. Correct on Postgres and on the embedded PGlite, where
 *   Ponder 0.16.10's /sql endpoint answers from a stale view once live indexing updates a row
 *   (reproduced here: a workflow row vanishes from /sql after its first run while /api still sees it).
 */
import { DUE_READ_PAGE, type DueCursor, type DueLog, type DueWorkflow, MAX_DUE_PAGE } from "../../lib/due-types.js";
import { nodeFetch } from "../../lib/node-fetch.js";

export type { DueLog, DueWorkflow };
export type IndexTransport = "api" | "sql";

/**
 * The SQL transport's modules, loaded on first use: Ponder's schema imports `ponder` itself, which took
 * 1.3 s of the executor's 2.4 s start-up on this machine, for a transport the default never uses.
 */
async function sqlTransport(ponderUrl: string) {
  const [{ createClient }, { asc }, due, schema] = await Promise.all([
    import("@ponder/client"),
    import("drizzle-orm"),
    import("../../lib/due.js"),
    import("../../ponder.schema.js"),
  ]);
  return { client: createClient(`${ponderUrl}/sql`, { schema }), asc, due, schema };
}

/** Not the global fetch: its first request was the peak of a scheduler's memory (lib/node-fetch.ts). */
const httpFetch = nodeFetch();
/**
 * An index that stops answering fails the pass (which the scheduler retries) rather than holding it
 * forever: the due query at 1M workflows answers in ~150 ms (bench/results: scheduler).
 */
const INDEX_TIMEOUT_MS = 30_000;
const get = (url: string) => httpFetch(url, { method: "GET", signal: AbortSignal.timeout(INDEX_TIMEOUT_MS) });

export class IndexReader {
  #sql: ReturnType<typeof sqlTransport> | undefined;

  constructor(
    readonly ponderUrl: string,
    /** The chain whose due work this reader asks for (one index serves every chain of CHAINS). */
    readonly chainId: number,
    readonly transport: IndexTransport = "api",
    /** Rows per read of the due set (tests make it small to read several pages). */
    readonly pageSize = DUE_READ_PAGE,
  ) {}

  #sqlTransport() {
    this.#sql ??= sqlTransport(this.ponderUrl);
    return this.#sql;
  }

  /**
   * Active, funded workflows due at or before `horizon`, soonest first: a set-based query on (status, next
   * due), read in pages of DUE_READ_PAGE up to MAX_DUE_PAGE (the rest wait for the next pass).
   */
  async due(horizon: bigint): Promise<DueWorkflow[]> {
    return this.transport === "sql"
      ? this.#pages((limit, after: DueCursor | undefined) => this.#sqlPage(horizon, limit, after))
      : this.#pages((limit, cursor: string | undefined) => this.#apiPage(horizon, limit, cursor));
  }

  /** Pages read one after another, each continuing where the one before ended (`next`). */
  async #pages<Next>(
    read: (limit: number, next: Next | undefined) => Promise<{ items: DueWorkflow[]; next: Next | undefined }>,
  ): Promise<DueWorkflow[]> {
    const all: DueWorkflow[] = [];
    let next: Next | undefined;
    while (all.length < MAX_DUE_PAGE) {
      const page = await read(Math.min(this.pageSize, MAX_DUE_PAGE - all.length), next);
      for (const w of page.items) all.push(w);
      if (page.next === undefined) break;
      next = page.next;
    }
    return all;
  }

  /** A page from the API; `cursor` is the `nextCursor` the page before answered (opaque here). */
  async #apiPage(horizon: bigint, limit: number, cursor: string | undefined) {
    const after = cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`;
    const res = await get(
      `${this.ponderUrl}/api/due?chainId=${this.chainId}&horizon=${horizon}&limit=${limit}${after}`,
    );
    if (!res.ok) throw new Error(`index answered ${res.status} for /api/due`);
    type Wire = Record<"id" | "nextExecutionAt" | "interval" | "endTime" | "maxFeePerRun", string>;
    const body = (await res.json()) as { items: Wire[]; nextCursor: string | null };
    // In place: a second set of objects would double what a page holds.
    for (const w of body.items) {
      const row = w as unknown as DueWorkflow;
      row.id = BigInt(w.id);
      row.nextExecutionAt = BigInt(w.nextExecutionAt);
      row.interval = BigInt(w.interval);
      row.endTime = BigInt(w.endTime);
      row.maxFeePerRun = BigInt(w.maxFeePerRun);
    }
    return { items: body.items as unknown as DueWorkflow[], next: body.nextCursor ?? undefined };
  }

  /** A page over SQL; `after`: the (next due, id) of the page before's last row. */
  async #sqlPage(horizon: bigint, limit: number, after: DueCursor | undefined) {
    const { client, due, schema } = await this.#sqlTransport();
    const w = schema.workflow;
    const items = await client.db
      .select(due.dueColumns(w))
      .from(w)
      .where(due.dueWhere(w, this.chainId, horizon, after))
      .orderBy(...due.dueOrder(w))
      .limit(limit);
    const last = items[items.length - 1];
    const next: DueCursor | undefined = items.length === limit && last ? [last.nextExecutionAt, last.id] : undefined;
    return { items, next };
  }

  /** Logs that LOG workflows owe a run, in log order per workflow (see lib/due.ts). */
  async dueLogs(): Promise<DueLog[]> {
    if (this.transport === "sql") {
      const { client, asc, due, schema } = await this.#sqlTransport();
      const { workflow: w, triggerLog: l } = schema;
      return client.db
        .select(due.dueLogColumns(w, l))
        .from(l)
        .innerJoin(w, due.dueLogsJoin(w, l))
        .where(due.dueLogsWhere(w, l, this.chainId))
        .orderBy(asc(l.workflowId), asc(l.blockNumber), asc(l.logIndex))
        .limit(MAX_DUE_PAGE);
    }
    const res = await get(`${this.ponderUrl}/api/due/logs?chainId=${this.chainId}`);
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
    const res = await get(`${this.ponderUrl}/ready`).catch(() => undefined);
    return res?.ok ?? false;
  }

  /** The last block of this reader's chain the index has processed. */
  async indexedBlock(): Promise<bigint | undefined> {
    const res = await get(`${this.ponderUrl}/status`).catch(() => undefined);
    if (!res?.ok) return undefined;
    const status = (await res.json()) as Record<string, { id: number; block: { number: number } }>;
    const mine = Object.values(status).find((s) => s.id === this.chainId);
    return mine ? BigInt(mine.block.number) : undefined;
  }
}
