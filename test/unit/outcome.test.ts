/**
 * The outcome rules: what a simulated item and a mined item mean for their job. The chain says the same
 * things in both (a skip reason, a run), so the same rules must give the same answers, with the mined
 * transaction's hash where one was mined.
 */
import type { Hash, Hex } from "viem";
import { encodeErrorResult } from "viem";
import { describe, expect, it, vi } from "vitest";
import type { BatchItem } from "../../executor/worker/batcher.js";
import { minedOutcome, simulatedOutcome, type VerdictDeps } from "../../executor/worker/outcome.js";
import type { ItemSimulation } from "../../executor/worker/simulate.js";
import { SkipReason } from "../../lib/spec.js";

const TX: Hash = `0x${"11".repeat(32)}`;
const READY_MS = Date.now() + 60_000;

function deps() {
  return {
    readyAtMs: vi.fn(() => READY_MS),
    economics: { judge: vi.fn(() => undefined), forget: vi.fn() },
  } satisfies VerdictDeps;
}

const item = (over: Partial<BatchItem> = {}): BatchItem => ({
  workflowId: 7n,
  dueAt: 1_000n,
  performData: "0x",
  gasLimit: 100_000,
  trigger: "TIME",
  recordTx: async () => {},
  ...over,
});

const sim = (over: Partial<ItemSimulation> = {}): ItemSimulation => ({
  skipReason: SkipReason.NONE,
  success: true,
  gasUsed: 40_000n,
  fee: 1n,
  reason: "0x",
  dueAt: 1_000n,
  ...over,
});

const landing = (timestamp: bigint) => ({ number: 50n, timestamp });
const receipt = { transactionHash: TX, blockNumber: 51n };

describe("simulatedOutcome", () => {
  it("sends a run that would succeed if it pays its way, and refuses one that would revert", () => {
    const d = deps();
    expect(simulatedOutcome(d, item(), sim(), landing(1_000n), 1n)).toBeUndefined();
    expect(d.economics.judge).toHaveBeenCalledOnce();
    const reason: Hex = encodeErrorResult({
      abi: [{ type: "error", name: "Error", inputs: [{ type: "string" }] }],
      errorName: "Error",
      args: ["target says no"],
    });
    expect(simulatedOutcome(d, item(), sim({ success: false, reason }), landing(1_000n), 1n)).toEqual({
      kind: "failed",
      message: "action would revert: target says no",
    });
  });

  it("tells a served slot from one not due yet, and waits for an unfunded workflow", () => {
    const d = deps();
    const notDue = sim({ skipReason: SkipReason.NOT_DUE });
    expect(simulatedOutcome(d, item(), notDue, landing(1_000n), 1n)).toEqual({
      kind: "skipped",
      reason: "ALREADY_SERVED",
      txHash: null,
    });
    expect(simulatedOutcome(d, item(), notDue, landing(999n), 1n)).toMatchObject({
      kind: "delay",
      untilMs: READY_MS,
      reason: "not_due",
    });
    expect(simulatedOutcome(d, item(), sim({ skipReason: SkipReason.NOT_FUNDED }), landing(1_000n), 1n)).toMatchObject({
      kind: "delay",
      reason: "workflow_funds",
    });
    expect(d.economics.forget).not.toHaveBeenCalled();
    expect(simulatedOutcome(d, item(), sim({ skipReason: SkipReason.NOT_ACTIVE }), landing(1_000n), 1n)).toEqual({
      kind: "skipped",
      reason: "NOT_ACTIVE",
      txHash: null,
    });
    expect(d.economics.forget).toHaveBeenCalledWith(7n);
  });

  it("drops a condition checked for an earlier schedule, and asks again of a node behind the index", () => {
    const d = deps();
    const condition = item({ trigger: "CONDITION" });
    expect(simulatedOutcome(d, condition, sim({ dueAt: 1_010n }), landing(1_000n), 1n)).toEqual({
      kind: "skipped",
      reason: "STALE_CHECK",
      txHash: null,
    });
    expect(simulatedOutcome(d, condition, sim({ dueAt: 990n }), landing(1_000n), 1n)).toMatchObject({
      kind: "delay",
      reason: "rpc",
    });
  });
});

describe("minedOutcome", () => {
  it("reports the run it carried, with its decoded reason", () => {
    const executed = { kind: "executed" as const, success: true, runNumber: 3n, dueAt: 1_000n, reason: "0x" as Hex };
    expect(minedOutcome(deps(), item(), executed, receipt, 1_001n)).toEqual({
      kind: "executed",
      success: true,
      txHash: TX,
      runNumber: "3",
      blockNumber: "51",
      reason: null,
    });
    // An earlier slot of the workflow ran in this one's place: this slot is still owed.
    expect(minedOutcome(deps(), item({ dueAt: 1_010n }), executed, receipt, 1_011n)).toMatchObject({
      kind: "delay",
      untilMs: READY_MS,
    });
  });

  it("reads a mined skip as the simulation would, naming the transaction", () => {
    const skip = (reason: number) => ({ kind: "skipped" as const, reason });
    expect(minedOutcome(deps(), item(), skip(SkipReason.NOT_DUE), receipt, 1_000n)).toEqual({
      kind: "skipped",
      reason: "ALREADY_SERVED",
      txHash: TX,
    });
    expect(minedOutcome(deps(), item(), skip(SkipReason.NOT_DUE), receipt, 999n)).toMatchObject({
      kind: "delay",
      why: "landed before its due time",
    });
    expect(minedOutcome(deps(), item(), skip(SkipReason.EXPIRED), receipt, 1_000n)).toEqual({
      kind: "skipped",
      reason: "EXPIRED",
      txHash: TX,
    });
    expect(minedOutcome(deps(), item(), undefined, receipt, 1_000n)).toMatchObject({ kind: "delay" });
  });

  it("gives a LOG item's skip the LOG rules: a served log is done, a log not on the chain is asked again", () => {
    const log = item({ trigger: "LOG" });
    const skip = (reason: number) => ({ kind: "skipped" as const, reason });
    // A mined skip names the transaction that carried it, as a slot's does.
    expect(minedOutcome(deps(), log, skip(SkipReason.LOG_ALREADY_SERVED), receipt, 1_000n)).toEqual({
      kind: "skipped",
      reason: "ALREADY_SERVED",
      txHash: TX,
    });
    expect(minedOutcome(deps(), log, skip(SkipReason.LOG_NOT_CANONICAL), receipt, 1_001n)).toMatchObject({
      kind: "delay",
      reason: "rpc",
    });
    expect(minedOutcome(deps(), log, skip(SkipReason.LOG_NOT_CANONICAL), receipt, 1_061n)).toMatchObject({
      kind: "skipped",
      reason: "LOG_NOT_CANONICAL",
    });
  });
});
