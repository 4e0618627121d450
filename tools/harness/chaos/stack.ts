/**
 * The whole system as the chaos suite breaks it: anvil (1 s blocks) behind two JSON-RPC fault proxies,
 * A and B, that the executor and Ponder both reach as RPC_URLS=A,B; a private Redis for the queue; a
 * private Postgres under Ponder; and `npm run executor` as a real process. Ponder and the executor are
 * supervised the way a process manager runs them (restarted a second after they exit), so a kill is
 * followed by a restart and a crash shows up as one in `restarts`.
 *
 * The chain's base fee is held at BASE_FEE_GWEI (a quiet market), so a fee spike is a clear 10×.
 */

import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { parseGwei } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { DEV_KEYS } from "../../accounts.js";
import { type PonderProcess, startPonder } from "../../ponder-process.js";
import { type Chain, chainEnv, startChain } from "../chain.js";
import { anvilRequest } from "../chain-faults.js";
import { type ExecutorProcess, spawnExecutor } from "../executor.js";
import { chainMetrics, executorMetrics } from "../metrics.js";
import { freePort } from "../ports.js";
import { type FaultProxy, startFaultProxy } from "../rpc-proxy.js";
import { type PostgresServer, type RedisServer, startPostgresServer, startRedisServer } from "../servers.js";
import { sleep } from "../wait.js";

export const BASE_FEE_GWEI = 1;
/** The executor's MAX_FEE_GWEI in the chaos stack: above 2 × base + tip, below a 10× spike. */
export const MAX_FEE_GWEI = 5;

export interface ChaosStackOptions {
  /** The chain's block gas limit (its capacity). */
  gasLimit: bigint;
  /** Extra environment for the executor (the chaos defaults are the product's defaults otherwise). */
  executorEnv?: Record<string, string>;
  log?: (line: string) => void;
}

/** A child the stack restarts when it exits, as a process manager would. */
export class Supervised<P extends { process: ChildProcess }> {
  current: P;
  restarts = 0;
  #stopping = false;

  constructor(
    readonly name: string,
    private readonly launch: () => P,
    private readonly say: (line: string) => void,
  ) {
    this.current = this.#start();
  }

  #start(): P {
    const p = this.launch();
    p.process.once("exit", (code, signal) => {
      if (this.#stopping || this.current !== p) return;
      this.restarts += 1;
      this.say(`${this.name} exited (${signal ?? `code ${code}`}); restarting`);
      setTimeout(() => {
        if (!this.#stopping) this.current = this.#start();
      }, 1000);
    });
    return p;
  }

  /** SIGKILL, as a crash; the supervisor restarts it. */
  kill(): void {
    this.current.process.kill("SIGKILL");
  }

  /** Waits until the current process has exited and its successor is running. */
  async restarted(since: P): Promise<P> {
    while (this.current === since) await sleep(100);
    return this.current;
  }

  async stop(stop: (p: P) => Promise<unknown>): Promise<void> {
    this.#stopping = true;
    await stop(this.current);
  }
}

export interface ChaosStack {
  chain: Chain;
  proxies: [FaultProxy, FaultProxy];
  redis: RedisServer;
  postgres: PostgresServer;
  ponder: Supervised<PonderProcess>;
  executor: Supervised<ExecutorProcess>;
  /** Every line any executor process printed (for the secrets check). */
  executorOutput(): string;
  worker: `0x${string}`;
  queuePrefix: string;
  /** Holds the chain's base fee at this many gwei from the next block on. */
  setBaseFee(gwei: number): void;
  /**
   * The executor's /health (what it says is wrong), and values from one read of its /metrics, in order:
   * the series of this stack's chain (chainMetrics).
   */
  executorHealth(): Promise<{ status: string; problems: string[] } | undefined>;
  executorMetrics(...names: string[]): Promise<(number | undefined)[]>;
  /** The same of the process's own series (process_*, nodejs_*), which carry no chain. */
  processMetrics(...names: string[]): Promise<(number | undefined)[]>;
  stop(): Promise<void>;
}

export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const say = options.log ?? (() => {});
  const chain = await startChain({ anvil: { gasLimit: options.gasLimit } });
  const proxies: [FaultProxy, FaultProxy] = [
    await startFaultProxy(chain.anvil.rpcUrl, { seed: 1 }),
    await startFaultProxy(chain.anvil.rpcUrl, { seed: 2 }),
  ];
  const rpcUrls = proxies.map((p) => p.url).join(",");
  const redis = await startRedisServer();
  const pg = await startPostgresServer();
  const database = `autokeeper_chaos_${randomBytes(3).toString("hex")}`;
  await runSql(pg.url, `CREATE DATABASE ${database}`);
  const databaseUrl = new URL(pg.url);
  databaseUrl.pathname = `/${database}`;

