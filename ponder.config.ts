import { createConfig } from "ponder";
import { z } from "zod";
import { actionExecutorAbi, feeEscrowAbi, workflowRegistryAbi } from "./abis/index.js";
import { checkEndpoints } from "./lib/endpoints.js";
import { parseEnv, url } from "./lib/env.js";
import { networkFromEnv } from "./lib/network.js";
import { queueSettings } from "./lib/queue.js";

// Every variable the indexer and its API read is checked here, as the executor checks its own: a bad one
// stops Ponder naming it (never its value: a database URL carries a password).
const network = networkFromEnv();
queueSettings(); // the API reads the queue's state
const env = parseEnv({
  DATABASE_URL: url
    .refine((u) => /^postgres(ql)?:\/\//i.test(u), "must be a postgres:// or postgresql:// URL")
    .optional(),
  PGLITE_DIR: z.string().default(".ponder/pglite"),
  PONDER_POLLING_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
});
// Ponder itself only warns when an endpoint serves another chain; indexing one would be silent corruption.
const endpoints = await checkEndpoints(network.rpcUrls, network.chainId, 5_000);
for (const endpoint of endpoints.silent) console.warn(`${endpoint} does not answer; indexing goes on with the others`);
const database = env.DATABASE_URL
  ? ({ kind: "postgres", connectionString: env.DATABASE_URL } as const)
  : ({ kind: "pglite", directory: env.PGLITE_DIR } as const);

export default createConfig({
  database,
  chains: {
    chain: {
      id: network.chainId,
      // Several endpoints: Ponder balances between them and routes around one that fails.
      rpc: network.rpcUrls.length > 1 ? network.rpcUrls : network.rpcUrl,
      // A dev chain is recreated on every start; caching its RPC answers would index a chain that is gone.
      disableCache: network.chainId === 31337,
      pollingInterval: env.PONDER_POLLING_MS,
    },
  },
  contracts: {
    WorkflowRegistry: {
      chain: "chain",
      abi: workflowRegistryAbi,
      address: network.registry,
      startBlock: network.startBlock,
    },
    ActionExecutor: {
      chain: "chain",
      abi: actionExecutorAbi,
      address: network.actionExecutor,
      startBlock: network.startBlock,
    },
    FeeEscrow: {
      chain: "chain",
      abi: feeEscrowAbi,
      address: network.feeEscrow,
      startBlock: network.startBlock,
    },
  },
  // LOG triggers: every live block's logs from the emitters active LOG workflows name (src/LogTrigger.ts).
  // From the head at start only: a block source fetches every block of its range, so from the deployment
  // on it made a backfill read every block of the chain; the logs behind the head are read in ranges.
  blocks: {
    LogScan: { chain: "chain", startBlock: "latest", interval: 1 },
  },
});
