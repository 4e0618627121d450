/**
 * The ceiling for the indexer bench: the same chain, contracts and RPC settings as ../../ponder.config.ts,
 * with handlers that only insert a row per event. Run with `ponder start --root bench/bare-ponder`.
 */
import { createConfig } from "ponder";
import { actionExecutorAbi, feeEscrowAbi, workflowRegistryAbi } from "../../abis/index.js";
import { networkFromEnv } from "../../lib/network.js";

const network = networkFromEnv();
const database = process.env.DATABASE_URL
  ? ({ kind: "postgres", connectionString: process.env.DATABASE_URL } as const)
  : ({ kind: "pglite", directory: process.env.PGLITE_DIR ?? ".ponder/pglite" } as const);

export default createConfig({
  database,
  chains: {
    chain: {
      id: network.chainId,
      rpc: network.rpcUrls.length > 1 ? network.rpcUrls : network.rpcUrl,
      // As in ours: the bench's anvil is new on every run, so nothing may come from a cache.
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
    FeeEscrow: { chain: "chain", abi: feeEscrowAbi, address: network.feeEscrow, startBlock: network.startBlock },
  },
});
