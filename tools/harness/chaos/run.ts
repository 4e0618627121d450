/**
 * One chaos run: the stack under steady load, a warm-up, then each fault in turn for its duration
 * followed by a settle period (so its recovery is measured before the next fault starts), a final drain,
 * and one row per fault read back from the chain. `npm run chaos` and the test in `npm test` both run
 * this; they differ in sizes and durations only.
 */

import { executedRuns } from "../chain-runs.js";
import { sleep } from "../wait.js";
import type { Fault } from "./faults.js";
import { type ChaosData, type ChaosRow, measureWindow, readChaosData, type Window } from "./measure.js";
import { type ChaosStack, startChaosStack } from "./stack.js";
import { loadWorkload, type Workload, type WorkloadSize } from "./workload.js";

export interface ChaosPlan {
  faults: Fault[];
  /** How long each fault lasts. */
  faultSeconds(fault: Fault): number;
  /** Quiet time after each fault, in which its recovery is measured. */
  settleSeconds: number;
  /** Steady running before the first fault (the index caught up, the executor scheduling ahead). */
  warmupSeconds: number;
  size: WorkloadSize;
  gasLimit: bigint;
  executorEnv?: Record<string, string>;
}

export interface ChaosResult {
  rows: ChaosRow[];
  data: ChaosData;
  workload: Workload;
  /** Chain time the first fault started and the last window closed. */
  from: bigint;
  until: bigint;
  /** Every line the executor processes printed (for the secrets check). */
  executorOutput: string;
  /** Restarts the supervisor made that no fault asked for (a crash). */
  unplannedRestarts: { ponder: number; executor: number };
  /** Runs the index shows against runs on the chain, once it has caught up: they must agree. */
  index: { runs: number; chainRuns: number };
}

/** Chain time now (the latest block's timestamp). */
const chainNow = async (stack: ChaosStack) =>
  (await stack.chain.publicClient.getBlock({ blockTag: "latest" })).timestamp;

/** Runs one fault and its settle period; returns its window. */
export async function injectFault(
  stack: ChaosStack,
  fault: Fault,
  seconds: number,
  settleSeconds: number,
  say: (line: string) => void,
): Promise<Window> {
  const from = await chainNow(stack);
  // What the worker is worth, whether or not it has claimed: balance plus unclaimed earnings.
  const netAtStart = await stack.chain.worth(stack.worker);
  say(`${fault.name}: ${fault.what} (${seconds} s)`);
  const run = await fault.run({ stack, seconds, say });
  const end = await stack.chain.publicClient.getBlock({ blockTag: "latest" });
  say(`  ${fault.name}: struck ${run.injected} time(s); settling ${settleSeconds} s`);
  await sleep(settleSeconds * 1000);
  const netAtEnd = await stack.chain.worth(stack.worker);
  return {
    workerNet: fault.setsWorkerBalance ? undefined : { start: netAtStart, end: netAtEnd },
    hostileRuns: run.hostileRuns,
    name: fault.name,
    what: fault.what,
    seconds,
    injected: run.injected,
    observed: run.observed ?? [],
    from: run.since !== undefined && run.since < from ? run.since : from,
    faultEnd: run.endsAt ?? end.timestamp,
    endBlock: end.number,
    until: await chainNow(stack),
  };
}

/** Waits until the executor has run slots for a while (the system is warm). */
async function warmUp(stack: ChaosStack, workload: Workload, seconds: number, say: (line: string) => void) {
  while ((await chainNow(stack)) < workload.start) await sleep(500);
  say(`load running; warming up ${seconds} s`);
  await sleep(seconds * 1000);
}

export async function runChaos(plan: ChaosPlan, say: (line: string) => void): Promise<ChaosResult> {
  say("starting anvil, two fault proxies, Redis, Postgres, Ponder and the executor");
  const stack = await startChaosStack({ gasLimit: plan.gasLimit, executorEnv: plan.executorEnv, log: say });
  try {
    const workload = await loadWorkload(stack, plan.size);
    say(`${workload.time.length} TIME and ${workload.tickets.length} CONDITION workflows registered`);
    await warmUp(stack, workload, plan.warmupSeconds, say);

    const planned = { ponder: 0, executor: 0 };
    const windows: Window[] = [];
    const first = await chainNow(stack);
    for (const fault of plan.faults) {
      const before = { ponder: stack.ponder.restarts, executor: stack.executor.restarts };
      const w = await injectFault(stack, fault, plan.faultSeconds(fault), plan.settleSeconds, say);
      // Restarts a kill asked for are the fault's own; any other is a crash, reported as such.
      if (fault.name === "ponder kill") planned.ponder += stack.ponder.restarts - before.ponder;
      if (fault.name === "executor kill") planned.executor += stack.executor.restarts - before.executor;
      if (windows.length > 0) windows[windows.length - 1]!.until = w.from;
      windows.push(w);
    }
    const until = windows.at(-1)?.until ?? (await chainNow(stack));
    // The last slots due before the cut-off get time to land before the chain is read.
    say("draining 20 s before reading the chain");
    await sleep(20_000);
    const data = await readChaosData(stack.chain, workload, until);
    const rows = windows.map((w) => measureWindow(w, data));
    // After every fault (reorgs, a killed Ponder, its database restarted) the index still agrees with the chain.
    const head = await stack.chain.publicClient.getBlockNumber({ cacheTime: 0 });
    await stack.ponder.current.waitForBlock(head, 120_000);
    const stats = (await (await fetch(`${stack.ponder.current.url}/api/stats`)).json()) as { runs: { total: number } };
    const chainRuns = (await executedRuns(stack.chain, 0n, head)).length;
    return {
      rows,
      data,
      workload,
      from: first,
      until,
      executorOutput: stack.executorOutput(),
      unplannedRestarts: {
        ponder: stack.ponder.restarts - planned.ponder,
        executor: stack.executor.restarts - planned.executor,
      },
      index: { runs: stats.runs.total, chainRuns },
    };
  } finally {
    await stack.stop();
  }
}
