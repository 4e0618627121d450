/**
 * `npm run workflow -- subscribe <id> <url>`, `unsubscribe <id> <url>` and `subscriptions`: a workflow
 * owner's alert subscriptions. Each is an EIP-712 message (lib/subscriptions.ts) signed here with the
 * owner's key and sent to the API at PONDER_URL, which checks it against the workflow's owner on chain.
 * Nothing is sent on chain and no gas is paid. The key never leaves this process; only the signature does.
 */
import type { Hex, LocalAccount } from "viem";
import type { Network } from "../lib/network.js";
import {
  MESSAGE_LIFETIME_S,
  newNonce,
  type PublicSubscription,
  type SubscriptionRequest,
  subscriptionTypedData,
} from "../lib/subscriptions.js";
import { apiPost } from "./api.js";

export const SUBSCRIPTION_HELP = {
  subscribe:
    "npm run workflow -- subscribe <id> <url>      POST this workflow's alerts (failed runs, dead-lettered jobs, low\n" +
    "                                             balance, completed, cancelled) to <url> (owner; signed, no gas).\n" +
    "                                             Prints the secret your receiver checks X-Autokeeper-Signature with",
  unsubscribe: "npm run workflow -- unsubscribe <id> <url>    stop sending this workflow's alerts to <url> (owner)",
  subscriptions: "npm run workflow -- subscriptions             list the owner's subscriptions on the chain",
};

export type SubscriptionCommand = keyof typeof SUBSCRIPTION_HELP;
export const isSubscriptionCommand = (c: string): c is SubscriptionCommand => c in SUBSCRIPTION_HELP;

interface Context {
  ponderUrl: string;
  network: Network;
  account: LocalAccount;
}

async function send<T>(ctx: Context, path: string, request: SubscriptionRequest): Promise<T> {
  const { chainId, registry } = ctx.network;
  const signature: Hex = await ctx.account.signTypedData(subscriptionTypedData(chainId, registry, request));
  return apiPost<T>(ctx.ponderUrl, path, { chainId, message: request.message, signature });
}

const deadline = () => BigInt(Math.floor(Date.now() / 1000) + MESSAGE_LIFETIME_S);

/** Runs one subscription command (its arguments already checked); answers what to print. */
export async function runSubscriptionCommand(
  command: SubscriptionCommand,
  args: { workflowId?: bigint; url?: string },
  ctx: Context,
): Promise<string> {
  const chain = `chain ${ctx.network.chainId}`;
  if (command === "subscriptions") {
    const { items } = await send<{ items: PublicSubscription[] }>(ctx, "/api/subscriptions/list", {
      primaryType: "ListSubscriptions",
      message: { owner: ctx.account.address, deadline: deadline(), nonce: newNonce() },
    });
    if (items.length === 0) return `${ctx.account.address} has no subscriptions on ${chain}`;
    return [
      `${ctx.account.address}'s subscriptions on ${chain}:`,
      ...items.map((s) => `  workflow ${s.workflowId}  ${s.url}  (since ${s.createdAt})`),
    ].join("\n");
  }
  const { workflowId, url } = args as { workflowId: bigint; url: string };
  const message = { workflowId, url, deadline: deadline(), nonce: newNonce() };
  if (command === "unsubscribe") {
    await send(ctx, "/api/subscriptions/unsubscribe", { primaryType: "Unsubscribe", message });
    return `workflow ${workflowId}'s alerts no longer go to ${url}`;
  }
  const answer = await send<{ subscription: PublicSubscription; secret: string; created: boolean }>(
    ctx,
    "/api/subscriptions",
    { primaryType: "Subscribe", message },
  );
  return [
    answer.created
      ? `workflow ${workflowId}'s alerts on ${chain} now go to ${url}`
      : `workflow ${workflowId}'s alerts on ${chain} already go to ${url}`,
    `signing secret: ${answer.secret}`,
    "  each alert is a JSON POST; check X-Autokeeper-Signature: sha256=<hex of HMAC-SHA256(secret, raw body)>",
    "  before trusting it (X-Autokeeper-Delivery is its id: keep one of each). Subscribing again shows the secret again.",
  ].join("\n");
}
