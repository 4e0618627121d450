/**
 * The chaos suite, small: every fault of `npm run chaos` once, for a few seconds each, against the real
 * stack (anvil behind two JSON-RPC fault proxies, a private Redis and Postgres, Ponder, the executor
 * process) under 100 TIME and 10 CONDITION workflows. Judged from the chain: for every fault, every due
 * run was served or passed over by the contract's own missed-slot rule, none was lost, none ran twice;
 * every fault really struck; nothing crashed that was not killed on purpose; the index agrees with the
 * chain at the end; and no private key was ever printed. Lateness and recovery are measured by
 * `npm run chaos`, not asserted here.
 */
import { expect, it } from "vitest";
import { DEV_KEYS } from "../../tools/accounts.js";
import {
  allFaults,
  droppedTx,
  executorKill,
  feeSpike,
  ponderKill,
  signerOutOfFunds,
} from "../../tools/harness/chaos/faults.js";
import { hostileFaults } from "../../tools/harness/chaos/hostile.js";
import { runChaos } from "../../tools/harness/chaos/run.js";
import { leakedKeys } from "../../tools/harness/executor.js";

/** The "many cheap workflows" row, smaller than `npm run chaos`'s 1,000 to keep `npm test` short. */
const CHEAP_WORKFLOWS = 200;

it("loses and doubles nothing under any fault, and the index agrees with the chain", async () => {
  const t0 = Date.now();
  const result = await runChaos(
    {
      faults: allFaults([2], CHEAP_WORKFLOWS),
      // 6 s a fault (1 s blocks give each several chances to strike; every row asserts it did), 8 s for
      // the two whose waits and repairs the log must show (a drop every 5 s, a signer refunded), and 4 s
      // between faults (npm run chaos allows 30): the ledger judges every slot at the end, so a slow
      // recovery only moves a late run into the next window. From 8 s and 5 s: CI back under 30 minutes.
      faultSeconds: (f) =>
        f === executorKill || f === feeSpike
          ? 20
          : f === ponderKill
            ? 0
            : f === droppedTx || f === signerOutOfFunds
              ? 8
              : 6,
      settleSeconds: 4,
      warmupSeconds: 8,
      size: { time: 100, conditions: 10, leadSeconds: 25 },
      gasLimit: 10_000_000n,
    },
    (line) => console.log(`[chaos ${Math.round((Date.now() - t0) / 1000)} s] ${line}`),
  );
  console.table(
    result.rows.map((r) => ({
      fault: r.name,
      struck: r.injected,
      due: r.due,
      executed: r.executed,
      skipped: r.skippedByRule,
      lost: r.lost,
      doubled: r.doubled,
      p95: r.p95Blocks,
      recovery: r.recoveryBlocks,
    })),
  );
  // Which runs, when any is lost or doubled: the executor log (its path is printed above) tells why.
  const { data } = result;
  const lost = [
    ...data.slots.filter((s) => s.state === "lost").map((s) => `TIME #${s.workflowId} slot ${s.at}`),
    ...data.tickets.lost.map((t) => `CONDITION #${t.workflowId} ticket ${t.at}`),
  ];
  const doubled = [
    ...data.doubledTime.map((r) => `TIME slot ${r.dueAt}`),
    ...data.tickets.doubled.map((p) => `CONDITION #${p.workflowId} ticket ${p.ticket} in block ${p.blockNumber}`),
  ];
  if (lost.length + doubled.length > 0) console.log({ lost: lost.slice(0, 30), doubled: doubled.slice(0, 30) });
  expect(result.rows.map((r) => r.name)).toEqual(allFaults([2], CHEAP_WORKFLOWS).map((f) => f.name));
  // Hostile workflows never ran, and the worker never paid for them: it gained over each of their rows.
  const hostile = result.rows.filter((r) => r.hostileRuns !== undefined);
  expect(hostile.map((r) => r.name)).toEqual(hostileFaults(CHEAP_WORKFLOWS).map((f) => f.name));
  for (const r of hostile) {
    expect({ row: r.name, runs: r.hostileRuns, gained: (r.workerNetWei ?? -1n) >= 0n }).toEqual({
      row: r.name,
      runs: 0,
      gained: true,
    });
  }
  for (const r of result.rows) {
    expect({ fault: r.name, lost: r.lost, doubled: r.doubled }).toEqual({ fault: r.name, lost: 0, doubled: 0 });
    expect([r.name, r.injected > 0]).toEqual([r.name, true]);
    expect([r.name, r.due > 0]).toEqual([r.name, true]);
  }
  // The waits say why, while they last: in /health and in the metrics.
  const observed = (name: string) => result.rows.find((r) => r.name === name)?.observed ?? [];
  expect(observed("signer out of funds")).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^health: signer 0x\w+ cannot pay for gas$/),
      "autokeeper_signer_out_of_funds 1",
    ]),
  );
  expect(observed("fee spike")).toEqual(
    expect.arrayContaining(["health: base fee at or above MAX_FEE_GWEI: runs wait", "autokeeper_fee_cap_exceeded 1"]),
  );
  // ...and in the log, once when they start and once when they end; so do the repairs.
  for (const line of [
    "signer cannot pay for gas: runs wait until it is funded",
    "signer funded again: sending resumes",
    "base fee above MAX_FEE_GWEI: runs wait for it to fall",
    "base fee back under MAX_FEE_GWEI: sending resumes",
    "a reorg removed this transaction from the chain",
    "transaction vanished before it was mined",
  ]) {
    expect([line, result.executorOutput.includes(`"msg":"${line}"`)]).toEqual([line, true]);
  }
  expect(result.data.anomalies).toEqual([]);
  expect(result.unplannedRestarts).toEqual({ ponder: 0, executor: 0 });
  expect(result.index.runs).toBe(result.index.chainRuns);
  expect(leakedKeys([DEV_KEYS.worker], result.executorOutput)).toEqual([]);
}, 900_000);
