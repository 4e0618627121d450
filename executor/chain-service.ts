/**
 * Everything the executor runs for one chain: its RPC clients and clock, its queue, the scheduler that
 * fills the queue, the worker that drains it with signers of its own (a key's nonces are per chain), the
 * batcher, earnings and gauges. Nothing here is shared with another chain's service (no client,
 * connection, timer or queue), so one chain's RPC outage, full blocks or backlog cannot slow another's.
 */
import type { Worker } from "bullmq";
import { createPublicClient } from "viem";
import { workflowRegistryAbi } from "../abis/index.js";
import { chainFor } from "../lib/chains.js";
import type { Network } from "../lib/network.js";
import { redisClient } from "../lib/redis.js";
import { createAlertQueue } from "./alerts/deliver.js";
import { Subscribers } from "./alerts/subscribers.js";
import { AlertWatch } from "./alerts/watch.js";
import { ChainClock } from "./chain-clock.js";
import type { ExecutorConfig } from "./config.js";
import { type Logger, throttled } from "./log.js";
import type { Metrics } from "./metrics.js";
import { createQueue } from "./queue.js";
import { rpcTransport, verifyEndpoints } from "./rpc.js";
import { ChainSchedule } from "./scheduler/chain-schedule.js";
import { createConditionChecker } from "./scheduler/conditions.js";
import { IndexReader } from "./scheduler/index-reader.js";
import { Reconciler } from "./scheduler/reconciler.js";
import { Scheduler } from "./scheduler/scheduler.js";
import type { SecretKey } from "./secret.js";
import { Batcher } from "./worker/batcher.js";
import { Earnings } from "./worker/earnings.js";
import { RunEconomics } from "./worker/economics.js";
import { startWorker } from "./worker/run-worker.js";
import { Signer } from "./worker/signer.js";
import { createSimulator } from "./worker/simulate.js";

/** Milliseconds since this process started: the start-up breakdown logged with "executor started". */
export const sinceStart = () => Math.round(performance.now());

export interface ChainServiceDeps {
  config: ExecutorConfig;
  network: Network;
  /** This chain's signer keys (config.signerKeys): none for a scheduler alone. */
  keys: SecretKey[];
  /** The process's logger, with this chain's id bound when the process serves several. */
  log: Logger;
  /** This chain's registry (createMetrics(chainId)): its series carry the chain label. */
  metrics: Metrics;
  /** Stops a start still waiting for an endpoint: the process is stopping, or another chain failed. */
  signal: AbortSignal;
}

/** What /health says about one chain. */
export interface ChainHealth {
  chainId: number;
  problems: string[];
  /** The head block, or null while the chain is still starting. */
  head: string | null;
  signers: { address: string; healthy: boolean; inFlight: number }[];
}

export interface ChainService {
  network: Network;
  log: Logger;
  signers: Signer[];
  /** Since the process started: when this chain's endpoints answered, and when its clock had the head. */
  startupMs: { endpoints: number; clock: number };
  health(): ChainHealth;
  /** Stop taking work, finish (or hand back) what is in flight, then close this chain's connections. */
  stop(): Promise<void>;
}

