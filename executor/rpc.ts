/**
 * The executor's RPC endpoints (RPC_URLS, or RPC_URL): one viem transport over all of them that fails
 * over on errors and ranks them by health, with a timeout short enough that a hung endpoint costs a few
 * blocks, not the 10 s viem waits by default.
 *
 * Ranking is viem's `fallback` ranking (stability 0.7, latency 0.3 over the last samples) with our own
 * probe: `eth_blockNumber`, failed when the endpoint trails the best head seen by more than
 * STALE_BLOCKS, so a node that lags the chain sinks to the back like one that errors.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { fallback, hexToNumber, http, type Transport } from "viem";
import { checkEndpoints } from "../lib/endpoints.js";
import { nodeFetch } from "../lib/node-fetch.js";
import type { Logger } from "./log.js";

export interface RpcOptions {
  timeoutMs: number;
  /** How often each endpoint is probed for the ranking. */
  rankIntervalMs: number;
  /** Coalesce the calls made in one tick into JSON-RPC batch requests (the condition checker does). */
  batch?: boolean;
  /** Retries of a single endpoint (default 3); 0 where the caller already spreads over every endpoint. */
  retries?: number;
  /** Connections kept open to each endpoint (RPC_MAX_CONNECTIONS); requests beyond them wait their turn. */
  maxConnections?: number;
  /** Transports of one pool share those connections (lib/node-fetch.ts): one pool per chain. */
  pool?: string;
}

/** An endpoint this many blocks behind the best one seen is ranked as failing. */
const STALE_BLOCKS = 3;

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
        fetchFn: nodeFetch(options.maxConnections, options.pool),
        // nodeFetch enforces the size as it reads; viem's own check would encode every answer again to count it.
        maxResponseBodySize: false,
        ...(options.batch ? { batch: { batchSize: 200, wait: 0 } } : {}),
      }),
    );
  // One endpoint: viem's own retries (150 ms, 300 ms, 600 ms) ride out short bursts of errors.
  if (urls.length === 1) return one(urls[0]!, options.retries ?? 3);
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
 * Start-up check of every endpoint (lib/endpoints.ts): one that serves another chain stops the process
 * with a config error naming it. If none answers, this waits (logging every 10 s) rather than exiting,
 * so a restart during an RPC outage recovers by itself.
 */
export async function verifyEndpoints(
  urls: string[],
  chainId: number,
  options: {
    timeoutMs: number;
    log: Logger;
    /** "_<id>" when the endpoints came from RPC_URLS_<id> (CHAINS): errors and warnings name that. */
    suffix?: string;
    /** Gives up waiting (rejects with an AbortError): the process is stopping. */
    signal?: AbortSignal;
  },
): Promise<void> {
  for (let round = 0; ; round++) {
    options.signal?.throwIfAborted();
    const { answered, silent } = await checkEndpoints(urls, chainId, options.timeoutMs, options.suffix);
    if (round === 0) for (const endpoint of silent) options.log.warn({ endpoint }, "RPC endpoint does not answer");
    if (answered > 0) return;
    if (round % 10 === 0) options.log.error({ endpoints: urls.length }, "no RPC endpoint answers; waiting");
    await sleep(1000, undefined, { signal: options.signal });
  }
}
