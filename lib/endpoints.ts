/**
 * RPC endpoints as the indexer and the executor both check them at start (RPC_URLS, or RPC_URL): an
 * endpoint that serves another chain is refused with one line naming it; one that does not answer is
 * reported and kept, since it may come back. Endpoint URLs often carry an API key in their path or
 * query, so they are only ever shown as `RPC_URLS[i] (scheme://host)`. A chain of CHAINS reads its
 * endpoints from RPC_URLS_<id> (lib/network.ts): `suffix` ("_<id>") names that variable instead.
 */
import { createPublicClient, http } from "viem";
import { ConfigError } from "./env.js";
import { nodeFetch } from "./node-fetch.js";

export function endpointLabel(url: string, index: number, total: number, suffix = ""): string {
  const name = total > 1 ? `RPC_URLS${suffix}[${index}]` : `RPC_URL${suffix}`;
  try {
    const u = new URL(url);
    return `${name} (${u.protocol}//${u.host})`;
  } catch {
    return name;
  }
}

export interface EndpointCheck {
  /** How many endpoints answered (all of them for the right chain). */
  answered: number;
  /** Labels of the endpoints that did not answer. */
  silent: string[];
}

export async function checkEndpoints(
  urls: string[],
  chainId: number,
  timeoutMs: number,
  suffix = "",
): Promise<EndpointCheck> {
  const results = await Promise.all(
    urls.map(async (url, i) => {
      const label = endpointLabel(url, i, urls.length, suffix);
      const client = createPublicClient({
        transport: http(url, { timeout: timeoutMs, retryCount: 1, fetchFn: nodeFetch() }),
      });
      const served = await client.getChainId().catch(() => undefined);
      if (served !== undefined && served !== chainId) {
        throw new ConfigError(`${label}: serves chain ${served}, not chain ${chainId}`);
      }
      return served === undefined ? label : undefined;
    }),
  );
  const silent = results.filter((r): r is string => r !== undefined);
  return { answered: urls.length - silent.length, silent };
}