/** Starts one chain's scheduler and/or worker (per the role); resolves once they run. */
export async function startChainService({
  config,
  network,
  keys,
  log,
  metrics,
  signal,
}: ChainServiceDeps): Promise<ChainService> {
  const chain = chainFor(network.chainId, network.rpcUrl);
  const { rpcUrls } = network;
  const rpc = {
    timeoutMs: config.rpcTimeoutMs,
    rankIntervalMs: Math.max(1000, config.pollMs * 5),
    maxConnections: config.rpcMaxConnections,
    // Connections of its own: a chain whose node hangs holds none another chain waits for, even when
    // both chains' endpoints are on one origin.
    pool: `chain-${network.chainId}`,
  };
  const client = createPublicClient({ chain, transport: rpcTransport(rpcUrls, rpc) });
  const clock = new ChainClock(client, config.pollMs, config.blockTimeMs);
  const queue = createQueue({ ...config, chainId: network.chainId });
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
  const verified = verifyEndpoints(rpcUrls, network.chainId, {
    timeoutMs: config.rpcTimeoutMs,
    log,
    suffix: config.suffixedVariables ? `_${network.chainId}` : "",
    signal,
  });
  const clockStarted = clock.start().catch(async () => {
    await verified;
    await clock.start();
  });
  clockStarted.catch(() => {}); // awaited below; a failed check must not also surface as unhandled
  const startupMs = { endpoints: 0, clock: 0 };
  try {
    await verified;
    startupMs.endpoints = sinceStart();
    await clockStarted;
    startupMs.clock = sinceStart();
  } catch (error) {
    // Never started: let go of what was opened (a clock start still in flight stops when it ends).
    void clockStarted.then(
      () => clock.stop(),
      () => {},
    );
    void queue.close().catch(() => {});
    redis.disconnect();
    throw error;
  }

  let scheduler: Scheduler | undefined;
  let worker: Worker | undefined;
  let batcher: Batcher | undefined;
  let earnings: Earnings | undefined;
  if (config.role !== "worker") {
    scheduler = new Scheduler({
      chainId: network.chainId,
      index: new IndexReader(config.ponderUrl, network.chainId, config.indexReader),
      queue,
      redis,
      clock,
      conditions: createConditionChecker(
        createPublicClient({ chain, transport: rpcTransport(rpcUrls, { ...rpc, batch: true }) }),
        {
          checkGasLimit: config.checkGasLimit,
          maxPerformDataBytes: config.maxPerformDataBytes,
          registry: network.registry,
        },
        log.child({ component: "conditions" }),
        metrics,
      ),
      reconciler: new Reconciler({
        chainId: network.chainId,
        queue,
        client,
        registry: network.registry,
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
        registry: network.registry,
        fromBlock: BigInt(network.startBlock),
        clock,
        log: log.child({ component: "chain-schedule" }),
      }),
    });
    void scheduler.start();
  }
  // After the scheduler has started: deriving a key's address builds secp256k1's tables on first use
  // (0.2 s of CPU here), now while the scheduler's first requests are in flight rather than before they
  // go out. A scheduler alone has no keys (config.ts), so no signers. Each chain has signers of its own
  // even for the same key: a key's nonces, balance and fees are per chain.
  const broadcastClients =
    rpcUrls.length > 1 && keys.length > 0
      ? rpcUrls.map((url) => createPublicClient({ chain, transport: rpcTransport([url], { ...rpc, retries: 0 }) }))
      : undefined;
  const signers = keys.map(
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
      simulate: createSimulator(client, network.actionExecutor, workerLog),
      economics: new RunEconomics({ maxPerformDataBytes: config.maxPerformDataBytes, log: workerLog, metrics }),
      clock,
      options: {
        executor: network.actionExecutor,
        batchSize: config.batchSize,
        batchGasLimit: config.batchGasLimit,
        batchWaitMs: config.batchWaitMs,
        gasBufferPercent: config.gasBufferPercent,
        txTimeoutMs: config.txTimeoutMs,
      },
      log: workerLog,
      metrics,
    });
    worker = startWorker({ config, network, client, clock, batcher, signers, log: workerLog, metrics });
    // Claims each signer's FeeEscrow earnings (AUTO_CLAIM_MIN), and refills a signer parked out of gas money.
    earnings = new Earnings({
      client,
      clock,
      signers,
      options: {
        feeEscrow: network.feeEscrow,
        autoClaimMinWei: config.autoClaimMinWei,
        gasBufferPercent: config.gasBufferPercent,
      },
      log: log.child({ component: "earnings" }),
      metrics,
    });
  }

  // Alerts: what this chain's index, queue and signers say, raised for delivery (service.ts delivers) to
  // the operator's webhook, if set, and to owners' subscriptions.
  const alertQueue = createAlertQueue(config);
  const alertWatch = new AlertWatch({
    chainId: network.chainId,
    ponderUrl: config.ponderUrl,
    alerts: alertQueue,
    runs: queue,
    redis,
    prefix: config.queuePrefix,
    clock,
    signers,
    thresholds: config.alerts.thresholds,
    operator: config.alerts.delivery.operator !== undefined,
    subscribers: new Subscribers({
      redis,
      prefix: config.queuePrefix,
      chainId: network.chainId,
      ownerOf: async (id) =>
        (
          await client.readContract({
            address: network.registry,
            abi: workflowRegistryAbi,
            functionName: "ownerAndStatus",
            args: [id],
          })
        )[0],
    }),
    log: log.child({ component: "alerts" }),
  });
  alertWatch.start();

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

  // What an operator paged at 3 a.m. wants first: is it working, and if not, what is it waiting for.
  function health(): ChainHealth {
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
      chainId: network.chainId,
      problems,
      head: String(clock.head.number),
      signers: signers.map((s) => ({ address: s.address, healthy: s.healthy, inFlight: s.inFlight })),
    };
  }

  async function stop(): Promise<void> {
    clearInterval(gauges);
    const claiming = earnings?.stop();
    await alertWatch.stop();
    await alertQueue.close();
    await scheduler?.stop();
    if (worker) {
      const closing = worker.close();
      batcher?.flush();
      // Jobs still waiting on receipts after the grace period stay locked and come back to another worker;
      // a claim still unmined is read afresh by the next start (the earnings stay in the escrow till then).
      await Promise.race([
        Promise.all([closing, claiming]),
        new Promise((r) => setTimeout(r, Math.min(config.txTimeoutMs, 30_000))),
      ]);
    }
    clock.stop();
    for (const s of signers) s.stop();
    await queue.close();
    redis.disconnect();
  }

  return { network, log, signers, startupMs, health, stop };
}
