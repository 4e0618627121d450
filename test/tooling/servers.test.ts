/**
 * The private servers the fault tests break on purpose: Redis with AOF survives a SIGKILL and Redis
 * without it does not, and Postgres keeps its data across a crash restart and takes clients back.
 */
import { Redis } from "ioredis";
import postgres from "postgres";
import { afterAll, expect, it } from "vitest";
import {
  type PostgresServer,
  type RedisServer,
  startPostgresServer,
  startRedisServer,
} from "../../tools/harness/servers.js";

const started: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
});

async function killAndRestart(server: RedisServer): Promise<string | null> {
  const client = new Redis(server.url, { maxRetriesPerRequest: 0, lazyConnect: true });
  await client.connect();
  expect(await client.set("survivor", "yes")).toBe("OK");
  client.disconnect();
  await server.kill();
  await server.start();
  const again = new Redis(server.url, { maxRetriesPerRequest: 0, lazyConnect: true });
  await again.connect();
  try {
    return await again.get("survivor");
  } finally {
    again.disconnect();
  }
}

it("Redis with AOF keeps an acknowledged key across SIGKILL and restart", async () => {
  const redis = await startRedisServer({ aof: true });
  started.push(redis);
  expect(await killAndRestart(redis)).toBe("yes");
});

it("Redis without AOF loses everything on SIGKILL, and keeps it once AOF is switched on while it runs", async () => {
  const redis = await startRedisServer();
  started.push(redis);
  expect(await killAndRestart(redis)).toBeNull();
  await redis.setAof(true);
  expect(redis.aof).toBe(true);
  expect(await killAndRestart(redis)).toBe("yes");
  await redis.setAof(false);
  expect(await killAndRestart(redis)).toBeNull();
});

it("Postgres keeps a table across an immediate restart, and a client reconnects afterwards", async () => {
  const pg: PostgresServer = await startPostgresServer();
  started.push(pg);
  expect(pg.url).toBe(`postgres://postgres@127.0.0.1:${pg.port}/postgres`);
  // max 1 and idle connection kept: the restart cuts it, and the pool must open a new one by itself
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    await sql`create table kept (n int)`;
    await sql`insert into kept values (1), (2), (3)`;
    await pg.restart("immediate");
    expect(await sql`select count(*)::int as n from kept`).toEqual([{ n: 3 }]);
    await pg.restart("fast");
    expect(await sql`select sum(n)::int as n from kept`).toEqual([{ n: 6 }]);
  } finally {
    await sql.end({ timeout: 1 });
  }
});
