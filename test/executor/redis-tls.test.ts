/**
 * A Redis shaped like a managed one: TLS under a private CA, an ACL user (the default user is off) and a
 * password a URL must percent-encode, all in one `rediss://user:pass@…` REDIS_URL. Every process reaches
 * it through lib/redis.ts: the executor runs a workflow over it, and the API reads a dead job's state
 * from it. Found by reading the API: it built its own connection without the user or TLS, so with such a
 * Redis the executor worked and the explorer reported the queue unreachable.
 */
import { encodeFunctionData, parseEther } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import { counterAbi, counterBytecode, switchableAbi, switchableBytecode } from "../../abis/index.js";
import { Status, timeSpec } from "../../lib/spec.js";
import { DEV_KEYS } from "../../tools/accounts.js";
import { type ExecutorProcess, leakedKeys, spawnExecutor } from "../../tools/harness/executor.js";
import { type RedisServer, startRedisServer } from "../../tools/harness/servers.js";
import { type Stack, startStack } from "../../tools/harness/stack.js";
import { until } from "../../tools/harness/wait.js";

let redis: RedisServer;
let stack: Stack;
let executor: ExecutorProcess | undefined;
beforeAll(async () => {
  redis = await startRedisServer({ secure: true });
  stack = await startStack("pglite", {}, { url: redis.url, caFile: redis.caFile });
});
afterAll(async () => {
  await executor?.kill();
  await stack?.stop();
  await redis?.stop();
});

it("runs workflows and shows the queue through a TLS Redis with an ACL user and an encoded password", async () => {
  const { chain } = stack;
  expect(redis.url).toMatch(/^rediss:\/\/autokeeper:p%40ss%3Aw%2Frd%251@127\.0\.0\.1:\d+$/);
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const switchable = await chain.deploy(switchableAbi, switchableBytecode);
  const call = (target: `0x${string}`, data: `0x${string}`) => ({ target, value: 0n, data });
  const start = (await chain.now()) + 6n;
  const runs = await chain.register(
    timeSpec([call(counter, encodeFunctionData({ abi: counterAbi, functionName: "increment" }))], 0n, {
      startTime: start,
    }),
    parseEther("1"),
  );
  const dead = await chain.register(
    timeSpec([call(switchable, encodeFunctionData({ abi: switchableAbi, functionName: "work" }))], 0n, {
      startTime: start,
    }),
    parseEther("1"),
  );
  await stack.intervalMining(1);
  executor = spawnExecutor(await stack.env({ MAX_ATTEMPTS: "1" }));
  await executor.waitForLog(/"index ready; scheduling"/);

  // The executor's queue, its scheduler's epoch marker and its worker all go over TLS as that user.
  await until("the run", async () => (await chain.workflow(runs.id)).status === Status.COMPLETED, 30_000);
  expect(await chain.publicClient.readContract({ address: counter, abi: counterAbi, functionName: "count" })).toBe(1n);
  // The API finds the failing one's job in that Redis: dead, with its reason (not "unreachable").
  await until("the dead job in the API", async () => {
    const { body } = await stack.indexer.get<{ queue: { state?: string } | null }>(`/api/workflows/${dead.id}`);
    return body.queue?.state === "dead";
  });
  const { body } = await stack.indexer.get<{ queue: unknown }>(`/api/workflows/${dead.id}`);
  expect(body.queue).toMatchObject({ state: "dead", lastError: "action would revert: switched off" });
  expect(await executor.stop()).toBe(0);
  // The password is a secret like the keys: printed by no process, encoded or not.
  const printed = executor.output() + stack.indexer.output();
  const password = new URL(redis.url).password;
  expect([password, decodeURIComponent(password)].filter((p) => printed.includes(p))).toEqual([]);
  expect(leakedKeys([DEV_KEYS.worker], printed)).toEqual([]);
  executor = undefined;
}, 120_000);
