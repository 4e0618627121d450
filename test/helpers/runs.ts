/** Assertions shared by the executor suites: every slot of every workflow ran once, none twice. */
import { expect } from "vitest";
import { Status } from "../../lib/spec.js";
import type { Stack } from "./stack.js";

export interface Scheduled {
  id: bigint;
  interval: bigint;
  start: bigint;
  end: bigint;
}

export async function waitAllCompleted(stack: Stack, workflows: Scheduled[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(workflows.map((w) => stack.chain.workflow(w.id)));
    if (states.every((s) => s.status === Status.COMPLETED)) return;
    if (Date.now() > deadline) {
      const open = workflows.filter((_, i) => states[i]!.status !== Status.COMPLETED).map((w) => w.id);
      throw new Error(`workflows still running after ${timeoutMs} ms: ${open.join(", ")}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** On-chain run counts equal the number of slots, and the index shows each slot served exactly once. */
export async function expectEverySlotOnce(
  stack: Stack,
  workflows: Scheduled[],
): Promise<{ runs: number; workers: Set<string> }> {
  await stack.indexer.catchUp();
  let runs = 0;
  const workers = new Set<string>();
  for (const w of workflows) {
    const slots = Array.from(
      { length: Number((w.end - w.start) / w.interval + 1n) },
      (_, k) => w.start + BigInt(k) * w.interval,
    );
    expect([w.id, (await stack.chain.workflow(w.id)).runCount]).toEqual([w.id, BigInt(slots.length)]);
    const { body } = await stack.indexer.get<{ items: { dueAt: string; worker: string }[] }>(
      `/api/workflows/${w.id}/executions?limit=100`,
    );
    expect([w.id, body.items.map((r) => BigInt(r.dueAt)).reverse()]).toEqual([w.id, slots]);
    for (const r of body.items) workers.add(r.worker);
    runs += slots.length;
  }
  return { runs, workers };
}
