/**
 * The off-chain service: the scheduler turns due workflows from the index into queue jobs, the worker
 * turns jobs into mined transactions. Either or both run in one process, per the config's role, for
 * every chain the config lists, each chain on its own (chain-service.ts). What the process has once is
 * here: the logger, the /metrics and /health endpoint, and the start-up timing.
 */
import type { Server } from "node:http";
import type { Network } from "../lib/network.js";
import { startAlertDelivery } from "./alerts/deliver.js";
import { type ChainHealth, type ChainService, sinceStart, startChainService } from "./chain-service.js";
import type { ExecutorConfig } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import { createMetrics, createProcessRegistry, type Metrics, serveMetrics } from "./metrics.js";

export interface Executor {
  log: Logger;
  /** The chains that run: every configured one, unless the process was stopped while they started. */
  chains: ChainService[];
  /** Stop taking work, finish (or hand back) what is in flight, then close connections. */
  stop(): Promise<void>;
}

/** One configured chain: its series exist from the start; its service once the chain has started. */
interface Slot {
  network: Network;
  metrics: Metrics;
  service?: ChainService;
}

/**
 * Starts every chain of the config, side by side: each begins its work as soon as its own endpoints
 * and clock are ready, so a chain whose RPC is down holds up no other. Resolves once all have started,
 * or, when `signal` aborts first, with those that had (the caller stops them). A chain that cannot
 * start (an endpoint serving another chain) stops the others and rejects.
 */
export async function startExecutor(config: ExecutorConfig, signal?: AbortSignal): Promise<Executor> {
  const startup: Record<string, number> = { loaded: sinceStart() };
  const only = config.networks.length === 1 ? config.networks[0] : undefined;
  // One chain: its id is on every line, as it always was. Several: each chain's lines carry their own.
  const log = createLogger(
    config.logLevel,
    only ? { role: config.role, chainId: only.chainId } : { role: config.role },
  );
  const processRegistry = createProcessRegistry();
  // Stops the chains still starting: the process is stopping, or another chain failed to start.
  const halt = new AbortController();
  if (signal?.aborted) halt.abort();
  signal?.addEventListener("abort", () => halt.abort(), { once: true });
  const failures: unknown[] = [];
  const fail = (error: unknown) => {
    failures.push(error);
    halt.abort();
  };

  const slots: Slot[] = config.networks.map((network) => ({ network, metrics: createMetrics(network.chainId) }));
  const starting = slots.map(async (slot) => {
    try {
      slot.service = await startChainService({
        config,
        network: slot.network,
        keys: config.signerKeys.get(slot.network.chainId) ?? [],
        log: only ? log : log.child({ chainId: slot.network.chainId }),
        metrics: slot.metrics,
        signal: halt.signal,
      });
      if (!only) {
        const { log: chainLog, network, signers, startupMs } = slot.service;
        chainLog.info(
          { actionExecutor: network.actionExecutor, signers: signers.map((s) => s.address), startupMs },
          "chain started",
        );
      }
    } catch (error) {
      // Once halted, a start that gives up is no failure of its own.
      if (!halt.signal.aborted) fail(error);
    }
  });

  // /metrics and /health come up with the first chain (with one chain, where they always did: once its
  // clock has the head), so that a chain still waiting for its endpoints shows there.
  await Promise.race(starting);
  let server: Server | undefined;
  if (!halt.signal.aborted && config.metricsPort > 0) {
    server = await serveMetrics(
      () => [processRegistry, ...slots.map((s) => s.metrics.registry)],
      config.metricsPort,
      health,
    ).catch((error: unknown) => {
      fail(error);
      return undefined;
    });
  }
  await Promise.all(starting);
  const chains = slots.flatMap((s) => (s.service ? [s.service] : []));
  // One delivery worker per process for every chain's alerts (each chain's watch raises them).
  const delivery =
    failures.length === 0
      ? startAlertDelivery(config, config.alerts.delivery, log.child({ component: "alerts" }))
      : undefined;
  if (failures.length > 0) {
    // The process exits on this error: the chains that did start hand their work back first.
    await Promise.all(chains.map((c) => c.stop()));
    server?.close();
    throw failures[0];
  }

  function health(): Record<string, unknown> {
    // What an operator paged at 3 a.m. wants first: is it working, and if not, what is it waiting for.
    const each = slots.map(
      ({ network, service }): ChainHealth =>
        service?.health() ?? {
          chainId: network.chainId,
          problems: ["starting: waiting for its RPC endpoints"],
          head: null,
          signers: [],
        },
    );
    const problems = each.flatMap((c) => (only ? c.problems : c.problems.map((p) => `chain ${c.chainId}: ${p}`)));
    const [first] = each;
    return {
      status: problems.length === 0 ? "ok" : "degraded",
      problems,
      role: config.role,
      // One chain: its fields at the top level too, where they were before a process served several.
      ...(only && first ? { chainId: first.chainId, head: first.head, signers: first.signers } : {}),
      chains: each,
    };
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      log.info("shutting down: no new jobs; finishing batches in flight");
      // Side by side: a chain whose batches wait on a slow node does not keep another's from closing.
      await Promise.all(chains.map((c) => c.stop()));
      await delivery?.close();
      server?.close();
      log.info("stopped");
    })();
    return stopped;
  };

  if (chains.length === slots.length) {
    // When the last chain got there: with one chain, its own steps.
    startup.endpoints = Math.max(...chains.map((c) => c.startupMs.endpoints));
    startup.clock = Math.max(...chains.map((c) => c.startupMs.clock));
    const signersOf = (c: ChainService) => c.signers.map((s) => s.address);
    log.info(
      {
        ponderUrl: config.ponderUrl,
        ...(only && chains[0]
          ? { actionExecutor: only.actionExecutor, signers: signersOf(chains[0]) }
          : { chains: chains.map((c) => ({ chainId: c.network.chainId, signers: signersOf(c) })) }),
        batchSize: config.batchSize,
        metricsPort: config.metricsPort,
        startupMs: { ...startup, started: sinceStart() },
      },
      "executor started",
    );
  }
  return { log, chains, stop };
}
