/**
 * Which chain and which contract addresses a process works with, from the environment:
 * CHAIN (anvil | moonbaseAlpha | custom), RPC_URL, CHAIN_ID, and the addresses from
 * deployments/<chainId>.json, each overridable (REGISTRY_ADDRESS, ACTIONEXECUTOR_ADDRESS,
 * FEEESCROW_ADDRESS, START_BLOCK). Shared by the indexer and the executor so both agree.
 */
import type { Address } from "viem";
import { z } from "zod";
import { CHAIN_PRESETS } from "./chains.js";
import { readDeployment } from "./deployments.js";
import { address, ConfigError, parseEnv, url } from "./env.js";

export interface Network {
  chainName: string;
  chainId: number;
  rpcUrl: string;
  registry: Address;
  actionExecutor: Address;
  feeEscrow: Address;
  startBlock: number;
}

export function networkFromEnv(env: NodeJS.ProcessEnv = process.env): Network {
  const e = parseEnv(
    {
      CHAIN: z.enum(["anvil", "moonbaseAlpha", "custom"]).default("anvil"),
      CHAIN_ID: z.coerce.number().int().positive().optional(),
      RPC_URL: url.optional(),
      REGISTRY_ADDRESS: address.optional(),
      ACTIONEXECUTOR_ADDRESS: address.optional(),
      FEEESCROW_ADDRESS: address.optional(),
      START_BLOCK: z.coerce.number().int().min(0).optional(),
    },
    env,
  );
  const preset = e.CHAIN === "custom" ? undefined : CHAIN_PRESETS[e.CHAIN];
  const chainId = e.CHAIN_ID ?? preset?.id;
  if (chainId === undefined) throw new ConfigError("CHAIN_ID: required when CHAIN=custom");
  const rpcUrl = e.RPC_URL ?? (e.CHAIN === "anvil" ? "http://127.0.0.1:8545" : preset?.rpcUrls.default.http[0]);
  if (!rpcUrl) throw new ConfigError("RPC_URL: required for this chain");
  const deployment = readDeployment(chainId);
  const pick = (name: string, override: Address | undefined, fromFile: Address | undefined): Address => {
    const value = override ?? fromFile;
    if (!value) {
      throw new ConfigError(`${name}: not set and no deployments/${chainId}.json (run npm run deploy or set ${name})`);
    }
    return value;
  };
  return {
    chainName: e.CHAIN === "custom" ? `chain${chainId}` : e.CHAIN,
    chainId,
    rpcUrl,
    registry: pick("REGISTRY_ADDRESS", e.REGISTRY_ADDRESS, deployment?.registry),
    actionExecutor: pick("ACTIONEXECUTOR_ADDRESS", e.ACTIONEXECUTOR_ADDRESS, deployment?.actionExecutor),
    feeEscrow: pick("FEEESCROW_ADDRESS", e.FEEESCROW_ADDRESS, deployment?.feeEscrow),
    startBlock: e.START_BLOCK ?? deployment?.startBlock ?? 0,
  };
}
