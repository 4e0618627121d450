/**
 * npm run dev [-- --chains N] — the whole system on one machine: anvil (1 s blocks), the contracts and
 * demo workflows, Ponder on a fresh embedded PGlite, the scheduler and the executor. Prints the URLs, then
 * a live status line. Ctrl-C stops every child cleanly.
 *
 * --chains N: N local chains (ids 31337, 31338, ... on ports 8545, 8546, ...), each with the contracts
 * and the demos, indexed by one Ponder and served by one executor, as a multi-chain deployment runs.
 */
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { createTestClient, http } from "viem";
import { type Deployment, writeDeployment } from "../lib/deployments.js";
import { ConfigError, runMain } from "../lib/env.js";
import { chainsEnv } from "../lib/network.js";
import { redisConnection } from "../lib/redis.js";
import { DEV_KEYS } from "../tools/accounts.js";
import { type Anvil, startAnvil } from "../tools/anvil.js";
import { publicClientFor, walletFor } from "../tools/clients.js";
import { registerDemo } from "../tools/demo.js";
import { deployAutokeeper } from "../tools/deploy.js";
import { sleep } from "../tools/harness/wait.js";
import { type PonderProcess, startPonder } from "../tools/ponder-process.js";
import { killWithParent, stopChild } from "../tools/processes.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RUN_DIR = join(ROOT, ".ponder", "dev");
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const ANVIL_PORT = Number(process.env.ANVIL_PORT ?? 8545);
const PONDER_PORT = Number(process.env.PONDER_PORT ?? 42069);
const METRICS_PORT = Number(process.env.METRICS_PORT ?? 9464);
/** The dev chain starts from scratch every time, so its queue does too (see clearDevQueue). */
const QUEUE_PREFIX = process.env.QUEUE_PREFIX ?? "autokeeper-dev";
const ALERT_ALLOW_LOOPBACK = process.env.ALERT_ALLOW_LOOPBACK ?? "true";
const FIRST_CHAIN_ID = 31_337;
const tty = process.stdout.isTTY;
const say = (line: string) => console.log(line);

const children: { name: string; stop: () => Promise<unknown> }[] = [];

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(
    redisConnection(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      retryStrategy: () => null,
    }),
  );
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Redis from REDIS_URL, or one started for this session when redis-server is installed. */
async function ensureRedis(): Promise<void> {
  if (await redisAnswers(REDIS_URL)) return;
  const url = new URL(REDIS_URL);
  const local = ["127.0.0.1", "localhost"].includes(url.hostname);
  const hasServer = spawnSync("redis-server", ["--version"]).status === 0;
  if (!local || !hasServer) {
    throw new Error(
      `Redis does not answer at ${REDIS_URL}: start one with \`docker compose up -d redis\` or install redis-server (apt install redis-server / brew install redis)`,
    );
  }
  const child = killWithParent(
    spawn("redis-server", ["--port", url.port || "6379", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    }),
  );
  children.push({ name: "redis", stop: () => stopChild(child, "SIGTERM") });
  for (let i = 0; i < 50 && !(await redisAnswers(REDIS_URL)); i++) await sleep(100);
  say(`  redis      started for this session on ${REDIS_URL}`);
}

