/**
 * The chains this Ponder app indexes (CHAINS, else the one chain of the single-chain variables: the env
 * ponder.config.ts read), and how a request names one of them with `?chainId=`.
 */
import { type Network, networksFromEnv } from "../../lib/network.js";
import { badRequest } from "./errors.js";
import * as p from "./params.js";

export const networks: readonly Network[] = networksFromEnv();

export const chainIds: readonly number[] = networks.map((n) => n.chainId);

/** More than one chain: rows name their chain, links carry ?chainId=, and a bare workflow id can be ambiguous. */
export const multiChain = networks.length > 1;

export function chainName(chainId: number): string {
  return networks.find((n) => n.chainId === chainId)?.chainName ?? `chain${chainId}`;
}

/** A list's `?chainId=`: one configured chain, or undefined for all of them. */
export function chainFilter(raw: string | undefined): number | undefined {
  return p.chainId(raw, chainIds);
}

/** The chain a request about one chain means: `?chainId=`, else the only chain when one is configured. */
export function impliedChain(raw: string | undefined): number | undefined {
  return chainFilter(raw) ?? (multiChain ? undefined : chainIds[0]);
}

/** As impliedChain, for what only makes sense on one chain (the scheduler's due set): several chains need a name. */
export function requiredChain(raw: string | undefined): number {
  const chainId = impliedChain(raw);
  if (chainId === undefined) {
    throw badRequest("chain_id_required", `chainId is required: this index serves chains ${chainIds.join(", ")}`);
  }
  return chainId;
}
