/** Chain presets shared by the indexer, the executor and the scripts. */
import { type Chain, defineChain } from "viem";
import { anvil, moonbaseAlpha } from "viem/chains";

export const CHAIN_PRESETS = { anvil, moonbaseAlpha } as const satisfies Record<string, Chain>;
export type ChainName = keyof typeof CHAIN_PRESETS;

/** A preset by id, or a minimal chain for any other id reachable at `rpcUrl`. */
export function chainFor(chainId: number, rpcUrl: string): Chain {
  const preset = Object.values(CHAIN_PRESETS).find((c) => c.id === chainId);
  const base =
    preset ??
    defineChain({
      id: chainId,
      name: `chain-${chainId}`,
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
    });
  return { ...base, rpcUrls: { default: { http: [rpcUrl] } } };
}