/** Drops the previous dev session's jobs: they belong to a chain that no longer exists. */
async function clearDevQueue(): Promise<void> {
  const redis = new Redis(redisConnection(REDIS_URL, { maxRetriesPerRequest: 3 }));
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${QUEUE_PREFIX}:*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** Recompiles when a Solidity file is newer than the generated ABIs. */
function compileIfNeeded(): void {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith(".sol"))
      .reduce((m, e) => Math.max(m, statSync(join(e.parentPath, e.name)).mtimeMs), 0);
  const abis = join(ROOT, "abis", "index.ts");
  if (existsSync(abis) && newest(join(ROOT, "contracts")) <= statSync(abis).mtimeMs) return;
  say("  compiling contracts…");
  const r = spawnSync(process.execPath, ["--import", "tsx", "contracts/scripts/compile.ts"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (r.status !== 0) throw new Error("compile failed");
}

runMain(async () => {
  const started = Date.now();
  say("Autokeeper dev stack");
  await ensureRedis();
  await clearDevQueue();
  compileIfNeeded();

  const chains: DevChain[] = [];
  for (let i = 0; i < chainCount(process.argv); i++) chains.push(await startDevChain(i));
  const targets = chains.map((c) => ({ rpcUrl: c.anvil.rpcUrl, deployment: c.deployment }));

  rmSync(RUN_DIR, { recursive: true, force: true });
  mkdirSync(RUN_DIR, { recursive: true });
  const ponderLog = createWriteStream(join(RUN_DIR, "ponder.log"));
  const ponder: PonderProcess = startPonder({
    rpcUrl: targets[0]!.rpcUrl,
    deployment: targets[0]!.deployment,
    chains: targets,
    database: { kind: "pglite", directory: join(RUN_DIR, "pglite") },
    port: PONDER_PORT,
    schema: "dev",
    // Everything runs on this machine: an owner's test receiver on localhost may subscribe.
    env: { QUEUE_PREFIX, REDIS_URL, ALERT_ALLOW_LOOPBACK },
    onOutput: (text) => ponderLog.write(text),
  });
  children.unshift({ name: "ponder", stop: () => ponder.stop() });
  await ponder.waitUntilReady();

  const executorLog = createWriteStream(join(RUN_DIR, "executor.log"));
  const executor = killWithParent(
    spawn(process.execPath, ["--import", "tsx", "executor/main.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...chainsEnv(targets),
        PONDER_URL: ponder.url,
        REDIS_URL,
        WORKER_PRIVATE_KEY: DEV_KEYS.worker,
        METRICS_PORT: String(METRICS_PORT),
        QUEUE_PREFIX,
        ALERT_ALLOW_LOOPBACK,
      },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  executor.stdout?.pipe(executorLog);
  executor.stderr?.pipe(executorLog);
  children.unshift({ name: "executor", stop: () => stopChild(executor, "SIGINT") });

  const base = `http://localhost:${PONDER_PORT}`;
  say("");
  say(`  explorer   ${base}/`);
  say(`  API        ${base}/api/stats   (reference: ${base}/docs)`);
  say(`  GraphQL    ${base}/graphql`);
  say(`  metrics    http://localhost:${METRICS_PORT}/metrics`);
  say(`  logs       ${join(RUN_DIR, "ponder.log")}, ${join(RUN_DIR, "executor.log")}`);
  say(`  ready in ${((Date.now() - started) / 1000).toFixed(1)} s — Ctrl-C stops everything`);
  say("");

  // The demo oracle moves every 20 s, so the Gelato-style task has something to do.
  const oracle = setInterval(() => {
    for (const { demo } of chains) void demo.nudgePrice().catch(() => {});
  }, 20_000);
  // The demo emitter pings every 15 s, so the LOG workflow has logs to run for.
  const ping = () => {
    for (const { demo } of chains) void demo.ping().catch(() => {});
  };
  const pinger = setInterval(ping, 15_000);
  ping();
  const status = setInterval(
    async () => {
      try {
        const [blocks, stats] = await Promise.all([
          Promise.all(chains.map((c) => c.client.getBlockNumber({ cacheTime: 0 }))),
          fetch(`${base}/api/stats`).then((r) => r.json() as Promise<StatsBody>),
        ]);
        const q = stats.queue.available ? stats.queue : { waiting: 0, delayed: 0, active: 0, dead: 0 };
        const head =
          chains.length === 1
            ? `block ${blocks[0]}`
            : `blocks ${chains.map((c, i) => `${c.deployment.chainId}:${blocks[i]}`).join(" ")}`;
        const line = `${head} · due ${q.waiting + q.active} · queued ${q.delayed} · executed ${stats.runs.total} · failed ${stats.runs.failed + q.dead}`;
        if (tty) process.stdout.write(`\r\x1b[2K${line}`);
        else say(line);
      } catch {
        // a restart in progress; the next tick shows it
      }
    },
    tty ? 1000 : 5000,
  );

  await new Promise<void>((resolve) => {
    const shutdown = async () => {
      clearInterval(oracle);
      clearInterval(pinger);
      clearInterval(status);
      say("\nstopping…");
      for (const child of children) await child.stop();
      ponderLog.end();
      executorLog.end();
      say("stopped");
      resolve();
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
    executor.once("exit", (code) => {
      if (code !== 0 && code !== null) say(`\nexecutor exited with ${code}; see ${join(RUN_DIR, "executor.log")}`);
    });
  });
});

/** `--chains N`: how many local chains to run (1 when absent). */
function chainCount(argv: string[]): number {
  const i = argv.indexOf("--chains");
  if (i < 0) return 1;
  const raw = argv[i + 1] ?? "";
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 8) throw new ConfigError("--chains: must be 1 to 8");
  return Number(raw);
}

interface DevChain {
  anvil: Anvil;
  client: Awaited<ReturnType<typeof publicClientFor>>;
  deployment: Deployment;
  demo: Awaited<ReturnType<typeof registerDemo>>;
}

/** The i-th local chain: anvil on ANVIL_PORT + i with id 31337 + i, the contracts, the demos, 1 s blocks. */
async function startDevChain(i: number): Promise<DevChain> {
  const port = ANVIL_PORT + i;
  const chainId = FIRST_CHAIN_ID + i;
  let anvil: Anvil;
  try {
    // Set-up runs on automine (instant); the chain switches to 1 s blocks once it is done.
    anvil = await startAnvil({ port, chainId });
  } catch (error) {
    throw new Error(
      `anvil could not start on port ${port} (is another node running? set ANVIL_PORT): ${(error as Error).message.split("\n")[0]}`,
    );
  }
  children.push({ name: `anvil ${chainId}`, stop: () => anvil.stop() });
  say(`  anvil      ${anvil.rpcUrl} (chain ${chainId}, 1 s blocks)`);

  const client = await publicClientFor(anvil.rpcUrl);
  const deployer = walletFor(client, DEV_KEYS.deployer);
  const worker = walletFor(client, DEV_KEYS.worker);
  const deployment = await deployAutokeeper(client, deployer, { workers: [worker.account.address] });
  writeDeployment(deployment);
  say(`  contracts  registry ${deployment.registry}, executor ${deployment.actionExecutor}`);
  const demo = await registerDemo(client, deployer, walletFor(client, DEV_KEYS.owner), deployment);
  const test = createTestClient({ mode: "anvil", chain: client.chain, transport: http(anvil.rpcUrl) });
  await test.setAutomine(false);
  await test.setIntervalMining({ interval: 1 });
  say(
    `  workflows  #${demo.ids.counter} counter every 5 s, #${demo.ids.upkeep} Chainlink-style upkeep, #${demo.ids.gelato} Gelato-style task, #${demo.ids.failing} failing target, #${demo.ids.onPing} on every Ping (one every 15 s), #${demo.ids.cron} cron "* * * * *"`,
  );
  return { anvil, client, deployment, demo };
}

interface StatsBody {
  runs: { total: number; failed: number };
  queue: { available: boolean; waiting: number; delayed: number; active: number; dead: number };
}
