/** A minimal executor environment that passes config (one chain, nothing listening), for config tests. */
import { DEV_KEYS } from "../accounts.js";

export const base = {
  CHAIN: "custom",
  CHAIN_ID: "31337",
  RPC_URL: "http://127.0.0.1:1",
  REGISTRY_ADDRESS: `0x${"11".repeat(20)}`,
  ACTIONEXECUTOR_ADDRESS: `0x${"22".repeat(20)}`,
  FEEESCROW_ADDRESS: `0x${"33".repeat(20)}`,
  WORKER_PRIVATE_KEY: DEV_KEYS.worker,
};

/** CHAINS with two chains, each with its own (suffixed) variables. */
export const twoChains = {
  CHAINS: "31337,31338",
  ...Object.fromEntries(
    [31337, 31338].flatMap((id) => [
      [`RPC_URL_${id}`, "http://127.0.0.1:1"],
      [`REGISTRY_ADDRESS_${id}`, base.REGISTRY_ADDRESS],
      [`ACTIONEXECUTOR_ADDRESS_${id}`, base.ACTIONEXECUTOR_ADDRESS],
      [`FEEESCROW_ADDRESS_${id}`, base.FEEESCROW_ADDRESS],
    ]),
  ),
};