  const queuePrefix = `chaos-${randomBytes(3).toString("hex")}`;
  const ponderPort = await freePort();
  const ponder = new Supervised(
    "ponder",
    () =>
      startPonder({
        rpcUrl: proxies[0].url,
        deployment: chain.deployment,
        database: { kind: "postgres", url: databaseUrl.toString() },
        port: ponderPort,
        schema: "chaos",
        // The default 1 s: at 200 ms, Ponder 0.16's rate limiter can shrink below its own polling
        // rate after a burst of timeouts and never recover (seen here; see the README).
        pollingMs: 1000,
        env: { RPC_URLS: rpcUrls, QUEUE_PREFIX: queuePrefix },
      }),
    say,
  );
  await ponder.current.waitUntilReady();

  const metricsPort = await freePort();
  const executorOutput: string[] = [];
  // Every executor line also goes to a file, so a lost or late run can be traced afterwards.
  const executorLog = join(tmpdir(), `${queuePrefix}-executor.log`);
  say(`executor log → ${executorLog}`);
  const keep = (d: Buffer) => {
    executorOutput.push(d.toString());
    appendFileSync(executorLog, d);
  };
  const env = {
    ...chainEnv(chain),
    RPC_URL: "",
    RPC_URLS: rpcUrls,
    PONDER_URL: ponder.current.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: queuePrefix,
    WORKER_PRIVATE_KEY: DEV_KEYS.worker,
    METRICS_PORT: String(metricsPort),
    MAX_FEE_GWEI: String(MAX_FEE_GWEI),
    // Half a block: a batch always fits in the block it is sent for.
    BATCH_GAS_LIMIT: String(options.gasLimit / 2n),
    ...options.executorEnv,
  };
  const executor = new Supervised(
    "executor",
    () => {
      const ex = spawnExecutor(env);
      ex.process.stdout?.on("data", keep);
      ex.process.stderr?.on("data", keep);
      return ex;
    },
    say,
  );

  // The base fee keeper: anvil applies the next block's base fee once, so it is set again and again.
  let baseFee = parseGwei(String(BASE_FEE_GWEI));
  let keeping = true;
  const keeper = (async () => {
    while (keeping) {
      await anvilRequest(chain, "anvil_setNextBlockBaseFeePerGas", [`0x${baseFee.toString(16)}`]).catch(() => {});
      await sleep(250);
    }
  })();

  return {
    chain,
    proxies,
    redis,
    postgres: pg,
    ponder,
    executor,
    executorOutput: () => executorOutput.join(""),
    worker: privateKeyToAccount(DEV_KEYS.worker).address,
    queuePrefix,
    setBaseFee: (gwei) => {
      baseFee = parseGwei(String(gwei));
    },
    executorHealth: async () => {
      const res = await fetch(`http://127.0.0.1:${metricsPort}/health`).catch(() => undefined);
      return res?.ok ? ((await res.json()) as { status: string; problems: string[] }) : undefined;
    },
    executorMetrics: (...names) => chainMetrics(metricsPort, chain.deployment.chainId, ...names),
    processMetrics: (...names) => executorMetrics(metricsPort, ...names),
    stop: async () => {
      keeping = false;
      await keeper;
      await executor.stop((e) => e.stop());
      await ponder.stop((p) => p.stop());
      await Promise.all(proxies.map((p) => p.close()));
      await redis.stop();
      await pg.stop();
      await chain.stop();
    },
  };
}

async function runSql(url: string, statement: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(statement);
  } finally {
    await sql.end();
  }
}
