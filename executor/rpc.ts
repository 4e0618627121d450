/**
 * The executor's RPC endpoints (RPC_URLS, or RPC_URL): one viem transport over all of them that fails
 * over on errors and ranks them by health, with a timeout short enough that a hung endpoint costs a few
 * blocks, not the 10 s viem waits by default.
 *
 * Ranking is viem's `fallback` ranking (stability 0.7, latency 0.3 over the last samples) with our own
 * probe: `eth_blockNumber`, failed when the endpoint trails the best head seen by more than
 * STALE_BLOCKS, so a node that lags the chain sinks to the back like one that errors.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { fallback, hexToNumber, http, ResponseBodyTooLargeError, type Transport } from "viem";
import { checkEndpoints } from "../lib/endpoints.js";
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
}

export const DEFAULT_MAX_CONNECTIONS = 64;
/** viem's own cap on an answer's size (10 MiB), kept. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const MAX_REDIRECTS = 3;
/** A connection idle this long is closed (undici's default keep-alive), before a server drops it under us. */
const IDLE_SOCKET_MS = 4_000;

/** The answer viem reads: status, headers, the body as text (viem reads nothing else of a fetch Response). */
class RpcAnswer {
  readonly body = null;
  readonly headers: { get(name: string): string | null };
  constructor(
    readonly status: number,
    readonly statusText: string,
    headers: IncomingHttpHeaders,
    readonly raw: string,
  ) {
    this.headers = {
      get: (name) => {
        const value = headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
    };
  }
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  async text(): Promise<string> {
    return this.raw;
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.raw);
  }
}

const agents = new Map<number, { http: HttpAgent; https: HttpsAgent }>();

/**
 * JSON-RPC over node:http with keep-alive connections, for viem's http transport in place of the global
 * fetch. Measured on this machine against anvil (200 requests in flight): fetch took 1.1 ms of CPU per
 * request and node:http 0.2 ms, with the process at 167 MiB against 88; a worker at 200 transactions a
 * block makes some 800 requests a second. Each fetch builds a Request, Headers, an AbortSignal and web
 * streams that live until its answer, and the global fetch opens a connection for every request in
 * flight: 400 to one anvil at saturation (heap snapshots). Here each endpoint gets at most
 * `maxConnections`, and requests beyond them queue in the agent. Aborts (viem's timeout) destroy the
 * request and free its connection; a redirect is followed (up to 3) with the same method and body.
 */
export function nodeFetch(maxConnections = DEFAULT_MAX_CONNECTIONS): typeof fetch {
  let pair = agents.get(maxConnections);
  if (!pair) {
    const options = {
      keepAlive: true,
      maxSockets: maxConnections,
      scheduling: "lifo" as const,
      timeout: IDLE_SOCKET_MS,
    };
    pair = { http: new HttpAgent(options), https: new HttpsAgent(options) };
    agents.set(maxConnections, pair);
  }
  const { http: plain, https: secure } = pair;
  const send = (url: URL, init: RequestInit, hops: number): Promise<RpcAnswer> =>
    new Promise((resolve, reject) => {
      const body = typeof init.body === "string" ? init.body : "";
      const tls = url.protocol === "https:";
      const req = (tls ? httpsRequest : httpRequest)(
        url,
        {
          method: init.method ?? "POST",
          headers: { ...(init.headers as Record<string, string>), "content-length": String(Buffer.byteLength(body)) },
          agent: tls ? secure : plain,
          signal: init.signal ?? undefined,
        },
        (res) => {
          const location = res.headers.location;
          if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location && hops < MAX_REDIRECTS) {
            res.resume();
            send(new URL(location, url), init, hops + 1).then(resolve, reject);
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) res.destroy(new ResponseBodyTooLargeError({ maxSize: MAX_BODY_BYTES, size }));
            else chunks.push(chunk);
          });
          res.on("error", reject);
          res.on("end", () => {
            const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
            resolve(new RpcAnswer(res.statusCode ?? 0, res.statusMessage ?? "", res.headers, text));
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  return ((input: string | URL | Request, init: RequestInit = {}) =>
    send(new URL(String(input)), init, 0)) as unknown as typeof fetch;
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
        fetchFn: nodeFetch(options.maxConnections),
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
  options: { timeoutMs: number; log: Logger },
): Promise<void> {
  for (let round = 0; ; round++) {
    const { answered, silent } = await checkEndpoints(urls, chainId, options.timeoutMs);
    if (round === 0) for (const endpoint of silent) options.log.warn({ endpoint }, "RPC endpoint does not answer");
    if (answered > 0) return;
    if (round % 10 === 0) options.log.error({ endpoints: urls.length }, "no RPC endpoint answers; waiting");
    await new Promise((r) => setTimeout(r, 1000));
  }
}
