/**
 * The API's own JSON-RPC clients, one per configured chain: every endpoint in turn, as the indexer fails
 * over between them, and no retries (an answer to a person must be quick). Errors are told in words of
 * our own: viem's messages name the URL, and an RPC URL often carries an API key.
 */
import {
  BaseError,
  createPublicClient,
  fallback,
  HttpRequestError,
  http,
  type PublicClient,
  RpcError,
  TimeoutError,
} from "viem";
import type { Network } from "../../lib/network.js";
import { networks } from "./chain.js";

export const RPC_TIMEOUT_MS = 2_000;

function clientFor(n: Network): PublicClient {
  const transports = n.rpcUrls.map((url) => http(url, { timeout: RPC_TIMEOUT_MS, retryCount: 0 }));
  return createPublicClient({ transport: fallback(transports, { retryCount: 0 }) }) as PublicClient;
}

const clients = new Map(networks.map((n) => [n.chainId, clientFor(n)]));

/** The client for a configured chain; undefined for any other. */
export const rpcClient = (chainId: number): PublicClient | undefined => clients.get(chainId);

/** What went wrong asking the RPC `method`, without its URL. */
export function rpcProblem(error: unknown, method: string): string {
  const find = (match: (e: unknown) => boolean) => (error instanceof BaseError ? error.walk(match) : null);
  if (find((e) => e instanceof TimeoutError)) return `RPC did not answer within ${RPC_TIMEOUT_MS / 1000} s`;
  const answered = find((e) => e instanceof HttpRequestError);
  if (answered instanceof HttpRequestError && answered.status !== undefined) {
    return `RPC answered HTTP ${answered.status}`;
  }
  const rpc = find((e) => e instanceof RpcError);
  if (rpc instanceof RpcError) return `RPC refused ${method} (JSON-RPC error ${rpc.code})`;
  return "RPC unreachable";
}
