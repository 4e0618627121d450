/** The slot ledger the fault suites judge "lost" and "doubled" with, on hand-made histories. */
import { describe, expect, it } from "vitest";
import { latenessInBlocks, type Run, ticketLedger, timeLedger } from "../../tools/harness/ledger.js";

// Block n has timestamp 1000 + n (1 s blocks).
const ts = (n: bigint) => 1000n + n;
const run = (dueAt: bigint, block: bigint): Run => ({ workflowId: 1n, dueAt, blockNumber: block });
const w = { id: 1n, start: 1010n, interval: 2n, end: 0n };
const states = (ledger: ReturnType<typeof timeLedger>) => ledger.slots.map((s) => `${s.at - 1010n}:${s.state}`);

describe("timeLedger", () => {
  it("serves every slot of an on-time workflow", () => {
    const ledger = timeLedger([w], [run(1010n, 10n), run(1012n, 12n), run(1014n, 14n)], ts, 1014n);
    expect(states(ledger)).toEqual(["0:served", "2:served", "4:served"]);
    expect(ledger.doubled).toEqual([]);
  });

  it("counts the slots a late run passed over as skipped by the contract's rule, not lost", () => {
    // Slot 1012 ran 5 s late (block 17): the contract moves to 1018, passing over 1014 and 1016.
    const ledger = timeLedger([w], [run(1010n, 10n), run(1012n, 17n), run(1018n, 18n)], ts, 1018n);
    expect(states(ledger)).toEqual(["0:served", "2:served", "4:skipped", "6:skipped", "8:served"]);
  });

  it("calls every slot after a stall lost", () => {
    const ledger = timeLedger([w], [run(1010n, 10n)], ts, 1016n);
    expect(states(ledger)).toEqual(["0:served", "2:lost", "4:lost", "6:lost"]);
  });

  it("finds a slot run twice", () => {
    const ledger = timeLedger([w], [run(1010n, 10n), run(1010n, 11n)], ts, 1010n);
    expect(ledger.doubled).toEqual([run(1010n, 11n)]);
  });

  it("stops at the workflow's end time", () => {
    const ledger = timeLedger([{ ...w, end: 1012n }], [run(1010n, 10n), run(1012n, 12n)], ts, 1030n);
    expect(states(ledger)).toEqual(["0:served", "2:served"]);
  });
});

describe("ticketLedger", () => {
  it("serves each ticket once, doubles a second perform, and counts every period a ticket stayed open", () => {
    const performs = [
      { workflowId: 7n, ticket: 100n, count: 1n, blockNumber: 5n },
      { workflowId: 7n, ticket: 100n, count: 2n, blockNumber: 9n },
    ];
    const ledger = ticketLedger([{ workflowId: 7n, period: 5n, openTicket: 110n }], performs, 121n);
    expect(ledger.served).toHaveLength(1);
    expect(ledger.doubled).toEqual([performs[1]]);
    expect(ledger.lost.map((l) => l.at)).toEqual([110n, 115n, 120n]);
  });
});

describe("latenessInBlocks", () => {
  it("counts from the first block whose timestamp reaches the due time (1 is on time)", () => {
    const blocks: [bigint, bigint][] = [
      [10n, 1010n],
      [11n, 1011n],
      [12n, 1013n],
      [13n, 1014n],
    ];
    const lateness = latenessInBlocks(blocks);
    expect(lateness(1010n, 10n)).toBe(1);
    expect(lateness(1012n, 12n)).toBe(1); // no block at 1012: block 12 (1013) is the first to reach it
    expect(lateness(1011n, 13n)).toBe(3);
  });
});
