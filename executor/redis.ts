import type { RedisOptions } from "ioredis";

/** ioredis options (as BullMQ takes them) from a redis:// URL. */
export function redisConnection(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: Number(url.pathname.slice(1) || 0),
    tls: url.protocol === "rediss:" ? {} : undefined,
    // BullMQ workers block on Redis; they must retry forever rather than give up on a restart.
    maxRetriesPerRequest: null,
  };
}
