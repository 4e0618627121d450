/**
 * Which queue prefix a tool works on when QUEUE_PREFIX is not set. Found by trying it: `npm run dev` runs
 * its queue under `autokeeper-dev` (it clears it at every start, so it must not be a deployment's), and
 * `npm run queue -- dead` looked under `autokeeper`, answered "no dead jobs", and README's own
 * troubleshooting step could not find the job. So a tool without QUEUE_PREFIX looks at what the Redis
 * holds: the chain's queue under the default prefix if there is one, else the only prefix that has one;
 * several is an error that names them.
 */
import { queueName } from "../../lib/queue.js";
import { redisClient } from "../../lib/redis.js";
import type { ExecutorConfig } from "../config.js";

type Located = Pick<ExecutorConfig, "redisUrl" | "clusterNodes" | "queuePrefix">;

/** The prefixes under which this Redis holds a queue for `chainId` (BullMQ keeps `<prefix>:<queue>:meta`). */
export async function queuePrefixes(config: Located, chainId: number): Promise<string[]> {
  const redis = redisClient(config, { maxRetriesPerRequest: 1 });
  const suffix = `:${queueName(chainId)}:meta`;
  const found = new Set<string>();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `*${suffix}`, "COUNT", 1000);
      for (const key of keys) found.add(key.slice(0, -suffix.length));
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return [...found].sort();
}

/**
 * The prefix to use: QUEUE_PREFIX when set; else the default's queue if it exists, or the only other
 * prefix with one. On a cluster the keys are spread over masters: QUEUE_PREFIX (or the default) it is.
 */
export async function resolveQueuePrefix(
  config: Located,
  chainId: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ prefix: string; note?: string }> {
  if (env.QUEUE_PREFIX || config.clusterNodes) return { prefix: config.queuePrefix };
  const prefixes = await queuePrefixes(config, chainId);
  if (prefixes.length === 0 || prefixes.includes(config.queuePrefix)) {
    const others = prefixes.filter((p) => p !== config.queuePrefix);
    return {
      prefix: config.queuePrefix,
      note: others.length > 0 ? `(also in this Redis: ${others.join(", ")}; set QUEUE_PREFIX for one)` : undefined,
    };
  }
  if (prefixes.length === 1) {
    const [prefix] = prefixes as [string];
    return { prefix, note: `(queue prefix ${prefix}: the only one in this Redis; set QUEUE_PREFIX for another)` };
  }
  throw new Error(
    `this Redis holds ${queueName(chainId)} under several prefixes (${prefixes.join(", ")}): set QUEUE_PREFIX to one`,
  );
}
