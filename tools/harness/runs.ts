/** Assertions shared by the executor suites: every slot of every workflow ran once, none twice. */
import { expect } from "vitest";
import { Status } from "../../lib/spec.js";
import type { Chain } from "./chain.js";
import { readTimeLedger } from "./chain-runs.js";
import type { Indexer } from "./indexer.js";
import { sleep } from "./wait.js";

/** One chain and the index that serves it (a Stack, or one chain of a multi-chain stack). */
export interface ChainAndIndex {
  chain: Chain;
  indexer: Pick<Indexer, "catchUp" | "get">;
}

export interface Scheduled {
  id: bigint;
  interval: bigint;
  start: bigint;
  end: bigint;
}

export async function waitAllCompleted(stack: ChainAndIndex, workflows: Scheduled[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(workflows.map((w) => stack.chain.workflow(w.id)));
    if (states.every((s) => s.status === Status.COMPLETED)) return;
    if (Date.now() > deadline) {
      const open = workflows.filter((_, i) => states[i]!.status !== Status.COMPLETED).map((w) => w.id);
      throw new Error(`workflows still running after ${timeoutMs} ms: ${open.join(", ")}`);
    }
    await sleep(500);
  }
}

/** On-chain run counts equal the number of slots, and the index shows each slot served exactly once. */
export async function expectEverySlotOnce(
  stack: ChainAndIndex,
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
      `/api/workflows/${w.id}/executions?chainId=${stack.chain.deployment.chainId}&limit=100`,
    );
    expect([w.id, body.items.map((r) => BigInt(r.dueAt)).reverse()]).toEqual([w.id, slots]);
    for (const r of body.items) workers.add(r.worker);
    runs += slots.length;
  }
  return { runs, workers };
}

/**
 * Nothing lost, nothing doubled, as the chain's own missed-slot rule defines it: every slot was served
 * once, or passed over because an earlier slot's run landed after it (an outage longer than the interval
 * does that by design); none was due and left unserved, none ran twice. The index shows exactly the
 * served slots.
 */
export async function expectNothingLostOrDoubled(
  stack: ChainAndIndex,
  workflows: Scheduled[],
): Promise<{ served: number; skipped: number }> {
  await stack.indexer.catchUp();
  let cutoff = 0n;
  for (const w of workflows) if (w.end > cutoff) cutoff = w.end;
  const ledger = await readTimeLedger(stack.chain, workflows, 0n, cutoff);
  expect(ledger.anomalies).toEqual([]);
  expect(ledger.slots.filter((s) => s.state === "lost").map((s) => `${s.workflowId}@${s.at}`)).toEqual([]);
  expect(ledger.doubled.map((r) => `${r.workflowId}@${r.dueAt}`)).toEqual([]);
  for (const w of workflows) {
    const served = ledger.slots.filter((s) => s.workflowId === w.id && s.state === "served").map((s) => s.at);
    expect([w.id, (await stack.chain.workflow(w.id)).runCount]).toEqual([w.id, BigInt(served.length)]);
    const { body } = await stack.indexer.get<{ items: { dueAt: string }[] }>(
      `/api/workflows/${w.id}/executions?chainId=${stack.chain.deployment.chainId}&limit=100`,
    );
    expect([w.id, body.items.map((r) => BigInt(r.dueAt)).reverse()]).toEqual([w.id, served]);
  }
  return {
    served: ledger.slots.filter((s) => s.state === "served").length,
    skipped: ledger.slots.filter((s) => s.state === "skipped").length,
  };
}
