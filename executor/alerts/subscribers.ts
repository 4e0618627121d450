/**
 * Who besides the operator gets a workflow's alerts: the subscriptions its owner made through the API
 * (lib/subscriptions.ts). Only those made by the workflow's owner as the chain says now count: after a
 * transfer of ownership, the old owner's subscriptions get nothing more.
 */
import type { Cluster, Redis } from "ioredis";
import { type Address, isAddressEqual } from "viem";
import { type Subscription, subscriptionKeys } from "../../lib/subscriptions.js";

export interface SubscribersDeps {
  redis: Redis | Cluster;
  prefix: string;
  chainId: number;
  /** The workflow's owner on chain (the registry's ownerAndStatus). */
  ownerOf(workflowId: bigint): Promise<Address>;
}

export class Subscribers {
  constructor(private readonly d: SubscribersDeps) {}

  /** The ids of the workflow's subscriptions made by its current owner (the chain is asked only if there are any). */
  async of(workflowId: string): Promise<string[]> {
    const kept = await this.d.redis.hvals(subscriptionKeys.workflow(this.d.prefix, this.d.chainId, workflowId));
    if (kept.length === 0) return [];
    const owner = await this.d.ownerOf(BigInt(workflowId));
    return kept
      .map((json) => JSON.parse(json) as Subscription)
      .filter((s) => isAddressEqual(s.owner, owner))
      .map((s) => s.id);
  }
}
