/**
 * Reads what is due from the index (Ponder's SQL-over-HTTP endpoint with @ponder/client), so it works
 * on the embedded PGlite database as well as on Postgres.
 */
import { createClient } from "@ponder/client";
import { and, asc, eq, gte, lte, sql } from "drizzle-orm";
import * as schema from "../../ponder.schema.js";

export interface DueWorkflow {
  id: bigint;
  triggerKind: string;
  checkerKind: string;
  checker: `0x${string}`;
  triggerData: `0x${string}`;
  nextExecutionAt: bigint;
  gasLimit: number;
}

export class IndexReader {
  readonly #client;

  constructor(readonly ponderUrl: string) {
    this.#client = createClient(`${ponderUrl}/sql`, { schema });
  }

  /** Active, funded workflows due at or before `horizon`: one set-based query on (status, next due). */
  async due(horizon: bigint, limit = 10_000): Promise<DueWorkflow[]> {
    const w = schema.workflow;
    return this.#client.db
      .select({
        id: w.id,
        triggerKind: w.triggerKind,
        checkerKind: w.checkerKind,
        checker: w.checker,
        triggerData: w.triggerData,
        nextExecutionAt: w.nextExecutionAt,
        gasLimit: w.gasLimit,
      })
      .from(w)
      .where(
        and(
          eq(w.status, "ACTIVE"),
          lte(w.nextExecutionAt, horizon),
          gte(w.balance, sql`${w.maxFeePerRun} + ${w.totalValue}`),
        ),
      )
      .orderBy(asc(w.nextExecutionAt))
      .limit(limit);
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
