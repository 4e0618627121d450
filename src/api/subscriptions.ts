/**
 * Owner subscriptions, kept by the API (lib/subscriptions.ts says what they are). Each request carries an
 * EIP-712 message and its signature; it is taken only when
 * - the message is well formed, its deadline not passed and not further than MAX_MESSAGE_LIFETIME_S ahead;
 * - the signature is the workflow's owner's as the chain says now (an EOA's by recovery, a contract
 *   wallet's by ERC-1271 through viem), not the index's: ownership can move, and the index can lag;
 * - its nonce has not been used (kept in Redis until the deadline);
 * - the URL is http(s) and reaches neither this server's loopback nor a link-local address.
 * Checks run cheapest first. A URL's name is looked up and the nonce spent only once the signature holds:
 * nobody without the key can make this server ask DNS, or burn an owner's message.
 */
import { type Address, getAddress, type Hex, isAddressEqual, recoverAddress } from "viem";
import { z } from "zod";
import { workflowRegistryAbi } from "../../abis/index.js";
import {
  type ListMessage,
  loopbackAllowed,
  MAX_MESSAGE_LIFETIME_S,
  MAX_SUBSCRIPTIONS_PER_WORKFLOW,
  newSecret,
  type PublicSubscription,
  resolvedUrlProblem,
  type Subscription,
  type SubscriptionRequest,
  subscriptionHash,
  subscriptionId,
  subscriptionKeys,
  urlProblem,
  type WorkflowMessage,
} from "../../lib/subscriptions.js";
import { networks, requiredChain } from "./chain.js";
import { ApiError, badRequest, conflict, notFound, unauthorized, unavailable } from "./errors.js";
import { rpcClient, rpcProblem } from "./rpc.js";
import { store, storeLocation } from "./store.js";

const prefix = storeLocation.queuePrefix;
const allowLoopback = loopbackAllowed();

const uint = z.union([z.string().regex(/^\d{1,78}$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));
const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x and 64 hex digits") as z.ZodType<Hex>;
const signed = <T extends z.ZodTypeAny>(message: T) =>
  z.object({
    chainId: z.union([z.number().int(), z.string()]).optional(),
    message,
    signature: z.string().regex(/^0x([0-9a-fA-F]{2})+$/, "must be 0x-prefixed hex") as z.ZodType<Hex>,
  });
const workflowRequest = signed(
  z.object({ workflowId: uint, url: z.string().min(1), deadline: uint, nonce: hex32 }).strict(),
);
const listRequest = signed(
  z
    .object({
      owner: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an address"),
      deadline: uint,
      nonce: hex32,
    })
    .strict(),
);

const present = ({ secret: _secret, ...rest }: Subscription): PublicSubscription => rest;

function parse<T extends z.ZodTypeAny>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.join(".") || "body";
    throw badRequest("invalid_request", `${where}: ${issue?.message ?? "malformed"} (see /openapi.json)`);
  }
  return result.data;
}

/** Which chain, and its registry (the domain's verifyingContract). */
function chainOf(raw: number | string | undefined): { chainId: number; registry: Address } {
  const chainId = requiredChain(raw === undefined ? undefined : String(raw));
  const network = networks.find((n) => n.chainId === chainId);
  if (!network) throw badRequest("invalid_chain_id", `chain ${chainId} is not indexed here`);
  return { chainId, registry: network.registry };
}

function checkDeadline(deadline: bigint): void {
  const now = BigInt(Math.floor(Date.now() / 1000));
  if (deadline < now) throw unauthorized("expired", `the message expired at ${deadline} (now ${now}): sign a new one`);
  if (deadline > now + BigInt(MAX_MESSAGE_LIFETIME_S)) {
    throw badRequest("invalid_deadline", `deadline may be at most ${MAX_MESSAGE_LIFETIME_S} s ahead`);
  }
}

/** The workflow's owner, from the chain. */
async function ownerOnChain(chainId: number, registry: Address, workflowId: bigint): Promise<Address> {
  const client = rpcClient(chainId);
  if (!client) throw unavailable(`no RPC for chain ${chainId}`);
  const [owner] = await client
    .readContract({ address: registry, abi: workflowRegistryAbi, functionName: "ownerAndStatus", args: [workflowId] })
    .catch((error: unknown) => {
      throw unavailable(`cannot read the workflow's owner: ${rpcProblem(error, "eth_call")}`);
    });
  if (isAddressEqual(owner, "0x0000000000000000000000000000000000000000")) {
    throw notFound(`no workflow ${workflowId} on chain ${chainId}`);
  }
  return owner;
}

/** Whether `signer` signed it: recovery for an account; for a contract wallet, ERC-1271 on chain. */
async function signedBy(
  signer: Address,
  chainId: number,
  registry: Address,
  request: SubscriptionRequest,
  signature: Hex,
): Promise<boolean> {
  const hash = subscriptionHash(chainId, registry, request);
  const recovered = await recoverAddress({ hash, signature }).catch(() => undefined);
  if (recovered && isAddressEqual(recovered, signer)) return true;
  const client = rpcClient(chainId);
  if (!client) return false;
  const code = await client.getCode({ address: signer }).catch(() => undefined);
  if (!code || code === "0x") return false;
  return client.verifyHash({ address: signer, hash, signature }).catch(() => false);
}

async function redis<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw unavailable("subscription store (Redis) unreachable: try again later");
  }
}

