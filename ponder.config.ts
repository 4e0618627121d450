import { createConfig } from "ponder";
import { actionExecutorAbi, feeEscrowAbi, workflowRegistryAbi } from "./abis/index.js";
import { checkEndpoints } from "./lib/endpoints.js";
import { networkFromEnv } from "./lib/network.js";
import { queueSettings } from "./lib/queue.js";

const network = networkFromEnv();
// The API reads the queue's state: a bad REDIS_URL or QUEUE_PREFIX stops Ponder here, named, as it stops the executor.
queueSettings();
// Ponder itself only warns when an endpoint serves another chain; indexing one would be silent corruption.
const endpoints = await checkEndpoints(network.rpcUrls, network.chainId, 5_000);
for (const endpoint of endpoints.silent) console.warn(`${endpoint} does not answer; indexing goes on with the others`);
const database = process.env.DATABASE_URL
  ? ({ kind: "postgres", connectionString: process.env.DATABASE_URL } as const)
  : ({ kind: "pglite", directory: process.env.PGLITE_DIR ?? ".ponder/pglite" } as const);

export default createConfig({
  database,
  chains: {
    chain: {
      id: network.chainId,
      // Several endpoints: Ponder balances between them and routes around one that fails.
      rpc: network.rpcUrls.length > 1 ? network.rpcUrls : network.rpcUrl,
      // A dev chain is recreated on every start; caching its RPC answers would index a chain that is gone.
      disableCache: network.chainId === 31337,
      pollingInterval: Number(process.env.PONDER_POLLING_MS ?? 1000),
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
