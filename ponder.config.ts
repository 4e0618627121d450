import { createConfig } from "ponder";
import { z } from "zod";
import { actionExecutorAbi, feeEscrowAbi, workflowRegistryAbi } from "./abis/index.js";
import { isDevChain } from "./lib/chains.js";
import { checkEndpoints } from "./lib/endpoints.js";
import { parseEnv, url } from "./lib/env.js";
import { type Network, networksFromEnv } from "./lib/network.js";
import { queueSettings } from "./lib/queue.js";

// Every variable the indexer and its API read is checked here, as the executor checks its own: a bad one
// stops Ponder naming it (never its value: a database URL carries a password).
const networks = networksFromEnv();
queueSettings(); // the API reads the queue's state
const env = parseEnv({
  DATABASE_URL: url
    .refine((u) => /^postgres(ql)?:\/\//i.test(u), "must be a postgres:// or postgresql:// URL")
    .optional(),
  PGLITE_DIR: z.string().default(".ponder/pglite"),
  // Below 1 s, an RPC outage starves the chain afterwards: Ponder 0.16.10's rate limiter, lowered by the
  // failures, serves fewer requests a second than the head polls add, and the block requests wait behind
  // them (at 200 ms a chain's index advanced 4 blocks in the 140 s after a 15 s freeze; at 1 s it was back
  // at the head in 2 s). Tests poll faster on chains that never go down.
  PONDER_POLLING_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
});
// Ponder itself only warns when an endpoint serves another chain; indexing one would be silent corruption.
await Promise.all(
  networks.map(async (network) => {
    const endpoints = await checkEndpoints(network.rpcUrls, network.chainId, 5_000);
    for (const endpoint of endpoints.silent)
      console.warn(`${endpoint} does not answer; indexing goes on with the others`);
  }),
);
const database = env.DATABASE_URL
  ? ({ kind: "postgres", connectionString: env.DATABASE_URL } as const)
  : ({ kind: "pglite", directory: env.PGLITE_DIR } as const);

/** Ponder's name for a chain: the handlers and the rows go by its id (context.chain.id). */
const nameOf = (n: Network) => n.chainName;
const perChain = <T>(value: (n: Network) => T): Record<string, T> =>
  Object.fromEntries(networks.map((n) => [nameOf(n), value(n)]));
const contract = (address: (n: Network) => `0x${string}`) =>
  perChain((n) => ({ address: address(n), startBlock: n.startBlock }));

// One app indexes every chain of CHAINS; each chain is indexed on its own (Ponder's default multichain
// ordering), so a slow or dead RPC holds back only its own chain's rows.
export default createConfig({
  database,
  chains: perChain((n) => ({
    id: n.chainId,
    // Several endpoints: Ponder balances between them and routes around one that fails.
    rpc: n.rpcUrls.length > 1 ? n.rpcUrls : n.rpcUrl,
    // A dev chain is recreated on every start; caching its RPC answers would index a chain that is gone.
    disableCache: isDevChain(n.chainId),
    pollingInterval: env.PONDER_POLLING_MS,
  })),
  contracts: {
    WorkflowRegistry: { chain: contract((n) => n.registry), abi: workflowRegistryAbi },
    ActionExecutor: { chain: contract((n) => n.actionExecutor), abi: actionExecutorAbi },
    FeeEscrow: { chain: contract((n) => n.feeEscrow), abi: feeEscrowAbi },
  },
  // LOG triggers: every live block's logs from the emitters active LOG workflows name (src/LogTrigger.ts).
  // From the head at start only: a block source fetches every block of its range, so from the deployment
  // on it made a backfill read every block of the chain; the logs behind the head are read in ranges.
  blocks: {
    LogScan: { chain: perChain(() => ({ startBlock: "latest" as const })), interval: 1 },
  },
});
