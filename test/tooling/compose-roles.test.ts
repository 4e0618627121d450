/**
 * docker-compose.yml's app roles, run here without Docker (no engine on this machine): the same
 * `sh scripts/compose.sh <role>` commands against a real anvil, Postgres and Redis, with the environment
 * the compose file gives them. Deploy twice (the second finds the contracts and deploys nothing), then
 * the indexer and the executor, and a workflow registered on the chain runs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import postgres from "postgres";
import { encodeFunctionData, parseEther } from "viem";
import { afterAll, expect, it } from "vitest";
import { counterAbi, counterBytecode, workflowRegistryAbi } from "../../abis/index.js";
import { Status, timeSpec } from "../../lib/spec.js";
import { DEV_KEYS } from "../../tools/accounts.js";
import { type Anvil, startAnvil } from "../../tools/anvil.js";
import { publicClientFor, walletFor } from "../../tools/clients.js";
import { createTestDatabase, type TestDatabase } from "../../tools/harness/databases.js";
import { freePort } from "../../tools/harness/ports.js";
import { sleep, until } from "../../tools/harness/wait.js";

const WORKER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // DEV_KEYS.worker's address

let anvil: Anvil | undefined;
let db: TestDatabase | undefined;
const dir = mkdtempSync(join(tmpdir(), "autokeeper-compose-"));
const children: ChildProcess[] = [];
/** A role runs npx or npm, which run node: each role is its own process group, signalled whole. */
const signal = (c: ChildProcess, sig: NodeJS.Signals) => {
  try {
    if (c.pid) process.kill(-c.pid, sig);
  } catch {
    // the group is gone
  }
};
process.once("exit", () => {
  for (const c of children) signal(c, "SIGKILL");
});
afterAll(async () => {
  // SIGINT, as Ponder wants it (SIGTERM leaves its schema locked).
  for (const c of children) signal(c, "SIGINT");
  await sleep(3000);
  for (const c of children) signal(c, "SIGKILL");
  await db?.drop();
  await anvil?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function role(args: string[], env: Record<string, string>) {
  const child = spawn("sh", ["scripts/compose.sh", ...args], {
    env: { ...(process.env as Record<string, string>), ...env },
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  children.push(child);
  const exited = new Promise<number | null>((r) => child.once("exit", r));
  return { output: () => output, exited };
}

it("deploys once, indexes, executes: a registered workflow runs", async () => {
  anvil = await startAnvil({ port: 0, blockTime: 1 });
  db = await createTestDatabase("postgres");
  const ponderPort = await freePort();
  const env = {
    // What docker-compose.yml's x-app environment sets, pointed at this machine's services.
    CHAIN: "anvil",
    RPC_URL: anvil.rpcUrl,
    DATABASE_URL: db.database.kind === "postgres" ? db.database.url : "",
    REDIS_URL: "redis://127.0.0.1:6379",
    PONDER_URL: `http://127.0.0.1:${ponderPort}`,
    DEPLOYMENTS_DIR: dir,
    PONDER_TELEMETRY_DISABLED: "true",
    PORT: String(ponderPort),
    METRICS_PORT: String(await freePort()),
    WORKER_PRIVATE_KEY: DEV_KEYS.worker,
  };
  const first = role(["deploy", WORKER], env);
  expect(await first.exited).toBe(0);
  const deployment = JSON.parse(readFileSync(join(dir, "31337.json"), "utf8")) as { registry: `0x${string}` };
  const again = role(["deploy", WORKER], env);
  expect(await again.exited).toBe(0);
  expect(again.output()).toContain(`already deployed on chain 31337: WorkflowRegistry ${deployment.registry}`);
  expect(JSON.parse(readFileSync(join(dir, "31337.json"), "utf8"))).toEqual(deployment);

  const indexer = role(["indexer"], env);
  await until(
    "the indexer to be ready",
    async () => (await fetch(`${env.PONDER_URL}/ready`).catch(() => undefined))?.ok === true,
    90_000,
  );
  // This chain's own schema and queue prefix, named after its genesis block.
  const genesis = await (await publicClientFor(anvil.rpcUrl)).getBlock({ blockNumber: 0n });
  const schema = `ak_${genesis.hash.slice(2, 10)}`;
  expect(indexer.output()).toContain("Created database tables");
  const executor = role(["executor"], env);
  await until("the executor to schedule", async () => executor.output().includes('"index ready; scheduling"'), 60_000);

  const client = await publicClientFor(anvil.rpcUrl);
  const owner = walletFor(client, DEV_KEYS.owner);
  const counter = (
    await client.waitForTransactionReceipt({
      hash: await owner.deployContract({ abi: counterAbi, bytecode: counterBytecode }),
    })
  ).contractAddress!;
  const start = (await client.getBlock()).timestamp + 3n;
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  await client.waitForTransactionReceipt({
    hash: await owner.writeContract({
      address: deployment.registry,
      abi: workflowRegistryAbi,
      functionName: "register",
      args: [timeSpec([inc], 0n, { startTime: start })],
      value: parseEther("1"),
    }),
  });
  const status = async () =>
    (
      await client.readContract({
        address: deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "getWorkflow",
        args: [1n],
      })
    )[1];
  await until("the workflow's run", async () => (await status()) === Status.COMPLETED, 30_000);
  expect(await client.readContract({ address: counter, abi: counterAbi, functionName: "count" })).toBe(1n);
  const sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    const schemas = await sql<{ name: string }[]>`select schema_name as name from information_schema.schemata`;
    expect(schemas.map((s) => s.name)).toContain(schema);
  } finally {
    await sql.end();
  }
  const redis = new Redis("redis://127.0.0.1:6379");
  try {
    expect((await redis.keys(`${schema}:runs-31337:*`)).length).toBeGreaterThan(0);
    const keys = await redis.keys(`${schema}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}, 180_000);
