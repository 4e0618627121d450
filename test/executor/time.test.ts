/**
 * The product's promise under steady load: 50 TIME workflows with 1–5 s intervals run for 60 s on a
 * 1 s-block anvil, and every due slot is executed exactly once, each in the first block whose
 * timestamp reaches it (any later and a 1 s workflow would skip a slot).
 */
import { encodeFunctionData, parseEther } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import { counterAbi, counterBytecode } from "../../abis/index.js";
import { DEV_KEYS } from "../../lib/accounts.js";
import { Status, timeSpec } from "../../lib/spec.js";
import { type ExecutorProcess, leakedKeys, spawnExecutor } from "../helpers/executor.js";
import { type Stack, startStack } from "../helpers/stack.js";

const WORKFLOWS = 50;
const DURATION = 60n;
let stack: Stack;
let executor: ExecutorProcess;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await executor?.kill();
  await stack?.stop();
});

it("executes every due slot of 50 workflows exactly once over 60 s, in the slot's own block", async () => {
  const { chain } = stack;
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  // Registered up front on automine. The schedule starts 45 s out, so that it runs against a warm
  // system: the index has caught up with the registrations and the executor is scheduling (from a
  // fresh clone everything starts cold, and that start-up is not what this test measures).
  const start = (await chain.now()) + 45n;
  const end = start + DURATION;
  const workflows: { id: bigint; interval: bigint }[] = [];
  for (let i = 0; i < WORKFLOWS; i++) {
    const interval = BigInt((i % 5) + 1);
    const { id } = await chain.register(
      timeSpec([inc], interval, { startTime: start, endTime: end, gasLimit: 100_000 }),
      parseEther("1"),
    );
    workflows.push({ id, interval });
  }
  await stack.intervalMining(1);
  await stack.indexer.catchUp();
  executor = spawnExecutor(await stack.env());
  await executor.waitForLog(/"index ready; scheduling"/);
  await stack.indexer.catchUp();
  expect(await chain.now()).toBeLessThan(start - 5n); // the warm-up fitted in the lead

  // Sleep through the schedule (polling 50 workflows every second would itself load the 2 cores),
  // then wait until every workflow completed.
  const remaining = Number(end - (await chain.now())) + 2;
  await new Promise((r) => setTimeout(r, remaining * 1000));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const states = await Promise.all(workflows.map((w) => chain.workflow(w.id)));
    if (states.every((s) => s.status === Status.COMPLETED)) break;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  expect(await executor.stop()).toBe(0); // graceful on SIGINT

  // On a miss, say which slots and what the executor warned about, so the cause can be found.
  await stack.indexer.catchUp();
  const missing: string[] = [];
  for (const w of workflows) {
    const { body } = await stack.indexer.get<{ items: { dueAt: string; latenessSeconds: string }[] }>(
      `/api/workflows/${w.id}/executions?limit=100`,
    );
    const ran = new Set(body.items.map((r) => r.dueAt));
    for (let t = start; t <= end; t += w.interval) if (!ran.has(String(t))) missing.push(`#${w.id}@+${t - start}s`);
  }
  const warnings = executor
    .output()
    .split("\n")
    .filter((l) => /"level":(40|50)/.test(l))
    .slice(0, 10);
  expect({ missing, warnings: missing.length > 0 ? warnings : [] }).toEqual({ missing: [], warnings: [] });

  let runs = 0;
  for (const w of workflows) {
    const state = await chain.workflow(w.id);
    const expected = DURATION / w.interval + 1n; // slots start, start+i, …, ≤ end
    expect([w.id, state.status, state.runCount]).toEqual([w.id, Status.COMPLETED, expected]);
    runs += Number(state.runCount);
  }

  // The index agrees, and records each run's lateness: 0 s means the first block at or after the slot.
  await stack.indexer.catchUp();
  const lateness: number[] = [];
  for (const w of workflows) {
    const { body } = await stack.indexer.get<{ items: { dueAt: string; latenessSeconds: string }[] }>(
      `/api/workflows/${w.id}/executions?limit=100`,
    );
    const dues = body.items.map((r) => BigInt(r.dueAt)).reverse();
    const slots = Array.from({ length: Number(DURATION / w.interval + 1n) }, (_, k) => start + BigInt(k) * w.interval);
    expect(dues).toEqual(slots);
    for (const r of body.items) lateness.push(Number(r.latenessSeconds));
  }
  lateness.sort((a, b) => a - b);
  const pct = (p: number) => lateness[Math.min(lateness.length - 1, Math.floor((p / 100) * lateness.length))]!;
  console.log(
    `time e2e: ${runs} runs of ${WORKFLOWS} workflows in ${DURATION} s = ${(runs / Number(DURATION)).toFixed(1)} executions/s; ` +
      `due→mined p50 ${pct(50)} s, p95 ${pct(95)} s, max ${lateness.at(-1)} s (1 s blocks: 0 s = the first block at or after the due time)`,
  );
  expect(lateness.at(-1)).toBe(0);
  expect(leakedKeys([DEV_KEYS.worker])).toEqual([]);
}, 180_000);
