/**
 * Every fault the chaos suite injects, each for real: through the JSON-RPC fault proxies, with anvil's
 * own methods, or by killing and restarting the real processes. A fault runs for about `seconds` and
 * then ends; it reports how many times it actually struck, so a row can never pass on a fault that
 * did not happen.
 */
import { parseEther } from "viem";
import { anvilRequest, reorgOwnTransactions, setBalance } from "../chain-faults.js";
import type { Faults } from "../rpc-proxy.js";
import { sleep } from "../wait.js";
import { hostileFaults } from "./hostile.js";
import { BASE_FEE_GWEI, type ChaosStack } from "./stack.js";

export interface FaultContext {
  stack: ChaosStack;
  /** How long the fault lasts (faults that are one event, a reorg or a kill, ignore it). */
  seconds: number;
  say(line: string): void;
}

export interface FaultRun {
  /** How many times the fault struck (requests faulted, transactions undone, processes killed...). */
  injected: number;
  /** Chain time the fault's effect began, when that was before it was called (a reorg reaches back). */
  since?: bigint;
  /** Chain time its effect ended, when that is not the moment it returned (the blocks a reorg undid). */
  endsAt?: bigint;
  /** What the executor said about it while it lasted (its /health problems, a metric), for the record. */
  observed?: string[];
  /** Hostile rows: how often the hostile workflows ran (0 is the goal). */
  hostileRuns?: number;
}

/** Waits a little into the fault, then asks the executor's /health what is wrong and reads a metric. */
async function observe(stack: ChaosStack, metric: string): Promise<string[]> {
  await sleep(4000);
  const health = await stack.executorHealth();
  const [value] = await stack.executorMetrics(metric);
  return [...(health?.problems ?? []).map((p) => `health: ${p}`), `${metric} ${value ?? "absent"}`];
}

export interface Fault {
  name: string;
  /** What it does, for the method text. */
  what: string;
  /** A hostile workflow rather than a fault of the world (hostile.ts): not part of the soak's rotation. */
  hostile?: boolean;
  /** The fault sets the worker's balance itself, so the row's change in it says nothing. */
  setsWorkerBalance?: boolean;
  run(ctx: FaultContext): Promise<FaultRun>;
}

/** Both proxies misbehave the same way for the duration: every endpoint the stack has is flaky. */
function onProxies(name: string, what: string, faults: Faults, counted: string[]): Fault {
  return {
    name,
    what,
    async run({ stack, seconds }) {
      for (const p of stack.proxies) {
        p.resetStats();
        p.set(faults);
      }
      await sleep(seconds * 1000);
      let injected = 0;
      for (const p of stack.proxies) {
        p.clear();
        const stats = p.stats().injected;
        for (const [key, n] of Object.entries(stats)) {
          if (counted.some((c) => key.startsWith(c))) injected += n;
        }
      }
      return { injected };
    },
  };
}

export const rpcLatency = onProxies(
  "rpc latency",
  "every request to both endpoints delayed by a uniform 0–2 s",
  { jitterMs: 2000 },
  ["latency"],
);

export const rpcErrors = onProxies(
  "rpc errors 429/5xx",
  "10% of requests answered 429, 502 or 503 (in bursts of 2), on top of 500 ms added to every request",
  { errorRate: 0.055, burstLength: 2, errorStatuses: [429, 502, 503], latencyMs: 500 },
  ["error"],
);

export const connectionReset = onProxies(
  "connection reset",
  "10% of connections reset, half before the request reaches the node and half after (the answer is lost)",
  { resetRate: 0.1 },
  ["reset"],
);

export const requestTimeout = onProxies(
  "request timeout",
  "3% of requests never answered: the client must give up (RPC_TIMEOUT_MS) and try again",
  { hangRate: 0.03 },
  ["hang"],
);

export const malformedAnswers = onProxies(
  "malformed json",
  "5% of answers are truncated JSON, an HTML error page, or JSON-RPC with neither result nor error",
  { malformedRate: 0.05 },
  ["malformed"],
);

export const nonceTooLow = onProxies(
  "nonce too low",
  'half the transactions are sent on and, once mined, answered "nonce too low"',
  { nonceTooLowAfterMineRate: 0.5 },
  ["nonceTooLow"],
);

export const alreadyKnown = onProxies(
  "already known",
  'half the transactions are sent on and answered "already known"',
  { alreadyKnownRate: 0.5 },
  ["alreadyKnown"],
);

export const underpriced = onProxies(
  "replacement underpriced",
  'half the transactions are refused with "replacement transaction underpriced" and not sent on',
  { underpricedRate: 0.5 },
  ["underpriced"],
);

export const staleHead: Fault = {
  name: "stale head",
  what: "endpoint A lags the chain by 5 blocks (its head, 'latest', receipts and logs); B is current",
  async run({ stack, seconds }) {
    const [a] = stack.proxies;
    a.resetStats();
    a.set({ staleHead: { mode: "lag", blocks: 5 } });
    await sleep(seconds * 1000);
    a.clear();
    return { injected: a.stats().injected.stale ?? 0 };
  },
};

export const droppedTx: Fault = {
  name: "dropped tx",
  what:
    "half the transactions are accepted by each endpoint and never passed on, and anvil drops the worker's " +
    "pending transactions from its pool every 5 s (anvil_dropTransaction)",
  async run({ stack, seconds }) {
    for (const p of stack.proxies) {
      p.resetStats();
      p.set({ dropTxRate: 0.5 });
    }
    let dropped = 0;
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      await sleep(5000);
      dropped += await dropPending(stack);
    }
    let injected = dropped;
    for (const p of stack.proxies) {
      p.clear();
      injected += p.stats().injected.dropTx ?? 0;
    }
    return { injected };
  },
};

