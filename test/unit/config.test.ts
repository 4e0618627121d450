/**
 * Every executor setting is checked by loadConfig: a bad value is refused with a ConfigError naming the
 * variable, never its value. Called directly (test/executor/config.test.ts runs the process for a few,
 * to show the one-line exit).
 */
import { expect, it } from "vitest";
import { loadConfig } from "../../executor/config.js";
import { ConfigError } from "../../lib/env.js";
import { DEV_KEYS } from "../../tools/accounts.js";
import { base, twoChains } from "../../tools/harness/config-env.js";

it("takes a good configuration", () => {
  const config = loadConfig("all", base);
  expect(config.networks.map((n) => n.chainId)).toEqual([31337]);
  expect(config.alerts.delivery.operator).toBeUndefined();
  expect(config.alerts.delivery.allowLoopback).toBe(false);
});

it("reads each setting from its own variable", () => {
  const settings = {
    GAS_BUFFER_PERCENT: ["gasBufferPercent", 7],
    MAX_ATTEMPTS: ["maxAttempts", 9],
    BACKOFF_MS: ["backoffMs", 11],
    TX_TIMEOUT_MS: ["txTimeoutMs", 1300],
    REPLACE_AFTER_MS: ["replaceAfterMs", 1700],
    BATCH_SIZE: ["batchSize", 19],
    BATCH_GAS_LIMIT: ["batchGasLimit", 2_300_000],
    BATCH_WAIT_MS: ["batchWaitMs", 29],
    JOB_LOCK_MS: ["jobLockMs", 3100],
    CONFIRMATIONS: ["confirmations", 3],
    RPC_TIMEOUT_MS: ["rpcTimeoutMs", 370],
    RPC_MAX_CONNECTIONS: ["rpcMaxConnections", 41],
    METRICS_PORT: ["metricsPort", 4300],
    LOG_LEVEL: ["logLevel", "warn"],
    POLL_MS: ["pollMs", 470],
    MAX_PERFORM_DATA_BYTES: ["maxPerformDataBytes", 530],
    BLOCK_TIME_MS: ["blockTimeMs", 590],
    SCHEDULER_LOOKAHEAD_S: ["lookaheadSeconds", 61],
    WORKER_CONCURRENCY: ["concurrency", 67],
    REORG_DEPTH: ["reorgDepth", 71],
  } as const;
  const env = Object.fromEntries(Object.entries(settings).map(([variable, [, value]]) => [variable, String(value)]));
  const config: Record<string, unknown> = { ...loadConfig("all", { ...base, ...env }) };
  for (const [variable, [key, value]] of Object.entries(settings))
    expect([variable, config[key]]).toEqual([variable, value]);
});

it.each([
  [{ GAS_BUFFER_PERCENT: "lots" }, "GAS_BUFFER_PERCENT"],
  [{ MAX_ATTEMPTS: "0" }, "MAX_ATTEMPTS"],
  [{ BATCH_SIZE: "-5" }, "BATCH_SIZE"],
  [{ REDIS_URL: "not a url" }, "REDIS_URL"],
  [{ REDIS_URL: "https://user:hunter22@redis.example:6380" }, "REDIS_URL"],
  [{ QUEUE_PREFIX: "two words" }, "QUEUE_PREFIX"],
  [{ REDIS_CLUSTER_NODES: "redis://10.0.0.1:7000,10.0.0.2:7000" }, "REDIS_CLUSTER_NODES"],
  [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
  [{ BLOCK_TIME_MS: "5" }, "BLOCK_TIME_MS"],
  [{ RPC_MAX_CONNECTIONS: "0" }, "RPC_MAX_CONNECTIONS"],
  [{ WORKER_PRIVATE_KEY: `${DEV_KEYS.worker}ff` }, "WORKER_PRIVATE_KEY"],
  [{ WORKER_PRIVATE_KEY: "", WORKER_PRIVATE_KEYS: "" }, "WORKER_PRIVATE_KEY"],
  [{ WORKER_PRIVATE_KEYS: `${DEV_KEYS.worker},0x12` }, "WORKER_PRIVATE_KEYS"],
  // A chain's own keys replace the common ones, validated the same way, and named with the chain's id.
  [{ WORKER_PRIVATE_KEYS_31337: `${DEV_KEYS.worker},0x12` }, "WORKER_PRIVATE_KEYS_31337"],
  [{ ...twoChains, WORKER_PRIVATE_KEYS_31338: `0x${"ab".repeat(31)}` }, "WORKER_PRIVATE_KEYS_31338"],
  [{ REGISTRY_ADDRESS: "0x1234" }, "REGISTRY_ADDRESS"],
  [{ CHAIN: "mainnet" }, "CHAIN"],
  [{ RPC_URLS: "http://127.0.0.1:1,not a url" }, "RPC_URLS"],
  // Alerts: a receiver cannot check unsigned alerts, so a URL without its secret is refused.
  [{ ALERT_WEBHOOK_URL: "https://hooks.example/T0KEN-in-the-path" }, "ALERT_WEBHOOK_SECRET"],
  [{ ALERT_WEBHOOK_URL: "hooks.example/x", ALERT_WEBHOOK_SECRET: "0123456789abcdef0" }, "ALERT_WEBHOOK_URL"],
  [{ ALERT_WEBHOOK_URL: "https://hooks.example/x", ALERT_WEBHOOK_SECRET: "short-secret" }, "ALERT_WEBHOOK_SECRET"],
  [{ ALERT_SIGNER_MIN_BALANCE: "lots" }, "ALERT_SIGNER_MIN_BALANCE"],
  [{ ALERT_ALLOW_LOOPBACK: "yes please" }, "ALERT_ALLOW_LOOPBACK"],
])("refuses %o naming %s", (env, name) => {
  let error: unknown;
  try {
    loadConfig("all", { ...base, ...env });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  expect(message).toMatch(new RegExp(`^${name}(\\[\\d+\\])?: `));
  expect(message.toLowerCase()).not.toContain(DEV_KEYS.worker.slice(2));
  // Never the value either (a URL can carry a password).
  for (const value of Object.values(env).filter((v) => v.length > 3)) expect(message).not.toContain(value);
});
