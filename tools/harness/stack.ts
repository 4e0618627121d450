/**
 * The whole system for an executor test: anvil with the contracts, a real Ponder indexing it, Redis
 * with a queue prefix of its own, and the environment an executor process needs to join them.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Queue } from "bullmq";
import type { Cluster, Redis } from "ioredis";
import { actionExecutorAbi } from "../../abis/index.js";
import { queueName, queueSettings, type RunJobData } from "../../lib/queue.js";
import { queueConnection, redisClient } from "../../lib/redis.js";
import { DEV_KEYS } from "../accounts.js";
import type { AnvilOptions } from "../anvil.js";
import { walletFor } from "../clients.js";
import { WORKER_ROLE } from "../roles.js";
import { type Chain, chainEnv, startChain } from "./chain.js";
import { type DatabaseKind, type Indexer, startIndexer } from "./indexer.js";
import { freePort } from "./ports.js";

export interface Stack {
  chain: Chain;
  indexer: Indexer;
  queuePrefix: string;
  queue: Queue<RunJobData>;
  redis: Redis | Cluster;
  env(extra?: Record<string, string>): Promise<Record<string, string>>;
  grantWorker(key: `0x${string}`): Promise<void>;
  /** Switches anvil from a block per transaction to one block every `seconds`. */
  intervalMining(seconds: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Another Redis than the machine's (a private server the test discards): its URL or a cluster's nodes,
 * and, for TLS with a private CA, the CA's certificate file.
 */
export interface StackRedis {
  url?: string;
  clusterNodes?: string[];
  caFile?: string;
}

export async function startStack(
  kind: DatabaseKind = "pglite",
  anvil: AnvilOptions = {},
  other?: StackRedis,
): Promise<Stack> {
  const redisEnv: Record<string, string> = {
    REDIS_URL: other?.url ?? "redis://127.0.0.1:6379",
    ...(other?.clusterNodes ? { REDIS_CLUSTER_NODES: other.clusterNodes.join(",") } : {}),
    // Every process of the stack trusts the private CA, as an operator's would trust a managed Redis's.
    ...(other?.caFile ? { NODE_EXTRA_CA_CERTS: other.caFile } : {}),
  };
  const chain = await startChain({ anvil });
  const indexer = await startIndexer(chain, kind, redisEnv);
  // On a cluster the prefix every process uses is the hash-tagged one (lib/queue.ts).
  const location = queueSettings({ ...redisEnv, QUEUE_PREFIX: indexer.queuePrefix });
  const queuePrefix = location.queuePrefix;
  const ca = other?.caFile ? readFileSync(other.caFile) : undefined;
  const overrides = { maxRetriesPerRequest: 3, ...(ca ? { tls: { ca } } : {}) };
  const connection = queueConnection(location, overrides);
  const queue = new Queue<RunJobData>(queueName(chain.deployment.chainId), {
    connection: connection.connection,
    prefix: queuePrefix,
  });
  const redis = redisClient(location, overrides);
  return {
    chain,
    indexer,
    queuePrefix,
    queue,
    redis,
    env: async (extra = {}) => ({
      ...chainEnv(chain),
      PONDER_URL: indexer.url,
      ...redisEnv,
      QUEUE_PREFIX: indexer.queuePrefix,
      WORKER_PRIVATE_KEY: DEV_KEYS.worker,
      METRICS_PORT: String(await freePort()),
      BACKOFF_MS: "500",
      POLL_MS: "100",
      ...extra,
    }),
    grantWorker: async (key) => {
      await chain.mined(
        await chain.wallets.deployer.writeContract({
          address: chain.deployment.actionExecutor,
          abi: actionExecutorAbi,
          functionName: "grantRole",
          args: [WORKER_ROLE, walletFor(chain.publicClient, key).account.address],
        }),
      );
    },
    intervalMining: async (seconds) => {
      await chain.testClient.setAutomine(false);
      await chain.testClient.setIntervalMining({ interval: seconds });
    },
    stop: async () => {
      // The machine's Redis is shared: this stack's keys go. A private one is thrown away whole.
      if (!other) {
        await queue.obliterate({ force: true }).catch(() => {});
        const keys = await redis.keys(`${queuePrefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
      }
      await queue.close();
      await connection.close();
      redis.disconnect();
      await indexer.stop();
      await chain.stop();
    },
  };
}

export const uniqueSuffix = () => randomBytes(3).toString("hex");