/** Drops the worker's pending transactions from anvil's pool, as a node evicting them would. */
async function dropPending(stack: ChaosStack): Promise<number> {
  const content = (await anvilRequest(stack.chain, "txpool_content", [])) as {
    pending: Record<string, Record<string, { hash: `0x${string}` }>>;
  };
  const mine = Object.entries(content.pending).find(([a]) => a.toLowerCase() === stack.worker.toLowerCase())?.[1];
  let n = 0;
  for (const tx of Object.values(mine ?? {})) {
    await anvilRequest(stack.chain, "anvil_dropTransaction", [tx.hash]);
    n += 1;
  }
  return n;
}

export function reorg(depth: number): Fault {
  return {
    name: `reorg depth ${depth}`,
    what: `anvil_reorg removes the last ${depth} block(s) while they hold the executor's own transactions`,
    async run({ stack }) {
      const { chain } = stack;
      const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
      const since = (await chain.publicClient.getBlock({ blockNumber: head - BigInt(depth) + 1n })).timestamp;
      const injected = await reorgOwnTransactions(chain, depth);
      // The runs due in the blocks it undid are the ones it hit; anvil re-mines them at one timestamp.
      return { injected, since, endsAt: since + BigInt(depth) };
    },
  };
}

export const feeSpike: Fault = {
  name: "fee spike",
  what: `the base fee held at 10× (${10 * BASE_FEE_GWEI} gwei, above MAX_FEE_GWEI) for the duration`,
  async run({ stack, seconds }) {
    stack.setBaseFee(10 * BASE_FEE_GWEI);
    const { chain } = stack;
    const seen = observe(stack, "autokeeper_fee_cap_exceeded");
    let blocks = 0;
    let last = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      await sleep(1000);
      const head = await chain.publicClient.getBlock({ blockTag: "latest" });
      if (head.number > last && (head.baseFeePerGas ?? 0n) >= BigInt(10 * BASE_FEE_GWEI) * 10n ** 9n) blocks += 1;
      last = head.number;
    }
    stack.setBaseFee(BASE_FEE_GWEI);
    return { injected: blocks, observed: await seen };
  },
};

function redisKill(aof: boolean): Fault {
  return {
    name: aof ? "redis kill (AOF)" : "redis kill",
    what: aof
      ? "Redis, with an append-only file synced on every write, SIGKILLed and restarted 3 s later"
      : "Redis, keeping nothing on disk, SIGKILLed and restarted 3 s later (every job and lock lost)",
    async run({ stack }) {
      if (aof) await stack.redis.setAof(true);
      await stack.redis.kill();
      await sleep(3000);
      await stack.redis.start();
      if (aof) await stack.redis.setAof(false);
      return { injected: 1 };
    },
  };
}
export const redisKillNoAof = redisKill(false);
export const redisKillAof = redisKill(true);

export const postgresRestart: Fault = {
  name: "postgres restart",
  what: "Ponder's Postgres restarted (fast), then down for 10 s (immediate shutdown) under live indexing",
  async run({ stack }) {
    await stack.postgres.restart("fast");
    await sleep(3000);
    await stack.postgres.kill();
    await sleep(10_000);
    await stack.postgres.start();
    return { injected: 2 };
  },
};

export const ponderKill: Fault = {
  name: "ponder kill",
  what: "Ponder SIGKILLed and restarted at once on the same schema (it waits out its own lock, then catches up)",
  async run({ stack, say }) {
    const before = stack.ponder.current;
    stack.ponder.kill();
    const after = await stack.ponder.restarted(before);
    await after.waitUntilReady(180_000);
    say("  ponder is back");
    return { injected: 1 };
  },
};

export const executorKill: Fault = {
  name: "executor kill",
  what: "the executor SIGKILLed every 10 s for the duration, restarted each time a second later",
  async run({ stack, seconds }) {
    let kills = 0;
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      stack.executor.kill();
      kills += 1;
      await sleep(10_000);
    }
    return { injected: kills };
  },
};

export const signerOutOfFunds: Fault = {
  name: "signer out of funds",
  what: "the worker's balance set to 0 for the duration, then funded again",
  setsWorkerBalance: true,
  async run({ stack, seconds }) {
    const balance = await stack.chain.publicClient.getBalance({ address: stack.worker });
    await setBalance(stack.chain, stack.worker, 0n);
    const seen = observe(stack, "autokeeper_signer_out_of_funds");
    await sleep(seconds * 1000);
    await setBalance(stack.chain, stack.worker, balance > parseEther("1") ? balance : parseEther("1000"));
    return { injected: 1, observed: await seen };
  },
};

export const endpointFailover: Fault = {
  name: "endpoint failover",
  what: "endpoint A refuses every connection for the duration; B is healthy",
  async run({ stack, seconds }) {
    const [a] = stack.proxies;
    await a.down("refuse");
    await sleep(seconds * 1000);
    await a.up();
    return { injected: 1 };
  },
};

/**
 * Every fault, in the order a run injects them (reorgs of several depths among them), then the hostile
 * workflows (`cheapWorkflows` of them in the last row).
 */
export function allFaults(reorgDepths: number[], cheapWorkflows = 1000): Fault[] {
  return [
    rpcLatency,
    rpcErrors,
    connectionReset,
    requestTimeout,
    malformedAnswers,
    staleHead,
    droppedTx,
    nonceTooLow,
    alreadyKnown,
    underpriced,
    ...reorgDepths.map(reorg),
    feeSpike,
    redisKillNoAof,
    redisKillAof,
    postgresRestart,
    ponderKill,
    executorKill,
    signerOutOfFunds,
    endpointFailover,
    ...hostileFaults(cheapWorkflows),
  ];
}
