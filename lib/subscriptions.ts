/**
 * Owner subscriptions: a workflow's owner asks for its alerts at a URL of their own, with no account. The
 * owner signs an EIP-712 message (`npm run workflow -- subscribe`), the API checks the signature against
 * the workflow's owner on chain and keeps the subscription in Redis, and the executor's alert delivery
 * POSTs that workflow's alerts there, signed with a secret the API handed the owner once.
 *
 * This file is what the three share: the typed-data messages, the Redis keys, and which URLs are refused.
 *
 * A message carries a deadline (at most MAX_MESSAGE_LIFETIME_S ahead) and a random nonce; the API keeps
 * each nonce it accepted until the deadline has passed, so a message is good once. The domain names the
 * chain and the registry, so a signature for one deployment is worth nothing on another.
 */
import { createHash, randomBytes } from "node:crypto";
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { type Address, type Hex, hashTypedData } from "viem";

export const SUBSCRIPTION_TYPES = {
  Subscribe: [
    { name: "workflowId", type: "uint256" },
    { name: "url", type: "string" },
    { name: "deadline", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
  Unsubscribe: [
    { name: "workflowId", type: "uint256" },
    { name: "url", type: "string" },
    { name: "deadline", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
  ListSubscriptions: [
    { name: "owner", type: "address" },
    { name: "deadline", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;

export type SubscriptionAction = keyof typeof SUBSCRIPTION_TYPES;

export interface WorkflowMessage {
  workflowId: bigint;
  url: string;
  deadline: bigint;
  nonce: Hex;
}
export interface ListMessage {
  owner: Address;
  deadline: bigint;
  nonce: Hex;
}

export function subscriptionDomain(chainId: number, registry: Address) {
  return { name: "Autokeeper", version: "1", chainId, verifyingContract: registry } as const;
}

/** One signed request: which message it is, and its fields. */
export type SubscriptionRequest =
  | { primaryType: "Subscribe" | "Unsubscribe"; message: WorkflowMessage }
  | { primaryType: "ListSubscriptions"; message: ListMessage };

/** The EIP-712 typed data to sign (viem's signTypedData takes it as it is). */
export function subscriptionTypedData(chainId: number, registry: Address, request: SubscriptionRequest) {
  const domain = subscriptionDomain(chainId, registry);
  return request.primaryType === "ListSubscriptions"
    ? { domain, types: SUBSCRIPTION_TYPES, primaryType: "ListSubscriptions" as const, message: request.message }
    : { domain, types: SUBSCRIPTION_TYPES, primaryType: request.primaryType, message: request.message };
}

/** The digest an owner's key signs. */
export function subscriptionHash(chainId: number, registry: Address, request: SubscriptionRequest): Hex {
  return hashTypedData(subscriptionTypedData(chainId, registry, request));
}

/** A signed message is good for at most this long: the API remembers used nonces for as long. */
export const MAX_MESSAGE_LIFETIME_S = 3600;
/** What the CLI asks for: long enough for a slow RPC, short enough that a leaked message soon dies. */
export const MESSAGE_LIFETIME_S = 600;
export const MAX_URL_LENGTH = 2048;
export const MAX_SUBSCRIPTIONS_PER_WORKFLOW = 5;

export const newNonce = (): Hex => `0x${randomBytes(32).toString("hex")}`;

/** What the API keeps per subscription; `secret` signs its deliveries and is never listed. */
export interface Subscription {
  id: string;
  chainId: number;
  workflowId: string;
  /** The owner who subscribed: alerts go out only while the workflow still has this owner. */
  owner: Address;
  url: string;
  secret: string;
  createdAt: string;
}

/** A subscription as the API answers it (never its secret). */
export type PublicSubscription = Omit<Subscription, "secret">;

/** One id per (workflow, URL): subscribing the same URL again is the same subscription. */
export const subscriptionId = (url: string): string => createHash("sha256").update(url).digest("hex").slice(0, 16);

/** The secret a subscriber verifies X-Autokeeper-Signature with. */
export const newSecret = (): string => `whsec_${randomBytes(24).toString("hex")}`;

/** Redis keys, under QUEUE_PREFIX (hash-tagged on a cluster, so one slot holds them all). */
export const subscriptionKeys = {
  /** HASH: subscription id → Subscription (JSON). */
  workflow: (prefix: string, chainId: number, workflowId: bigint | string) =>
    `${prefix}:subscriptions:${chainId}:workflow:${workflowId}`,
  /** SET of "<workflowId>/<subscription id>" an owner made, for listing. */
  owner: (prefix: string, chainId: number, owner: Address) =>
    `${prefix}:subscriptions:${chainId}:owner:${owner.toLowerCase()}`,
  /** A nonce already used by this signer, kept until its message's deadline. */
  nonce: (prefix: string, chainId: number, signer: Address, nonce: Hex) =>
    `${prefix}:subscriptions:${chainId}:nonce:${signer.toLowerCase()}:${nonce.toLowerCase()}`,
};

/**
 * Addresses a delivery must never reach: the server's own loopback (unless allowed, as for a receiver on
 * the same host), "this host" and link-local (where clouds serve instance credentials, 169.254.169.254).
 * IPv4-mapped IPv6 addresses are checked against the IPv4 ranges (BlockList does that).
 */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");
const NEVER = new BlockList();
NEVER.addSubnet("0.0.0.0", 8, "ipv4");
NEVER.addAddress("::", "ipv6");
NEVER.addSubnet("169.254.0.0", 16, "ipv4");
NEVER.addSubnet("fe80::", 10, "ipv6");

/** Why an address (a literal or one a name resolved to) may not be delivered to; undefined when it may. */
export function addressProblem(address: string, allowLoopback: boolean): string | undefined {
  const family = isIP(address);
  if (family === 0) return undefined;
  const type = family === 4 ? "ipv4" : "ipv6";
  if (NEVER.check(address, type)) return `${address} is an unspecified or link-local address`;
  if (!allowLoopback && LOOPBACK.check(address, type)) {
    return `${address} is this server's loopback (ALERT_ALLOW_LOOPBACK allows it)`;
  }
  return undefined;
}

/** The host of a URL as an address or a name: brackets off an IPv6 literal. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, "$1");

/**
 * Why a subscriber's URL is refused before any lookup: not http(s), too long, credentials in it, or a
 * loopback host by name or literal (the URL parser has already turned 2130706433 and 0x7f.1 into
 * 127.0.0.1). Names are resolved where the URL is used (the API on subscribe, delivery on each POST).
 */
export function urlProblem(raw: string, allowLoopback: boolean): string | undefined {
  if (raw.length > MAX_URL_LENGTH) return `url is longer than ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "url is not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `url must be http(s), not ${url.protocol}`;
  if (url.username || url.password) return "url must not carry a user or password (put a token in the path)";
  // "localhost." is localhost: a name's trailing dot (the DNS root) is dropped before judging it.
  const host = hostOf(url).toLowerCase().replace(/\.+$/, "");
  if (!allowLoopback && (host === "localhost" || host.endsWith(".localhost"))) {
    return `${host} is this server's loopback (ALERT_ALLOW_LOOPBACK allows it)`;
  }
  return addressProblem(host, allowLoopback);
}

/** ALERT_ALLOW_LOOPBACK, read the same way by the API and the executor. */
export const loopbackAllowed = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env.ALERT_ALLOW_LOOPBACK === "true" || env.ALERT_ALLOW_LOOPBACK === "1";

/**
 * urlProblem, then where the host's name resolves to: a name that points at loopback is loopback. Asked
 * again before each delivery, so a name changed after subscribing (DNS rebinding) is caught then.
 */
export async function resolvedUrlProblem(raw: string, allowLoopback: boolean): Promise<string | undefined> {
  const problem = urlProblem(raw, allowLoopback);
  if (problem) return problem;
  const host = hostOf(new URL(raw));
  if (isIP(host) !== 0) return undefined;
  const addresses = await lookup(host, { all: true }).catch(() => undefined);
  if (!addresses || addresses.length === 0) return `${host} does not resolve`;
  for (const a of addresses) {
    const refused = addressProblem(a.address, allowLoopback);
    if (refused) return `${host} resolves to ${refused}`;
  }
  return undefined;
}
