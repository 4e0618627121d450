/** Chain presets shared by the indexer, the executor and the scripts. */
import { type Chain, defineChain } from "viem";

/**
 * viem's own definitions of these two, copied: importing them from "viem/chains" loads all of viem's
 * ~600 chain modules, 0.47 s of every executor start on this machine (a quarter of it).
 */
const anvil = defineChain({
  id: 31_337,
  name: "Anvil",
  nativeCurrency: { decimals: 18, name: "Ether", symbol: "ETH" },
  rpcUrls: { default: { http: ["http://127.0.0.1:8545"], webSocket: ["ws://127.0.0.1:8545"] } },
});

const moonbaseAlpha = defineChain({
  id: 1287,
  name: "Moonbase Alpha",
  nativeCurrency: { decimals: 18, name: "DEV", symbol: "DEV" },
  rpcUrls: {
    default: {
      http: ["https://rpc.api.moonbase.moonbeam.network"],
      webSocket: ["wss://wss.api.moonbase.moonbeam.network"],
    },
  },
  blockExplorers: {
    default: { name: "Moonscan", url: "https://moonbase.moonscan.io", apiUrl: "https://moonbase.moonscan.io/api" },
  },
  contracts: { multicall3: { address: "0xcA11bde05977b3631167028862bE2a173976CA11", blockCreated: 1850686 } },
  testnet: true,
});

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

/** Chain ids `npm run dev` gives its local anvils (--chains N counts up from 31337). */
export const isDevChain = (chainId: number) => chainId >= 31_337 && chainId < 31_337 + 16;
