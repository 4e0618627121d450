/** A real Ponder process indexing a test chain into a fresh PGlite directory or Postgres database. */
import { randomBytes } from "node:crypto";
import { type PonderDatabase, type PonderProcess, startPonder } from "../ponder-process.js";
import type { Chain } from "./chain.js";
import { createTestDatabase } from "./databases.js";
import { freePort } from "./ports.js";

export type DatabaseKind = "pglite" | "postgres";

export interface Indexer extends PonderProcess {
  kind: DatabaseKind;
  database: PonderDatabase;
  queuePrefix: string;
  /** The database schema Ponder writes to (`ponder start --schema`). */
  schema: string;
  /** Waits until the index has caught up with the chain's current head. */
  catchUp(timeoutMs?: number): Promise<void>;
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
}

/** `wait: false` returns as soon as Ponder is spawned (a cold start), not once it is ready. */
export async function startIndexer(
  chain: Chain,
  kind: DatabaseKind,
  env: Record<string, string> = {},
  { wait = true }: { wait?: boolean } = {},
): Promise<Indexer> {
  const db = await createTestDatabase(kind);
  const queuePrefix = `test-${randomBytes(4).toString("hex")}`;
  const schema = `ak_${randomBytes(4).toString("hex")}`;
  const ponder = startPonder({
    rpcUrl: chain.anvil.rpcUrl,
    deployment: chain.deployment,
    database: db.database,
    port: await freePort(),
    schema,
    pollingMs: 200,
    env: { QUEUE_PREFIX: queuePrefix, ...env },
  });
  try {
    if (wait) await ponder.waitUntilReady();
  } catch (error) {
    await ponder.stop();
    await db.drop();
    throw error;
  }
  return {
    ...ponder,
    kind,
    database: db.database,
    queuePrefix,
    schema,
    // cacheTime 0: viem otherwise answers a head up to 4 s old, and we would wait for too little.
    catchUp: async (timeoutMs) =>
      ponder.waitForBlock(await chain.publicClient.getBlockNumber({ cacheTime: 0 }), timeoutMs),
    get: getFrom(ponder.url),
    stop: async () => {
      await ponder.stop();
      await db.drop();
    },
  };
}

/** GET `path` from a Ponder app at `url`: the status and the body, parsed when JSON (HTML pages stay text). */
export function getFrom(url: string): Indexer["get"] {
  return async <T>(path: string) => {
    const res = await fetch(`${url}${path}`, { redirect: "manual" });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // HTML pages stay text
    }
    return { status: res.status, body: body as T };
  };
}

/**
 * A read replica of `writer` (Postgres): `ponder serve` over its schema, sharing only the database, with
 * the same queue prefix for the API's queue state. Resolves once it answers /ready.
 */
export async function startReader(chain: Chain, writer: Indexer): Promise<PonderProcess> {
  const reader = startPonder({
    command: "serve",
    rpcUrl: chain.anvil.rpcUrl,
    deployment: chain.deployment,
    database: writer.database,
    schema: writer.schema,
    port: await freePort(),
    env: { QUEUE_PREFIX: writer.queuePrefix },
  });
  try {
    await reader.waitUntilReady();
  } catch (error) {
    await reader.stop();
    throw error;
  }
  return reader;
}
