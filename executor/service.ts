/**
 * The off-chain service: the scheduler turns due workflows from the index into queue jobs, the worker
 * turns jobs into mined transactions. Either or both run in one process, per the config's role.
 */
import type { Server } from "node:http";
import type { Worker } from "bullmq";
import { createPublicClient } from "viem";
import { chainFor } from "../lib/chains.js";
import { redisClient } from "../lib/redis.js";
import { ChainClock } from "./chain-clock.js";
import type { ExecutorConfig } from "./config.js";
import { createLogger, throttled } from "./log.js";
import { createMetrics, serveMetrics } from "./metrics.js";
import { createQueue } from "./queue.js";
import { rpcTransport, verifyEndpoints } from "./rpc.js";
import { ChainSchedule } from "./scheduler/chain-schedule.js";
import { createConditionChecker } from "./scheduler/conditions.js";
import { IndexReader } from "./scheduler/index-reader.js";
import { Reconciler } from "./scheduler/reconciler.js";
import { Scheduler } from "./scheduler/scheduler.js";
import { Batcher } from "./worker/batcher.js";
import { Earnings } from "./worker/earnings.js";
import { RunEconomics } from "./worker/economics.js";
import { startWorker } from "./worker/run-worker.js";
import { Signer } from "./worker/signer.js";
import { createSimulator } from "./worker/simulate.js";

/** Milliseconds since this process started: the start-up breakdown logged with "executor started". */
const sinceStart = () => Math.round(performance.now());

