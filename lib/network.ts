/**
 * Which chain and which contract addresses a process works with, from the environment:
 * CHAIN (anvil | moonbaseAlpha | custom), RPC_URLS (or RPC_URL), CHAIN_ID, and the addresses from
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
  /** The first of rpcUrls: for tools that talk to one endpoint. */
  rpcUrl: string;
  /** Every endpoint, in the order given: the executor and Ponder fail over between them. */
  rpcUrls: string[];
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
      RPC_URLS: z
        .string()
        .transform((v) => v.split(",").map((u) => u.trim()))
        .pipe(z.array(url, "must be comma-separated URLs").min(1))
        .optional(),
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
  const fallbackUrl = e.RPC_URL ?? (e.CHAIN === "anvil" ? "http://127.0.0.1:8545" : preset?.rpcUrls.default.http[0]);
  const rpcUrls = e.RPC_URLS ?? (fallbackUrl ? [fallbackUrl] : []);
  const rpcUrl = rpcUrls[0];
  if (!rpcUrl) throw new ConfigError("RPC_URL: required for this chain (or RPC_URLS)");
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
    rpcUrls,
    registry: pick("REGISTRY_ADDRESS", e.REGISTRY_ADDRESS, deployment?.registry),
    actionExecutor: pick("ACTIONEXECUTOR_ADDRESS", e.ACTIONEXECUTOR_ADDRESS, deployment?.actionExecutor),
    feeEscrow: pick("FEEESCROW_ADDRESS", e.FEEESCROW_ADDRESS, deployment?.feeEscrow),
    startBlock: e.START_BLOCK ?? deployment?.startBlock ?? 0,
  };
}
