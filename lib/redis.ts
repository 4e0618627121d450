/**
 * The one way every process reaches the queue's Redis (the executor's BullMQ and its epoch marker, the
 * API's queue state, the dev tools): REDIS_URL as redis:// or rediss:// (TLS), with an ACL user and a
 * percent-encoded password, and a database number. Before, the API built its own connection without the
 * user or TLS: with a managed `rediss://user:pass@…` Redis the executor ran and the explorer said the
 * queue was unreachable.
 */
import type { RedisOptions } from "ioredis";

/**
 * ioredis options (as BullMQ takes them) from a redis:// or rediss:// URL. By default a connection
 * retries forever (BullMQ workers block on Redis and must outlive a restart); `overrides` are for
 * clients that should fail fast instead.
 */
export function redisConnection(redisUrl: string, overrides: RedisOptions = {}): RedisOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: Number(url.pathname.slice(1) || 0),
    // The system's CAs (and NODE_EXTRA_CA_CERTS): a managed Redis's certificate is checked, never skipped.
    tls: url.protocol === "rediss:" ? {} : undefined,
    maxRetriesPerRequest: null,
    ...overrides,
  };
}
