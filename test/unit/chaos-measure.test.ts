/** The chaos rows' lateness and recovery figures, on hand-made canonical histories. */
import { describe, expect, it } from "vitest";
import { type ChaosData, measureWindow, type Window } from "../../tools/harness/chaos/measure.js";
import {
  firstBlockAtOrAfter,
  latenessInBlocks,
  type Run,
  ticketLedger,
  timeLedger,
} from "../../tools/harness/ledger.js";

/**
 * A 1 s workflow from 1001, each slot served in the block `ranIn` says (by default the first block that
 * reaches it; undefined for a slot that never ran).
 */
function chaosData(
  blocks: [bigint, bigint][],
  ranIn: (at: bigint, floor: bigint) => bigint | undefined = (_, floor) => floor,
): ChaosData {
  const floorBlock = firstBlockAtOrAfter(blocks);
  const last = blocks.at(-1)![1];
  const runs: Run[] = [];
  for (let at = 1001n; at <= last; at++) {
    const block = ranIn(at, floorBlock(at)!);
    if (block !== undefined) runs.push({ workflowId: 1n, dueAt: at, blockNumber: block });
  }
  const blockTime = new Map(blocks);
  const ledger = timeLedger([{ id: 1n, start: 1001n, interval: 1n, end: 0n }], runs, (n) => blockTime.get(n)!, last);
  return {
    slots: ledger.slots,
    doubledTime: ledger.doubled,
    tickets: ticketLedger([], [], last),
    lateness: latenessInBlocks(blocks),
    floorBlock,
    blockTime,
    wastedBlocks: [],
    anomalies: [],
  };
}

const window = (w: Partial<Window>): Window => ({
  name: "fault",
  what: "",
  seconds: 0,
  injected: 1,
  observed: [],
  from: 1001n,
  faultEnd: 1010n,
  endBlock: 10n,
  until: 1040n,
  ...w,
});

describe("measureWindow", () => {
  it("counts recovery from the block the fault ended in", () => {
    // Block n at 1000 + n. Slot 1011 runs two blocks late (block 13), so the contract passes over 1012
    // and 1013; from 1014 every slot runs on time.
    const blocks = Array.from({ length: 41 }, (_, n): [bigint, bigint] => [BigInt(n), 1000n + BigInt(n)]);
    const data = chaosData(blocks, (at, floor) =>
      at === 1011n ? 13n : at === 1012n || at === 1013n ? undefined : floor,
    );
    const row = measureWindow(window({}), data);
    expect({ lost: row.lost, skipped: row.skippedByRule }).toEqual({ lost: 0, skipped: 2 });
    // Block 14 is the first of five on time: 3 blocks after the fault's last, block 10.
    expect(row.recoveryBlocks).toBe(3);
  });

  it("after a reorg, counts from the re-mined chain's end of the fault, not from the head it left", () => {
    // A depth-5 reorg at block 10: anvil re-mined blocks 6–10 at block 5's timestamp, so the new chain
    // reaches the fault's end (1010) only at block 15, and every run after it is on time.
    const blocks = Array.from({ length: 46 }, (_, n): [bigint, bigint] => {
      const t = n <= 5 ? n : n <= 10 ? 5 : n - 5;
      return [BigInt(n), 1000n + BigInt(t)];
    });
    const row = measureWindow(window({ faultEnd: 1010n, endBlock: 10n }), chaosData(blocks));
    expect(row.p95Blocks).toBe(1);
    expect(row.recoveryBlocks).toBe(0);
  });
});
