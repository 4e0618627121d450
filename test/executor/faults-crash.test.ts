/**
 * Crashes and lost state, each with nothing lost and nothing doubled: the executor SIGKILLed mid-batch
 * and restarted; Redis FLUSHALL mid-run (the scheduler rebuilds the queue from the index); two
 * executor processes with different keys sharing one queue.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { encodeFunctionData, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { counterAbi, counterBytecode } from "../../abis/index.js";
import { timeSpec } from "../../lib/spec.js";
import { ANVIL_KEYS, DEV_KEYS } from "../../tools/accounts.js";
import { type ExecutorProcess, leakedKeys, spawnExecutor } from "../../tools/harness/executor.js";
import { freePort } from "../../tools/harness/ports.js";
import {
  expectEverySlotOnce,
  expectNothingLostOrDoubled,
  type Scheduled,
  waitAllCompleted,
} from "../../tools/harness/runs.js";
import { type Stack, startStack } from "../../tools/harness/stack.js";
import { sleep } from "../../tools/harness/wait.js";

let stack: Stack;
let counter: `0x${string}`;
const running: ExecutorProcess[] = [];

beforeAll(async () => {
  stack = await startStack();
  counter = await stack.chain.deploy(counterAbi, counterBytecode);
  await stack.grantWorker(DEV_KEYS.worker2);
  await stack.grantWorker(ANVIL_KEYS[5]);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.kill()));
});
afterAll(async () => {
  await stack?.stop();
});

/** Registers `n` TIME workflows (automine), then switches to 1 s blocks. */
async function schedule(
  n: number,
  interval: (i: number) => bigint,
  lead: bigint,
  duration: bigint,
): Promise<Scheduled[]> {
  const { chain } = stack;
  await chain.testClient.setAutomine(true);
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  const start = (await chain.now()) + lead;
  const end = start + duration;
  const out: Scheduled[] = [];
  for (let i = 0; i < n; i++) {
    const iv = interval(i);
    const { id } = await chain.register(
      timeSpec([inc], iv, { startTime: start, endTime: end, gasLimit: 100_000 }),
      parseEther("1"),
    );
    out.push({ id, interval: iv, start, end });
  }
  await stack.intervalMining(1);
  return out;
}

function start(env: Record<string, string>): ExecutorProcess {
  const ex = spawnExecutor(env);
  running.push(ex);
  return ex;
}

it("loses and doubles nothing when the executor is SIGKILLed mid-batch and restarted", async () => {
  const workflows = await schedule(20, (i) => BigInt(4 + (i % 3)), 20n, 30n);
  // A short lock, so the killed worker's jobs come back within seconds rather than the default 10 s.
  const env = await stack.env({ JOB_LOCK_MS: "3000" });
  const first = start(env);
  // Kill right after a batch went out, before its receipt could be recorded.
  await first.waitForLog(/"index ready; scheduling"/);
  const sent = (first.output().match(/"batch sent"/g) ?? []).length;
  await first.waitForLog(new RegExp(`("batch sent"[\\s\\S]*){${sent + 3}}`), 40_000);
  await first.kill();
  expect(first.process.signalCode).toBe("SIGKILL");
  const second = start(env);
  await waitAllCompleted(stack, workflows, 90_000);
  // The runs the dead process held come back when their job locks expire and the new process is up, a
  // few seconds: a 4 s workflow may pass over one slot by the contract's missed-slot rule, as it would
  // for any outage longer than its interval. None is lost, none runs twice.
  const { served, skipped } = await expectNothingLostOrDoubled(stack, workflows);
  expect(served).toBeGreaterThan(100);
  expect(skipped).toBeLessThanOrEqual(workflows.length);
  // The jobs the killed worker had in flight came back, and the restarted worker found the
  // transaction each had recorded before broadcast instead of sending it again.
  await second.waitForLog(/"found the run a previous attempt sent"/, 20_000);
  expect(await second.stop()).toBe(0);
}, 180_000);

it("rebuilds the queue from the index after Redis FLUSHALL mid-run", async () => {
  // A Redis of its own: FLUSHALL on the shared one would wipe other suites' queues.
  const port = await freePort();
  const redis: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  try {
    await sleep(500);
    const workflows = await schedule(15, (i) => BigInt(2 + (i % 3)), 20n, 24n);
    const ex = start(await stack.env({ REDIS_URL: `redis://127.0.0.1:${port}` }));
    await ex.waitForLog(/"run mined"/, 40_000);
    await sleep(3000);
    const cli = spawn("redis-cli", ["-p", String(port), "FLUSHALL"]);
    expect(await new Promise((r) => cli.once("exit", r))).toBe(0);
    await ex.waitForLog(/queue state was lost/, 20_000);
    await waitAllCompleted(stack, workflows, 60_000);
    await expectEverySlotOnce(stack, workflows);
    expect(await ex.stop()).toBe(0);
  } finally {
    redis.kill("SIGKILL");
  }
}, 150_000);

it("shares the load between two executor processes (one with two signers), each slot once", async () => {
  // 20 s lead: two processes starting at once on two cores need a while before their first pass.
  const workflows = await schedule(30, (i) => BigInt(2 + (i % 4)), 20n, 24n);
  start(await stack.env({ WORKER_PRIVATE_KEY: "", WORKER_PRIVATE_KEYS: `${DEV_KEYS.worker},${ANVIL_KEYS[5]}` }));
  start(await stack.env({ WORKER_PRIVATE_KEY: DEV_KEYS.worker2 }));
  await waitAllCompleted(stack, workflows, 60_000);
  const { workers } = await expectEverySlotOnce(stack, workflows);
  expect([...workers].sort()).toEqual(
    [DEV_KEYS.worker, DEV_KEYS.worker2, ANVIL_KEYS[5]].map((k) => privateKeyToAccount(k).address.toLowerCase()).sort(),
  );
}, 150_000);

it("never printed a private key", () => {
  expect(leakedKeys([DEV_KEYS.worker, DEV_KEYS.worker2, ANVIL_KEYS[5], DEV_KEYS.deployer])).toEqual([]);
});
