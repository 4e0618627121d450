/**
 * The API's one connection to Redis for what it keeps itself (function signatures, owner subscriptions),
 * under QUEUE_PREFIX like the queue it reads. Opened on first use; a command waits at most 1.5 s, so a
 * page whose extras are unavailable is still a page, and a write that cannot be kept says so.
 */
import { queueSettings } from "../../lib/queue.js";
import { redisClient } from "../../lib/redis.js";

export const storeLocation = queueSettings();

let redis: ReturnType<typeof redisClient> | undefined;

export function store(): ReturnType<typeof redisClient> {
  if (!redis) {
    redis = redisClient(storeLocation, { maxRetriesPerRequest: 1, connectTimeout: 1500, commandTimeout: 1500 });
    redis.on("error", () => {});
  }
  return redis;
}

/** Redis did not answer: what was asked was not kept (the route answers 503). */
export class StoreUnavailable extends Error {}
