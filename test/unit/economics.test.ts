/**
 * The worker's money rule on its own (executor/worker/economics.ts): the price a run is judged at, the
 * floor under which a fee cap surely cannot pay, and what an underpriced run's jobs are told.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../executor/metrics.js";
import type { BatchItem } from "../../executor/worker/batcher.js";
import { landingPrice, RunEconomics, surelyUnderpriced } from "../../executor/worker/economics.js";
import { UNDERPRICED_WAIT_MS } from "../../executor/worker/outcome.js";
import type { ItemSimulation } from "../../executor/worker/simulate.js";

const gwei = (n: number) => BigInt(Math.round(n * 1e9));

describe("landingPrice", () => {
  it("is the base fee after one block's 12.5% rise plus the tip, never above the signed max fee", () => {
    expect(landingPrice(gwei(8), { maxFeePerGas: gwei(100), maxPriorityFeePerGas: gwei(1) })).toBe(gwei(10));
    expect(landingPrice(gwei(8), { maxFeePerGas: gwei(9.5), maxPriorityFeePerGas: gwei(1) })).toBe(gwei(9.5));
    // rounded up, so the worker never judges at a price below what the block can charge
    expect(landingPrice(1n, { maxFeePerGas: 100n, maxPriorityFeePerGas: 0n })).toBe(2n);
  });
});

describe("surelyUnderpriced", () => {
  it("holds only for caps below 20,000 gas at the base fee", () => {
    expect(surelyUnderpriced(1n, gwei(1))).toBe(true);
    expect(surelyUnderpriced(20_000n * gwei(1) - 1n, gwei(1))).toBe(true);
    expect(surelyUnderpriced(20_000n * gwei(1), gwei(1))).toBe(false);
    expect(surelyUnderpriced(1n, 0n)).toBe(false);
  });
});

const item = (workflowId: bigint, dueAt: bigint, performData: `0x${string}` = "0x"): BatchItem => ({
  workflowId,
  dueAt,
  performData,
  gasLimit: 100_000,
  trigger: "TIME",
  recordTx: async () => {},
});
const ran = (gasUsed: bigint, fee: bigint, dueAt: bigint): ItemSimulation => ({
  skipReason: 0,
  success: true,
  gasUsed,
  fee,
  reason: "0x",
  dueAt,
});

function economics(maxPerformDataBytes = 5000) {
  const metrics = createMetrics(31337);
  const e = new RunEconomics({ maxPerformDataBytes, log: pino({ level: "silent" }), metrics });
  return { e, metrics };
}

describe("RunEconomics", () => {
  it("lets a run through when its fee covers its gas at the price", () => {
    const { e } = economics();
    expect(e.judge(item(1n, 100n), ran(70_000n, 70_000n * gwei(2), 100n), gwei(2))).toBeUndefined();
  });

  it("holds an underpriced run's job (no attempt used) and completes its later slots' jobs", async () => {
    const { e, metrics } = economics();
    const now = 1_000_000;
    const waiting = e.judge(item(7n, 100n), ran(4_500_000n, 1n, 100n), gwei(2), now);
    expect(waiting).toMatchObject({
      kind: "delay",
      reason: "underpriced",
      untilMs: now + UNDERPRICED_WAIT_MS,
      underpriced: { feeWei: 1n, costWei: 4_500_000n * gwei(2), gasUsed: 4_500_000n, gasPriceWei: gwei(2) },
    });
    expect((await metrics.workflowsUnderpriced.get()).values[0]?.value).toBe(1);
    // A later slot of the same workflow, without a simulation: the waiting job serves its next run.
    expect(e.screen(item(7n, 102n), gwei(2), now + 1000)).toEqual({
      kind: "skipped",
      reason: "UNDERPRICED",
      txHash: null,
    });
    // The waiting job itself, looked at again soon: still waits, still without a simulation.
    expect(e.screen(item(7n, 100n), gwei(2), now + 1000)).toMatchObject({ kind: "delay", reason: "underpriced" });
    // After the wait, or once the price falls to break-even, it is simulated again.
    expect(e.screen(item(7n, 100n), gwei(2), now + UNDERPRICED_WAIT_MS)).toBeUndefined();
    expect(e.screen(item(7n, 100n), 0n, now + 1000)).toBeUndefined();
    // Judged fine again (its owner raised the cap): forgotten.
    expect(e.judge(item(7n, 100n), ran(4_500_000n, gwei(1) * 10_000_000n, 100n), gwei(2), now + 2000)).toBeUndefined();
    expect((await metrics.workflowsUnderpriced.get()).values[0]?.value).toBe(0);
    expect(e.screen(item(7n, 102n), gwei(2), now + 3000)).toBeUndefined();
  });

  it("stops counting a workflow that no longer runs", async () => {
    const { e, metrics } = economics();
    e.judge(item(9n, 100n), ran(4_500_000n, 1n, 100n), gwei(2), 0);
    expect((await metrics.workflowsUnderpriced.get()).values[0]?.value).toBe(1);
    e.forget(9n);
    expect((await metrics.workflowsUnderpriced.get()).values[0]?.value).toBe(0);
    expect(e.screen(item(9n, 100n), gwei(2), 1)).toBeUndefined();
  });

  it("refuses performData over the cap before anything else", () => {
    const { e } = economics(4);
    expect(e.screen(item(1n, 1n, "0x0102030405"), gwei(1))).toEqual({
      kind: "skipped",
      reason: "PERFORM_DATA_TOO_LARGE",
      txHash: null,
    });
    expect(e.screen(item(1n, 1n, "0x01020304"), gwei(1))).toBeUndefined();
  });
});