export async function startExecutor(config: ExecutorConfig) {
  const startup: Record<string, number> = { loaded: sinceStart() };
  const log = createLogger(config.logLevel, { role: config.role, chainId: config.network.chainId });
  const metrics = createMetrics();
  const chain = chainFor(config.network.chainId, config.network.rpcUrl);
  const { rpcUrls } = config.network;
  const rpc = {
    timeoutMs: config.rpcTimeoutMs,
    rankIntervalMs: Math.max(1000, config.pollMs * 5),
    maxConnections: config.rpcMaxConnections,
  };
  const client = createPublicClient({ chain, transport: rpcTransport(rpcUrls, rpc) });
  const clock = new ChainClock(client, config.pollMs, config.blockTimeMs);
  const queue = createQueue(config);
  const redis = redisClient(config, { maxRetriesPerRequest: 3 });
  const redisFailing = throttled();
  redis.on("error", (error) =>
    redisFailing((heldBack) => log.warn({ err: error.message, heldBack }, "redis connection error")),
  );
  // Start-up waits on round trips, not on this process, so they go out together: the endpoint check,
  // the clock's first blocks, and Redis (connected, BullMQ's scripts loaded, before the first pass needs
  // them). The check still has the last word: a wrong chain stops the process, and if no endpoint
  // answers, the clock starts once one does.
  void queue.waitUntilReady().catch(() => {});
  const verified = verifyEndpoints(rpcUrls, config.network.chainId, { timeoutMs: config.rpcTimeoutMs, log });
  const clockStarted = clock.start().catch(async () => {
    await verified;
    await clock.start();
  });
  clockStarted.catch(() => {}); // awaited below; a failed check must not also surface as unhandled
  await verified;
  startup.endpoints = sinceStart();
  await clockStarted;
  startup.clock = sinceStart();

  let scheduler: Scheduler | undefined;
  let worker: Worker | undefined;
  let batcher: Batcher | undefined;
  let earnings: Earnings | undefined;
  if (config.role !== "worker") {
    scheduler = new Scheduler({
      chainId: config.network.chainId,
      index: new IndexReader(config.ponderUrl, config.indexReader),
      queue,
      redis,
      clock,
      conditions: createConditionChecker(
        createPublicClient({ chain, transport: rpcTransport(rpcUrls, { ...rpc, batch: true }) }),
        { checkGasLimit: config.checkGasLimit, maxPerformDataBytes: config.maxPerformDataBytes },
        log.child({ component: "conditions" }),
        metrics,
      ),
      reconciler: new Reconciler({
        chainId: config.network.chainId,
        queue,
        client,
        registry: config.network.registry,
        log: log.child({ component: "reconciler" }),
        metrics,
      }),
      log: log.child({ component: "scheduler" }),
      metrics,
      // In one process the worker's simulation head start is known; a scheduler alone uses none.
      releaseAdvanceMs: () => batcher?.advanceMs() ?? 0,
      lookaheadSeconds: config.lookaheadSeconds,
      logConfirmations: config.confirmations,
      pollMs: config.pollMs,
      chain: new ChainSchedule({
        client,
        registry: config.network.registry,
        fromBlock: BigInt(config.network.startBlock),
        clock,
        log: log.child({ component: "chain-schedule" }),
      }),
    });
    void scheduler.start();
  }
  // After the scheduler has started: deriving a key's address builds secp256k1's tables on first use
  // (0.2 s of CPU here), now while the scheduler's first requests are in flight rather than before they
  // go out. A scheduler alone has no keys (config.ts), so no signers.
  const broadcastClients =
    rpcUrls.length > 1 && config.signerKeys.length > 0
      ? rpcUrls.map((url) => createPublicClient({ chain, transport: rpcTransport([url], { ...rpc, retries: 0 }) }))
      : undefined;
  const signers = config.signerKeys.map(
    (key) =>
      new Signer({
        key,
        client,
        broadcastClients,
        clock,
        options: {
          maxFeePerGas: config.maxFeePerGas,
          replaceAfterMs: config.replaceAfterMs,
          confirmations: config.confirmations,
          reorgDepth: config.reorgDepth,
        },
        log: log.child({ component: "signer" }),
        metrics,
      }),
  );

  if (config.role !== "scheduler") {
    // Logged when read; nothing waits for them (a signer's first send is checked by the node, and the
    // gauges below read them again every 5 s).
    for (const s of signers) {
      s.balance().then(
        (balance) => log.info({ signer: s.address, balanceWei: String(balance) }, "signer ready"),
        (error: unknown) => log.warn({ signer: s.address, err: (error as Error).message }, "signer balance unread"),
      );
    }
    const workerLog = log.child({ component: "worker" });
    batcher = new Batcher({
      client,
      signers,
      simulate: createSimulator(client, config.network.actionExecutor, workerLog),
      economics: new RunEconomics({ maxPerformDataBytes: config.maxPerformDataBytes, log: workerLog, metrics }),
      clock,
      options: {
        executor: config.network.actionExecutor,
        batchSize: config.batchSize,
        batchGasLimit: config.batchGasLimit,
        batchWaitMs: config.batchWaitMs,
        gasBufferPercent: config.gasBufferPercent,
        txTimeoutMs: config.txTimeoutMs,
      },
      log: workerLog,
      metrics,
    });
    worker = startWorker({ config, client, clock, batcher, signers, log: workerLog, metrics });
    // Claims each signer's FeeEscrow earnings (AUTO_CLAIM_MIN), and refills a signer parked out of gas money.
    earnings = new Earnings({
      client,
      clock,
      signers,
      options: {
        feeEscrow: config.network.feeEscrow,
        autoClaimMinWei: config.autoClaimMinWei,
        gasBufferPercent: config.gasBufferPercent,
      },
      log: log.child({ component: "earnings" }),
      metrics,
    });
  }

  // Queue depth and signer balances for the dashboards.
  const gauges = setInterval(async () => {
    try {
      const counts = await queue.getJobCounts("waiting", "delayed", "active", "failed", "prioritized");
      for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ state }, n);
      await Promise.all(signers.map((s) => s.balance()));
    } catch {
      // Redis or RPC briefly away: keep the last values
    }
  }, 5_000);

  let server: Server | undefined;
  if (config.metricsPort > 0) {
    server = await serveMetrics(metrics, config.metricsPort, () => {
      // What an operator paged at 3 a.m. wants first: is it working, and if not, what is it waiting for.
      const problems: string[] = [];
      const headAgeMs = Date.now() - clock.head.observedAtMs;
      if (headAgeMs > 10 * clock.blockTimeSeconds * 1000 + 5_000)
        problems.push(`no new block for ${Math.round(headAgeMs / 1000)} s`);
      if (config.role !== "scheduler") {
        for (const s of signers) if (!s.healthy) problems.push(`signer ${s.address} cannot pay for gas`);
        if (batcher?.feeCapped) problems.push("base fee at or above MAX_FEE_GWEI: runs wait");
      }
      if (scheduler && !scheduler.indexReady) problems.push("index not ready: TIME and CRON runs come from the chain");
      if (scheduler && scheduler.indexLag > 5n) problems.push(`index ${scheduler.indexLag} blocks behind the chain`);
      return {
        status: problems.length === 0 ? "ok" : "degraded",
        problems,
        role: config.role,
        chainId: config.network.chainId,
        head: String(clock.head.number),
        signers: signers.map((s) => ({ address: s.address, healthy: s.healthy, inFlight: s.inFlight })),
      };
    });
  }
  log.info(
    {
      ponderUrl: config.ponderUrl,
      actionExecutor: config.network.actionExecutor,
      signers: signers.map((s) => s.address),
      batchSize: config.batchSize,
      metricsPort: config.metricsPort,
      startupMs: { ...startup, started: sinceStart() },
    },
    "executor started",
  );

  /** Stop taking work, finish (or hand back) what is in flight, then close connections. */
  async function stop(): Promise<void> {
    log.info("shutting down: no new jobs; finishing batches in flight");
    clearInterval(gauges);
    earnings?.stop();
    await scheduler?.stop();
    if (worker) {
      const closing = worker.close();
      batcher?.flush();
      // Jobs still waiting on receipts after the grace period stay locked and come back to another worker.
      await Promise.race([closing, new Promise((r) => setTimeout(r, Math.min(config.txTimeoutMs, 30_000)))]);
    }
    clock.stop();
    for (const s of signers) s.stop();
    await queue.close();
    redis.disconnect();
    server?.close();
    log.info("stopped");
  }

  return { stop, log, metrics, queue };
}
