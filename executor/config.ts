/**
 * Executor configuration from the environment, validated at start. A bad value exits with one line
 * naming the variable (never echoing it: it may be a key).
 */
import { parseEther } from "viem";
import { z } from "zod";
import { ConfigError, parseEnv, privateKey, url } from "../lib/env.js";
import { type Network, networksFromEnv, selectNetworks } from "../lib/network.js";
import { DEFAULT_MAX_CONNECTIONS } from "../lib/node-fetch.js";
import { queueEnv, queueLocation } from "../lib/queue.js";
import { loopbackAllowed } from "../lib/subscriptions.js";
import type { DeliverySettings } from "./alerts/deliver.js";
import type { AlertThresholds } from "./alerts/watch.js";
import { type KeystoreSource, keystoreFiles } from "./keystore.js";
import { SecretKey } from "./secret.js";

export type Role = "scheduler" | "worker" | "all";

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const ether = (zero: string) =>
  z.string().regex(/^\d{1,12}(\.\d{1,18})?$/, `must be an amount in ether, e.g. 0.05 (${zero})`);

const keyList = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}(\s*,\s*0x[0-9a-fA-F]{64})*$/, "must be comma-separated 0x-prefixed 32-byte hex keys");

/**
 * Settings taken as they are, each listed once: its config name here is its variable in camelCase
 * (gasBufferPercent is GAS_BUFFER_PERCENT), and its type in ExecutorConfig is what the schema gives.
 */
const plain = {
  gasBufferPercent: int(0, 500).default(20),
  maxAttempts: int(1, 100).default(3),
  backoffMs: int(0, 3_600_000).default(2000),
  txTimeoutMs: int(1000, 3_600_000).default(120_000),
  replaceAfterMs: int(500, 3_600_000).default(15_000),
  batchSize: int(1, 1000).default(50),
  batchGasLimit: int(100_000, 1_000_000_000).default(15_000_000),
  batchWaitMs: int(0, 10_000).default(50),
  // A killed worker's jobs come back after this (BullMQ renews the lock every half of it while alive).
  jobLockMs: int(1000, 600_000).default(10_000),
  confirmations: int(0, 64).default(1),
  // A hung RPC request is abandoned (and the next endpoint tried) after this long.
  rpcTimeoutMs: int(100, 120_000).default(5000),
  // Connections kept open to each RPC endpoint; requests beyond them wait for one (executor/rpc.ts). 64
  // carry 200 transactions a block to a local node; raise it for an endpoint far away.
  rpcMaxConnections: int(1, 10_000).default(DEFAULT_MAX_CONNECTIONS),
  metricsPort: int(0, 65_535).default(9464),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  pollMs: int(50, 60_000).default(200),
  // performData a checker may return (Chainlink allows 2,000-5,000 bytes): it goes into the job in Redis
  // and into the transaction's calldata.
  maxPerformDataBytes: int(0, 1_000_000).default(5_000),
  blockTimeMs: int(100, 600_000).optional(),
};

type PlainSettings = z.infer<z.ZodObject<typeof plain>>;

/** GAS_BUFFER_PERCENT for gasBufferPercent. */
const variableOf = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

/** The plain settings from the environment, by config name; a bad value names its variable. */
function parsePlain(env: NodeJS.ProcessEnv): PlainSettings {
  const byVariable = Object.fromEntries(Object.entries(plain).map(([name, schema]) => [variableOf(name), schema]));
  const parsed: Record<string, unknown> = parseEnv(byVariable, env);
  return Object.fromEntries(Object.keys(plain).map((name) => [name, parsed[variableOf(name)]])) as PlainSettings;
}