/** Spends the message's nonce; a second use is a replay. */
async function spend(chainId: number, signer: Address, nonce: Hex, deadline: bigint): Promise<void> {
  const ttl = Math.max(1, Number(deadline) - Math.floor(Date.now() / 1000) + 60);
  const fresh = await redis(() =>
    store().set(subscriptionKeys.nonce(prefix, chainId, signer, nonce), "1", "EX", ttl, "NX"),
  );
  if (fresh !== "OK") throw conflict("replayed", "this signed message was already used: sign a new one");
}

/** Checks a workflow message (subscribe or unsubscribe) down to its signer, the workflow's owner. */
async function authorize(action: "Subscribe" | "Unsubscribe", req: z.infer<typeof workflowRequest>) {
  const { chainId, registry } = chainOf(req.chainId);
  const message: WorkflowMessage = { ...req.message, nonce: req.message.nonce.toLowerCase() as Hex };
  checkDeadline(message.deadline);
  if (message.workflowId < 1n) throw badRequest("invalid_workflow_id", "workflowId must be 1 or more");
  const owner = await ownerOnChain(chainId, registry, message.workflowId);
  if (!(await signedBy(owner, chainId, registry, { primaryType: action, message }, req.signature))) {
    throw unauthorized(
      "bad_signature",
      `the signature is not workflow ${message.workflowId}'s owner's (${owner}) for this ${action} message on chain ${chainId}`,
    );
  }
  return { chainId, owner, message, signature: req.signature };
}

export async function subscribe(
  body: unknown,
): Promise<{ subscription: PublicSubscription; secret: string; created: boolean }> {
  const req = parse(workflowRequest, body);
  // The URL's form first (it costs nothing); its name is asked of DNS only for the owner, so nobody else
  // can make this server look names up. Asked again on each delivery.
  const malformed = urlProblem(req.message.url, allowLoopback);
  if (malformed) throw badRequest("invalid_url", malformed);
  const { chainId, owner, message } = await authorize("Subscribe", req);
  const resolved = await resolvedUrlProblem(message.url, allowLoopback);
  if (resolved) throw badRequest("invalid_url", resolved);
  const key = subscriptionKeys.workflow(prefix, chainId, message.workflowId);
  const id = subscriptionId(message.url);
  const existing = await redis(() => store().hget(key, id));
  const kept = existing ? (JSON.parse(existing) as Subscription) : undefined;
  if (!kept && (await redis(() => store().hlen(key))) >= MAX_SUBSCRIPTIONS_PER_WORKFLOW) {
    throw conflict(
      "too_many",
      `workflow ${message.workflowId} has ${MAX_SUBSCRIPTIONS_PER_WORKFLOW} subscriptions: unsubscribe one first`,
    );
  }
  await spend(chainId, owner, message.nonce, message.deadline);
  // The same URL again: the same subscription and secret (how an owner who lost the secret gets it back),
  // now the current owner's.
  const subscription: Subscription = {
    id,
    chainId,
    workflowId: String(message.workflowId),
    owner: getAddress(owner),
    url: message.url,
    secret: kept?.secret ?? newSecret(),
    createdAt: kept?.createdAt ?? new Date().toISOString(),
  };
  await redis(async () => {
    await store().hset(key, id, JSON.stringify(subscription));
    await store().sadd(subscriptionKeys.owner(prefix, chainId, owner), `${message.workflowId}/${id}`);
  });
  return { subscription: present(subscription), secret: subscription.secret, created: !kept };
}

export async function unsubscribe(body: unknown): Promise<{ removed: boolean }> {
  const { chainId, owner, message } = await authorize("Unsubscribe", parse(workflowRequest, body));
  await spend(chainId, owner, message.nonce, message.deadline);
  const id = subscriptionId(message.url);
  const removed = await redis(async () => {
    const n = await store().hdel(subscriptionKeys.workflow(prefix, chainId, message.workflowId), id);
    await store().srem(subscriptionKeys.owner(prefix, chainId, owner), `${message.workflowId}/${id}`);
    return n === 1;
  });
  if (!removed) throw notFound(`workflow ${message.workflowId} has no subscription at that URL`);
  return { removed };
}

/** The signer's subscriptions on the chain, for workflows they still own. */
export async function listSubscriptions(body: unknown): Promise<{ items: PublicSubscription[] }> {
  const req = parse(listRequest, body);
  const { chainId, registry } = chainOf(req.chainId);
  const message: ListMessage = {
    owner: getAddress(req.message.owner),
    deadline: req.message.deadline,
    nonce: req.message.nonce.toLowerCase() as Hex,
  };
  checkDeadline(message.deadline);
  if (
    !(await signedBy(message.owner, chainId, registry, { primaryType: "ListSubscriptions", message }, req.signature))
  ) {
    throw unauthorized("bad_signature", `the signature is not ${message.owner}'s for this ListSubscriptions message`);
  }
  await spend(chainId, message.owner, message.nonce, message.deadline);
  const entries = await redis(() => store().smembers(subscriptionKeys.owner(prefix, chainId, message.owner)));
  const kept = await redis(() =>
    Promise.all(
      entries.map((entry) => {
        const [workflowId, id] = entry.split("/") as [string, string];
        return store().hget(subscriptionKeys.workflow(prefix, chainId, workflowId), id);
      }),
    ),
  );
  // Only what the signer still made and owns: a subscription taken over by a later owner is theirs.
  const items = kept
    .flatMap((json) => (json ? [JSON.parse(json) as Subscription] : []))
    .filter((sub) => isAddressEqual(sub.owner, message.owner))
    .map(present);
  items.sort((a, b) => Number(BigInt(a.workflowId) - BigInt(b.workflowId)) || a.url.localeCompare(b.url));
  return { items };
}
