/**
 * Which chains and which contract addresses a process works with, from the environment. Shared by the
 * indexer and the executor so both agree.
 *
 * One chain (the default): CHAIN (anvil | moonbaseAlpha | custom), RPC_URLS (or RPC_URL), CHAIN_ID, and
 * the addresses from deployments/<chainId>.json, each overridable (REGISTRY_ADDRESS,
 * ACTIONEXECUTOR_ADDRESS, FEEESCROW_ADDRESS, START_BLOCK).
 *
 * Several chains: CHAINS, comma-separated preset names or chain ids (`anvil,moonbaseAlpha`,
 * `31337,31338`). Each chain reads the same variables suffixed with its id (RPC_URLS_1287,
 * REGISTRY_ADDRESS_31338, START_BLOCK_31338...), falling back to its preset and deployments file.
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

/** The variables a chain of CHAINS reads with its id as a suffix. */
const PER_CHAIN = [
  "RPC_URL",
  "RPC_URLS",
  "REGISTRY_ADDRESS",
  "ACTIONEXECUTOR_ADDRESS",
  "FEEESCROW_ADDRESS",
  "START_BLOCK",
] as const;

/** Every chain this process serves: CHAINS when set, else the one chain of networkFromEnv. */
export function networksFromEnv(env: NodeJS.ProcessEnv = process.env): Network[] {
  const list = env.CHAINS?.trim();
  if (!list) return [networkFromEnv(env)];
  const entries = list.split(",").map((e) => e.trim());
  const networks = entries.map((entry) => {
    const preset = Object.entries(CHAIN_PRESETS).find(([name]) => name === entry);
    const id = preset ? preset[1].id : /^\d{1,10}$/.test(entry) ? Number(entry) : undefined;
    if (!id)
      throw new ConfigError(
        `CHAINS: "${entry}" is neither a preset (${Object.keys(CHAIN_PRESETS).join(", ")}) nor a chain id`,
      );
    const presetName = Object.entries(CHAIN_PRESETS).find(([, c]) => c.id === id)?.[0];
    const own: NodeJS.ProcessEnv = { CHAIN: presetName ?? "custom", CHAIN_ID: String(id) };
    for (const name of PER_CHAIN) own[name] = env[`${name}_${id}`];
    try {
      return networkFromEnv(own);
    } catch (error) {
      // Name the variable the operator sets: RPC_URL_31338, not RPC_URL.
      if (error instanceof ConfigError) {
        const named = new RegExp(`\\b(${PER_CHAIN.join("|")})\\b`, "g");
        throw new ConfigError(error.message.replace(named, (name) => `${name}_${id}`));
      }
      throw error;
    }
  });
  const ids = networks.map((n) => n.chainId);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new ConfigError(`CHAINS: chain ${twice} is listed twice`);
  return networks;
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

/** A chain as a process is pointed at it: its endpoint and its contracts (a deployments/<id>.json record). */
export interface ChainTarget {
  rpcUrl: string;
  deployment: { chainId: number; registry: Address; actionExecutor: Address; feeEscrow: Address; startBlock: number };
}

/** The environment that makes networksFromEnv answer these chains: CHAINS and each chain's suffixed variables. */
export function chainsEnv(targets: ChainTarget[]): Record<string, string> {
  const env: Record<string, string> = { CHAINS: targets.map((t) => t.deployment.chainId).join(",") };
  for (const { rpcUrl, deployment: d } of targets) {
    env[`RPC_URL_${d.chainId}`] = rpcUrl;
    env[`REGISTRY_ADDRESS_${d.chainId}`] = d.registry;
    env[`ACTIONEXECUTOR_ADDRESS_${d.chainId}`] = d.actionExecutor;
    env[`FEEESCROW_ADDRESS_${d.chainId}`] = d.feeEscrow;
    env[`START_BLOCK_${d.chainId}`] = String(d.startBlock);
  }
  return env;
}

/**
 * `--chain <id>` out of a command line: the chain id (undefined when absent) and the other arguments.
 * The executor serves only that chain; the tools act on it.
 */
export function chainArg(argv: string[]): { chain: number | undefined; rest: string[] } {
  const i = argv.indexOf("--chain");
  if (i < 0) return { chain: undefined, rest: argv };
  const value = argv[i + 1];
  if (!value || !/^\d{1,10}$/.test(value) || Number(value) < 1) throw new ConfigError("--chain: must be a chain id");
  return { chain: Number(value), rest: [...argv.slice(0, i), ...argv.slice(i + 2)] };
}

/** The configured chains, or only `chain` (--chain) when given: a chain not configured is refused. */
export function selectNetworks(configured: Network[], chain: number | undefined): Network[] {
  if (chain === undefined) return configured;
  const networks = configured.filter((n) => n.chainId === chain);
  if (networks.length === 0) {
    const ids = configured.map((n) => n.chainId).join(", ");
    throw new ConfigError(`--chain: chain ${chain} is not one this deployment serves (${ids})`);
  }
  return networks;
}

/** The one chain a tool acts on: the one --chain named, or the only one configured. */
export function oneNetwork(configured: Network[], chain: number | undefined): Network {
  const [network, ...others] = selectNetworks(configured, chain);
  if (!network || others.length > 0) {
    const ids = configured.map((n) => n.chainId).join(", ");
    throw new ConfigError(`--chain: this deployment serves several chains (${ids}); name one`);
  }
  return network;
}