/** Settings whose variable is not their config name, or whose value is derived (loadConfig maps them). */
const shape = {
  PONDER_URL: url.default("http://127.0.0.1:42069"),
  INDEX_READER: z.enum(["api", "sql"]).default("api"),
  ...queueEnv,
  WORKER_PRIVATE_KEY: privateKey.optional(),
  WORKER_PRIVATE_KEYS: keyList.optional(),
  // Encrypted JSON keystores (comma-separated paths) and the file holding their password: executor/keystore.ts.
  WORKER_KEYSTORE: z.string().trim().min(1).optional(),
  WORKER_KEYSTORE_PASSWORD_FILE: z.string().trim().min(1).optional(),
  MAX_FEE_GWEI: z.coerce.number().positive().max(1_000_000).default(500),
  // Runs one worker process keeps in flight (a job stays active until its transaction is mined), so it
  // caps runs per block. Unset: 20 per BATCH_SIZE, from 400 to 1,000 (defaultConcurrency).
  WORKER_CONCURRENCY: int(1, 100_000).optional(),
  // A mined transaction stays watched this many blocks: a reorg that undoes it is repaired (it is sent
  // again at its nonce). Deeper reorgs are left to the scheduler's reconciler.
  REORG_DEPTH: int(1, 10_000).default(64),
  // TIME slots are offered this far ahead: the executor rides out an index outage this long.
  SCHEDULER_LOOKAHEAD_S: int(1, 86_400).default(60),
  // Gas a CONDITION checker may burn per check (Chainlink's default check gas limit is 6.5M): a checker
  // that needs more is refused, so nobody's check can make every block's pass slow.
  CHECK_GAS_LIMIT: int(21_000, 100_000_000).default(6_500_000),
  // The worker claims its FeeEscrow earnings once they reach this (ether); "0" never claims by itself.
  AUTO_CLAIM_MIN: ether("0 turns auto-claim off").default("0.05"),
  // Alerts (executor/alerts): the operator's are POSTed, signed, to this URL (unset: none for the
  // operator). Owners' subscriptions (made through the API) are delivered either way.
  ALERT_WEBHOOK_URL: url.optional(),
  ALERT_WEBHOOK_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  ALERT_LOW_RUNS: int(1, 1_000_000).default(10),
  ALERT_SIGNER_MIN_BALANCE: ether("0 turns it off").default("0.1"),
  ALERT_INDEX_LAG_BLOCKS: int(1, 1_000_000).default(20),
  ALERT_POLL_MS: int(100, 600_000).default(2000),
  ALERT_RETRY_MS: int(10, 600_000).default(1000),
  // Owners' webhooks may point at this host's loopback (a receiver beside the executor, in tests and dev).
  ALERT_ALLOW_LOOPBACK: z.enum(["true", "false", "1", "0"]).default("false"),
};

export interface ExecutorConfig extends PlainSettings {
  role: Role;
  /** The chains this process serves: CHAINS (or the one chain of CHAIN), narrowed to one by --chain. */
  networks: Network[];
  /**
   * CHAINS is set, so each chain's variables carry its id (RPC_URLS_31338): what errors and logs name.
   * Without it the one chain reads the plain names (RPC_URLS).
   */
  suffixedVariables: boolean;
  ponderUrl: string;
  indexReader: "api" | "sql";
  redisUrl: string;
  /** A Redis Cluster's seed nodes (REDIS_CLUSTER_NODES), or undefined for one Redis at redisUrl. */
  clusterNodes: string[] | undefined;
  /** QUEUE_PREFIX, hash-tagged on a cluster (lib/queue.ts). */
  queuePrefix: string;
  /**
   * Each served chain's signer keys, by chain id: WORKER_PRIVATE_KEYS_<id> when set, else
   * WORKER_PRIVATE_KEY(S). Every chain gets its own signers from them (nonces are per chain).
   */
  signerKeys: Map<number, SecretKey[]>;
  /** WORKER_KEYSTORE: keys still encrypted, added to signerKeys by unlockKeystores (executor/keystore.ts). */
  keystore?: KeystoreSource;
  maxFeePerGas: bigint;
  concurrency: number;
  reorgDepth: number;
  lookaheadSeconds: number;
  checkGasLimit: bigint;
  /** Earnings (wei) at which the worker claims them by itself; 0n: never (see worker/earnings.ts). */
  autoClaimMinWei: bigint;
  /** Where alerts go (the operator's webhook, if set, and owners' subscriptions) and what raises them. */
  alerts: { delivery: DeliverySettings; thresholds: AlertThresholds };
}

/**
 * Runs kept in flight when WORKER_CONCURRENCY is unset. A run stays in flight from its batch's simulation
 * until the transaction is mined, about a block and a half, so a worker needs that much in flight to fill
 * blocks. On a 30M-gas chain with 1 s blocks (bench: executor), batches of 50 runs (~36k gas each) fill a
 * block at 800 runs: 400 in flight held them at 400 a block, 1,000 reach the 800. Batches of 1 cost 97k
 * gas a run and fill a block at ~300, and every run in flight is a transaction held in memory: they keep
 * 400 (RSS 151-162 MiB at 400, 160-177 MiB at 1,000).
 */
export function defaultConcurrency(batchSize: number): number {
  return Math.min(1000, Math.max(400, 20 * batchSize));
}

export interface LoadOptions {
  /** --chain: serve only this chain, one of those configured. */
  chain?: number | undefined;
}

