/**
 * The executor's RPC endpoints (RPC_URLS, or RPC_URL): one viem transport over all of them that fails
 * over on errors and ranks them by health, with a timeout short enough that a hung endpoint costs a few
 * blocks, not the 10 s viem waits by default.
 *
 * Ranking is viem's `fallback` ranking (stability 0.7, latency 0.3 over the last samples) with our own
 * probe: `eth_blockNumber`, failed when the endpoint trails the best head seen by more than
 * STALE_BLOCKS, so a node that lags the chain sinks to the back like one that errors.
 *
 * Endpoint URLs often carry an API key in their path or query, so they are only ever shown as
 * `RPC_URLS[i] (scheme://host)`.
 */
import { createPublicClient, fallback, hexToNumber, http, type Transport } from "viem";
import { ConfigError } from "../lib/env.js";
import { errorText } from "./errors.js";
import type { Logger } from "./log.js";

export interface RpcOptions {
  timeoutMs: number;
  /** How often each endpoint is probed for the ranking. */
  rankIntervalMs: number;
  /** Coalesce the calls made in one tick into JSON-RPC batch requests (the condition checker does). */
  batch?: boolean;
}

/** An endpoint this many blocks behind the best one seen is ranked as failing. */
const STALE_BLOCKS = 3;

/** How an endpoint appears in logs and errors: its position and origin, never its path or query. */
export function endpointLabel(url: string, index: number, total: number): string {
  const name = total > 1 ? `RPC_URLS[${index}]` : "RPC_URL";
  try {
    const u = new URL(url);
    return `${name} (${u.protocol}//${u.host})`;
  } catch {
    return name;
  }
}

/** A JSON-RPC answer with neither result nor error: viem would hand `undefined` on as if it were a value. */
export class MalformedAnswerError extends Error {
  override name = "MalformedAnswerError";
}

/**
 * Refuses answers that carry no result. A method may answer null ("not found"), never undefined; passed
 * on, undefined surfaces later as a TypeError nobody can tell from a bug. As an error it is retried (and
 * tried on the next endpoint) like any other failed request.
 */
function answered(transport: Transport): Transport {
  return (params) => {
    const inner = transport(params);
    return {
      ...inner,
      request: (async (args: Parameters<typeof inner.request>[0], opts?: Parameters<typeof inner.request>[1]) => {
        const result = await inner.request(args, opts);
        if (result === undefined) throw new MalformedAnswerError(`${args.method}: the node's answer has no result`);
        return result;
      }) as typeof inner.request,
    };
  };
}

export function rpcTransport(urls: string[], options: RpcOptions): Transport {
  const one = (url: string, retryCount: number) =>
    answered(
      http(url, {
        timeout: options.timeoutMs,
        retryCount,
        ...(options.batch ? { batch: { batchSize: 200, wait: 0 } } : {}),
      }),
    );
  // One endpoint: viem's own retries (150 ms, 300 ms, 600 ms) ride out short bursts of errors.
  if (urls.length === 1) return one(urls[0]!, 3);
  let best = 0;
  return fallback(
    urls.map((url) => one(url, 0)),
    {
      retryCount: 2,
      rank: {
        interval: options.rankIntervalMs,
        sampleCount: 5,
        timeout: Math.min(options.timeoutMs, 2_000),
        ping: async ({ transport }) => {
          const head = hexToNumber((await transport.request({ method: "eth_blockNumber" })) as `0x${string}`);
          best = Math.max(best, head);
          if (best - head > STALE_BLOCKS) throw new Error(`endpoint is ${best - head} blocks behind`);
        },
      },
    },
  );
}

/**
 * Start-up check of every endpoint: one that serves another chain is a configuration error (named, and
 * the process exits); one that does not answer is logged and kept, since it may come back. If none
 * answers, this waits (logging every 10 s) rather than exiting, so a restart during an RPC outage
 * recovers by itself.
 */
export async function verifyEndpoints(
  urls: string[],
  chainId: number,
  options: { timeoutMs: number; log: Logger; signal?: { stopped: boolean } },
): Promise<void> {
  for (let round = 0; ; round++) {
    let answered = 0;
    await Promise.all(
      urls.map(async (url, i) => {
        const label = endpointLabel(url, i, urls.length);
        const client = createPublicClient({ transport: http(url, { timeout: options.timeoutMs, retryCount: 1 }) });
        let served: number;
        try {
          served = await client.getChainId();
        } catch (error) {
          if (round === 0) options.log.warn({ endpoint: label, err: errorText(error) }, "RPC endpoint does not answer");
          return;
        }
        if (served !== chainId) {
          throw new ConfigError(`${label}: serves chain ${served}, not chain ${chainId}`);
        }
        answered += 1;
      }),
    );
    if (answered > 0) return;
    if (options.signal?.stopped) return;
    if (round % 10 === 0) options.log.error({ endpoints: urls.length }, "no RPC endpoint answers; waiting");
    await new Promise((r) => setTimeout(r, 1000));
  }
}
