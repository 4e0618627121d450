/**
 * Faults the queue absorbs: a target that reverts (retried with backoff, dead-lettered, revived by
 * `npm run queue -- retry`), a transaction stuck in the mempool (replaced with a higher fee), and a
 * broadcast every endpoint refuses in transit (sent again at once).
 */
import { spawn } from "node:child_process";
import { encodeFunctionData, parseEther } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import { counterAbi, counterBytecode, switchableAbi, switchableBytecode } from "../../abis/index.js";
import { jobId } from "../../lib/queue.js";
import { Status, timeSpec } from "../../lib/spec.js";
import { DEV_KEYS } from "../../tools/accounts.js";
import { type ExecutorProcess, leakedKeys, spawnExecutor } from "../../tools/harness/executor.js";
import { chainMetrics } from "../../tools/harness/metrics.js";
import { startFaultProxy } from "../../tools/harness/rpc-proxy.js";
import { type Stack, startStack } from "../../tools/harness/stack.js";
import { sleep, until } from "../../tools/harness/wait.js";

let stack: Stack;
let executor: ExecutorProcess | undefined;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await executor?.kill();
  await stack?.stop();
});

/** Runs an operator tool (`npm run queue -- …`, `npm run push-job -- …`) against this stack. */
async function queueCli(args: string[], tool = "queue"): Promise<{ code: number | null; out: string }> {
  const env = { ...(process.env as Record<string, string>), ...(await stack.env()) };
  const child = spawn(process.execPath, ["--import", "tsx", `executor/cli/${tool}.ts`, ...args], {
    env,
    cwd: process.cwd(),
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  return { code, out };
}

it("retries a reverting run with backoff, dead-letters it, and revives it with `queue retry`", async () => {
  const { chain } = stack;
  const switchable = await chain.deploy(switchableAbi, switchableBytecode);
  const work = {
    target: switchable,
    value: 0n,
    data: encodeFunctionData({ abi: switchableAbi, functionName: "work" }),
  };
  const start = (await chain.now()) + 8n;
  const { id } = await chain.register(timeSpec([work], 0n, { startTime: start }), parseEther("1"));
  await stack.intervalMining(1);
  executor = spawnExecutor(await stack.env({ MAX_ATTEMPTS: "3", BACKOFF_MS: "500" }));

  const job = jobId(chain.deployment.chainId, id, start);
  await until(
    "the job to be dead-lettered",
    async () => (await stack.queue.getJob(job))?.finishedOn !== undefined,
    40_000,
  );
  const dead = (await stack.queue.getJob(job))!;
  expect(await dead.getState()).toBe("failed");
  expect(dead.attemptsMade).toBe(3);
  expect(dead.failedReason).toBe("action would revert: switched off");
  // the simulation caught it every time: nothing was sent, nothing charged
  expect((await chain.workflow(id)).runCount).toBe(0n);
  expect(await chain.balanceOf(id)).toBe(parseEther("1"));
  // backoff: 500 ms then 1000 ms between the three attempts
  expect(dead.finishedOn! - dead.processedOn!).toBeLessThan(1000);
  expect(executor.output()).toContain('"job dead-lettered after its last attempt"');

  // The API shows it dead, with the reason.
  const api = await stack.indexer.get<{ queue: { state: string; lastError: string } }>(`/api/workflows/${id}`);
  expect(api.body.queue).toMatchObject({ state: "dead", lastError: "action would revert: switched off" });

  const listed = await queueCli(["dead"]);
  expect(listed.code).toBe(0);
  expect(listed.out).toContain(job);
  expect(listed.out).toContain("switched off");
  const stats = await queueCli(["stats"]);
  expect(stats.out).toMatch(/dead \(failed\)\s+1/);

  // The owner fixes the target; the operator replays the dead job; it runs once.
  await chain.mined(
    await chain.wallets.stranger.writeContract({
      address: switchable,
      abi: switchableAbi,
      functionName: "setBroken",
      args: [false],
    }),
  );
  const retried = await queueCli(["retry", job]);
  expect([retried.code, retried.out.trim()]).toEqual([0, `job ${job} is back in the queue with fresh attempts`]);
  await until("the revived run", async () => (await chain.workflow(id)).status === Status.COMPLETED);
  expect(
    await chain.publicClient.readContract({ address: switchable, abi: switchableAbi, functionName: "calls" }),
  ).toBe(1n);
  expect((await queueCli(["retry", job])).out).toMatch(/is completed, not dead|no job/);
  expect(await executor.stop()).toBe(0);
  executor = undefined;
}, 120_000);

it("replaces a transaction stuck in the mempool with a higher fee, and the run happens once", async () => {
  const { chain } = stack;
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  const start = (await chain.now()) + 6n;
  const { id } = await chain.register(timeSpec([inc], 0n, { startTime: start }), parseEther("1"));
  const env = await stack.env({ REPLACE_AFTER_MS: "1500" });
  executor = spawnExecutor(env);
  await executor.waitForLog(/"index ready; scheduling"/);
  // Mining stops before the run is due: whatever the worker sends sits in the mempool.
  await chain.testClient.setIntervalMining({ interval: 0 });
  await executor.waitForLog(/"batch sent"/, 30_000);
  await executor.waitForLog(/"replaced stuck transaction"/, 20_000);
  await executor.waitForLog(/"replaced stuck transaction"[\s\S]*"replaced stuck transaction"/, 20_000);
  expect((await chain.workflow(id)).runCount).toBe(0n);
  // Mining resumes: one version is mined, once.
  await chain.testClient.setIntervalMining({ interval: 1 });
  await until("the run", async () => (await chain.workflow(id)).status === Status.COMPLETED);
  await executor.waitForLog(/"run mined"/);
  const [replaced] = await chainMetrics(env.METRICS_PORT!, chain.deployment.chainId, "autokeeper_tx_replaced_total");
  expect(replaced).toBeGreaterThanOrEqual(2);
  expect(await chain.publicClient.readContract({ address: counter, abi: counterAbi, functionName: "count" })).toBe(1n);
  expect((await chain.workflow(id)).runCount).toBe(1n);
  // the mined version is a replacement, not the first broadcast
  const first =
    /"batch sent"[^\n]*?"txHash":"(0x[0-9a-f]{64})"/.exec(executor.output())?.[1] ??
    /"txHash":"(0x[0-9a-f]{64})"[^\n]*"batch sent"/.exec(executor.output())?.[1];
  const mined = /"txHash":"(0x[0-9a-f]{64})"[^\n]*"run mined"/.exec(executor.output())?.[1];
  expect(first).toBeDefined();
  expect(mined).toBeDefined();
  expect(mined).not.toBe(first);
  expect(await executor.stop()).toBe(0);
  executor = undefined;
}, 120_000);

it("sends a transaction again at once when every endpoint answers its broadcast with a 429, and it runs once", async () => {
  // The executor reaches anvil through a fault proxy that answers the first two eth_sendRawTransaction
  // with 429 and forwards nothing. Taken as "maybe sent", the transaction would only be called lost and
  // re-sent a block and a half later, with every later nonce stuck behind it (the chaos suite's 429/5xx
  // row). The same signed bytes go again at once instead: no transaction vanishes.
  const { chain } = stack;
  const proxy = await startFaultProxy(chain.anvil.rpcUrl);
  try {
    await stack.intervalMining(1);
    const counter = await chain.deploy(counterAbi, counterBytecode);
    const inc = {
      target: counter,
      value: 0n,
      data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }),
    };
    const start = (await chain.now()) + 8n;
    const { id } = await chain.register(timeSpec([inc], 0n, { startTime: start }), parseEther("1"));
    executor = spawnExecutor(await stack.env({ RPC_URL: proxy.url }));
    await executor.waitForLog(/"index ready; scheduling"/);
    const send = ["eth_sendRawTransaction"];
    proxy.set({ errorRate: 1, burstLength: 2, errorStatuses: [429], methods: send });
    // The first refusal starts a burst of two; from then on nothing new starts, the burst runs out.
    // Looked at every few ms: the next round goes 100 ms after the first refusal.
    const deadline = Date.now() + 30_000;
    while (!proxy.stats().injected.error429 && Date.now() < deadline) await sleep(5);
    proxy.set({ methods: send });
    await until("the run", async () => (await chain.workflow(id)).status === Status.COMPLETED, 30_000);
    await sleep(2000);
    expect(proxy.stats().injected.error429).toBe(2);
    expect(executor.output()).not.toContain("transaction vanished before it was mined");
    expect(await chain.publicClient.readContract({ address: counter, abi: counterAbi, functionName: "count" })).toBe(
      1n,
    );
    expect(await executor.stop()).toBe(0);
    executor = undefined;
  } finally {
    await proxy.close();
  }
}, 120_000);

it("push-job enqueues a workflow's current slot by hand, once", async () => {
  const { chain } = stack;
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  const start = (await chain.now()) + 3600n;
  const { id } = await chain.register(timeSpec([inc], 0n, { startTime: start }), parseEther("1"));
  await stack.indexer.catchUp();
  const first = await queueCli([String(id)], "push-job");
  const job = jobId(chain.deployment.chainId, id, start);
  expect([first.code, first.out]).toEqual([0, expect.stringContaining(`pushed job ${job}`)]);
  expect((await stack.queue.getJob(job))?.data).toMatchObject({ workflowId: String(id), dueAt: String(start) });
  const again = await queueCli([String(id)], "push-job");
  expect(again.out).toContain(`job ${job} already exists`);
  const bad = await queueCli(["abc"], "push-job");
  expect([bad.code, bad.out.trim()]).toEqual([
    2,
    "config error: usage: npm run push-job -- <workflowId> [--perform-data 0x…] [--chain <id>]",
  ]);
  expect((await queueCli(["999999"], "push-job")).out).toContain("workflow 999999 is not in the index");
});

it("never printed a private key", () => {
  expect(leakedKeys([DEV_KEYS.worker, DEV_KEYS.deployer])).toEqual([]);
});
