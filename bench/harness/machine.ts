/** What a result was measured on: cores, CPU, memory and the versions of every moving part. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { Redis } from "ioredis";
import postgres from "postgres";
import { anvilBinary } from "../../tools/anvil.js";

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  redis: string;
  postgres: string;
  anvil: string;
  ponder: string;
  bullmq: string;
}

const packageVersion = (name: string) =>
  (
    JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), "utf8")) as {
      version: string;
    }
  ).version;

export async function describeMachine(redisUrl: string, postgresUrl: string): Promise<Machine> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const redisVersion = await redis
    .info("server")
    .then((info) => /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown")
    .catch(() => "unreachable");
  redis.disconnect();
  const sql = postgres(postgresUrl, { max: 1, onnotice: () => {} });
  const pgVersion = await sql`SHOW server_version`
    .then((rows) => String(rows[0]?.server_version ?? "unknown"))
    .catch(() => "unreachable");
  await sql.end();
  const anvil = execFileSync(anvilBinary(), ["--version"], { encoding: "utf8" }).split("\n")[0]?.trim() ?? "unknown";
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    redis: redisVersion,
    postgres: pgVersion,
    anvil,
    ponder: packageVersion("ponder"),
    bullmq: packageVersion("bullmq"),
  };
}
