/**
 * Several chains in one deployment, as CHAINS configures it: an anvil per chain (ids 31337, 31338, ...)
 * with the contracts, one Ponder indexing all of them, and the environment for one executor serving all
 * of them. Each chain is offered as a ChainAndIndex, so the single-chain assertions apply per chain.
 */
import { randomBytes } from "node:crypto";
import { chainsEnv } from "../../lib/network.js";
import { DEV_KEYS } from "../accounts.js";
import { type PonderProcess, startPonder } from "../ponder-process.js";
import { type Chain, startChain } from "./chain.js";
import { createTestDatabase } from "./databases.js";
import { getFrom } from "./indexer.js";
import { freePort } from "./ports.js";
import type { ChainAndIndex } from "./runs.js";

export interface MultiChainStack {
  chains: ChainAndIndex[];
  ponder: PonderProcess;
  queuePrefix: string;
  env(extra?: Record<string, string>): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

export const FIRST_CHAIN_ID = 31_337;

export async function startMultiChainStack(count: number, pollingMs = 1000): Promise<MultiChainStack> {
  const chains: Chain[] = [];
  for (let i = 0; i < count; i++) chains.push(await startChain({ anvil: { chainId: FIRST_CHAIN_ID + i } }));
  const targets = chains.map((c) => ({ rpcUrl: c.anvil.rpcUrl, deployment: c.deployment }));
  const db = await createTestDatabase("pglite");
  const queuePrefix = `test-${randomBytes(4).toString("hex")}`;
  const first = chains[0]!;
  const ponder = startPonder({
    rpcUrl: first.anvil.rpcUrl,
    deployment: first.deployment,
    chains: targets,
    database: db.database,
    port: await freePort(),
    schema: `ak_${randomBytes(4).toString("hex")}`,
    pollingMs,
    env: { QUEUE_PREFIX: queuePrefix },
  });
  await ponder.waitUntilReady();
  const get = getFrom(ponder.url);
  return {
    chains: chains.map((chain) => ({
      chain,
      indexer: {
        get,
        catchUp: async (timeoutMs) =>
          ponder.waitForBlock(
            await chain.publicClient.getBlockNumber({ cacheTime: 0 }),
            timeoutMs,
            chain.deployment.chainId,
          ),
      },
    })),
    ponder,
    queuePrefix,
    env: async (extra = {}) => ({
      ...chainsEnv(targets),
      PONDER_URL: ponder.url,
      REDIS_URL: "redis://127.0.0.1:6379",
      QUEUE_PREFIX: queuePrefix,
      WORKER_PRIVATE_KEY: DEV_KEYS.worker,
      METRICS_PORT: String(await freePort()),
      BACKOFF_MS: "500",
      POLL_MS: "100",
      ...extra,
    }),
    stop: async () => {
      await ponder.stop();
      await db.drop();
      for (const c of chains) await c.stop();
    },
  };
}
