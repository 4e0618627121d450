/**
 * The one way every process reaches the queue's Redis (the executor's BullMQ and its epoch marker, the
 * API's queue state, the dev tools): REDIS_URL as redis:// or rediss:// (TLS), with an ACL user and a
 * percent-encoded password, and a database number; or, with REDIS_CLUSTER_NODES, a Redis Cluster through
 * ioredis' cluster client. Before, the API built its own connection without the user or TLS: with a
 * managed `rediss://user:pass@…` Redis the executor ran and the explorer said the queue was unreachable.
 */
import { Cluster, Redis, type RedisOptions } from "ioredis";

/** Where the queue lives: one Redis, or a cluster's seed nodes (with their user, password and TLS). */
export interface RedisTarget {
  redisUrl: string;
  /** Seed nodes as redis:// or rediss:// URLs; the first one's credentials and TLS serve every node. */
  clusterNodes?: string[] | undefined;
}

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

/** A cluster client: every node with the first seed's user, password and TLS (and `overrides`). */
function clusterClient(nodes: string[], overrides: RedisOptions): Cluster {
  const { host: _h, port: _p, db: _db, ...shared } = redisConnection(nodes[0]!, overrides);
  return new Cluster(
    nodes.map((n) => {
      const url = new URL(n);
      return { host: url.hostname, port: Number(url.port || 6379) };
    }),
    {
      redisOptions: shared,
      // With TLS, each seed's host name is kept as given rather than resolved to an IP first, so the
      // certificate is checked against the name it was issued for (ioredis' advice for managed clusters).
      ...(shared.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
      enableOfflineQueue: overrides.enableOfflineQueue ?? true,
    },
  );
}

/** A client for plain commands (the scheduler's epoch marker, the dev tools). */
export function redisClient(target: RedisTarget, overrides: RedisOptions = {}): Redis | Cluster {
  return target.clusterNodes?.length
    ? clusterClient(target.clusterNodes, overrides)
    : new Redis(redisConnection(target.redisUrl, overrides));
}

/**
 * What BullMQ's `connection` takes: options for a connection BullMQ makes and closes itself, or, on a
 * cluster, a client of ours (BullMQ builds only single-node connections from options); `close` quits it.
 */
export function queueConnection(
  target: RedisTarget,
  overrides: RedisOptions = {},
): { connection: RedisOptions | Cluster; close(): Promise<void> } {
  if (!target.clusterNodes?.length)
    return { connection: redisConnection(target.redisUrl, overrides), close: async () => {} };
  const cluster = clusterClient(target.clusterNodes, overrides);
  return {
    connection: cluster,
    close: async () => {
      await cluster.quit().catch(() => cluster.disconnect());
    },
  };
}
