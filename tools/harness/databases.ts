/**
 * The databases an indexer suite runs against: PGlite in a fresh directory, or a fresh database on
 * the machine's Postgres (so no suite sees another's ponder_sync cache or schemas).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { PonderDatabase } from "../ponder-process.js";

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  database: PonderDatabase;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: "pglite" | "postgres"): Promise<TestDatabase> {
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  if (kind === "pglite") {
    const directory = mkdtempSync(join(tmpdir(), "autokeeper-pglite-"));
    return { database: { kind, directory }, drop: async () => rmSync(directory, { recursive: true, force: true }) };
  }
  const name = `autokeeper_test_${suffix}`;
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    database: { kind, url: url.toString() },
    drop: async () => {
      const sql = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
      await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await sql.end();
    },
  };
}