export function loadConfig(
  role: Role,
  env: NodeJS.ProcessEnv = process.env,
  options: LoadOptions = {},
): ExecutorConfig {
  const e = parseEnv(shape, env);
  const p = parsePlain(env);
  const networks = selectNetworks(networksFromEnv(env), options.chain);
  const common = [
    ...(e.WORKER_PRIVATE_KEY ? [e.WORKER_PRIVATE_KEY] : []),
    ...(e.WORKER_PRIVATE_KEYS ? splitKeys(e.WORKER_PRIVATE_KEYS) : []),
  ];
  const keystores = keystoreFiles(e.WORKER_KEYSTORE);
  const passwordFile = e.WORKER_KEYSTORE_PASSWORD_FILE;
  if (keystores.length > 0 && !passwordFile) {
    throw new ConfigError("WORKER_KEYSTORE_PASSWORD_FILE: required with WORKER_KEYSTORE");
  }
  const signerKeys = new Map<number, SecretKey[]>();
  const keystoreChains: number[] = [];
  for (const { chainId } of networks) {
    // Validated for every role, as WORKER_PRIVATE_KEYS is: a typo should not wait for the worker's deploy.
    const own = parseEnv({ [`WORKER_PRIVATE_KEYS_${chainId}`]: keyList.optional() }, env)[
      `WORKER_PRIVATE_KEYS_${chainId}`
    ];
    const unique = [...new Set((own ? splitKeys(own) : common).map((k) => k.toLowerCase() as `0x${string}`))];
    if (!own && keystores.length > 0) keystoreChains.push(chainId);
    if (role !== "scheduler" && unique.length === 0 && !keystoreChains.includes(chainId)) {
      throw new ConfigError(
        networks.length === 1
          ? "WORKER_PRIVATE_KEY: required for the worker role (or set WORKER_PRIVATE_KEYS or WORKER_KEYSTORE)"
          : `WORKER_PRIVATE_KEY: required for the worker role on chain ${chainId} (or set WORKER_PRIVATE_KEYS, WORKER_PRIVATE_KEYS_${chainId} or WORKER_KEYSTORE)`,
      );
    }
    // A scheduler never signs: it holds no keys (nor builds the signers and curve tables they need).
    signerKeys.set(chainId, role === "scheduler" ? [] : unique.map((k) => new SecretKey(k)));
  }
  return {
    ...p,
    role,
    networks,
    suffixedVariables: Boolean(env.CHAINS?.trim()),
    ponderUrl: e.PONDER_URL.replace(/\/$/, ""),
    indexReader: e.INDEX_READER,
    ...queueLocation(e),
    signerKeys,
    ...(passwordFile && keystores.length > 0 && role !== "scheduler"
      ? { keystore: { files: keystores, passwordFile, chains: keystoreChains } }
      : {}),
    maxFeePerGas: BigInt(Math.round(e.MAX_FEE_GWEI * 1e9)),
    concurrency: Math.max(e.WORKER_CONCURRENCY ?? defaultConcurrency(p.batchSize), p.batchSize),
    reorgDepth: Math.max(e.REORG_DEPTH, p.confirmations),
    lookaheadSeconds: e.SCHEDULER_LOOKAHEAD_S,
    checkGasLimit: BigInt(e.CHECK_GAS_LIMIT),
    autoClaimMinWei: parseEther(e.AUTO_CLAIM_MIN),
    ...alertsConfig(e),
  };
}

function alertsConfig(e: z.infer<z.ZodObject<typeof shape>>): Pick<ExecutorConfig, "alerts"> {
  if (e.ALERT_WEBHOOK_URL && !e.ALERT_WEBHOOK_SECRET) {
    throw new ConfigError(
      "ALERT_WEBHOOK_SECRET: required with ALERT_WEBHOOK_URL (receivers check each alert's signature with it)",
    );
  }
  return {
    alerts: {
      delivery: {
        operator:
          e.ALERT_WEBHOOK_URL && e.ALERT_WEBHOOK_SECRET
            ? { url: e.ALERT_WEBHOOK_URL, secret: e.ALERT_WEBHOOK_SECRET }
            : undefined,
        retryMs: e.ALERT_RETRY_MS,
        allowLoopback: loopbackAllowed({ ALERT_ALLOW_LOOPBACK: e.ALERT_ALLOW_LOOPBACK }),
      },
      thresholds: {
        lowRuns: BigInt(e.ALERT_LOW_RUNS),
        signerMinWei: parseEther(e.ALERT_SIGNER_MIN_BALANCE),
        indexLagBlocks: BigInt(e.ALERT_INDEX_LAG_BLOCKS),
        pollMs: e.ALERT_POLL_MS,
      },
    },
  };
}

const splitKeys = (list: string) => list.split(",").map((k) => k.trim() as `0x${string}`);
