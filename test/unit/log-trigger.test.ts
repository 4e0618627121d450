/** The LOG trigger's encodings and matching, and CRON slots offered ahead: pure functions. */
import {
  decodeAbiParameters,
  encodeAbiParameters,
  getAddress,
  pad,
  stringToHex,
  toEventSelector,
  zeroAddress,
} from "viem";
import { describe, expect, it } from "vitest";
import { slotsOf } from "../../executor/scheduler/scheduler.js";
import { itemKey } from "../../executor/worker/receipt.js";
import { nextTicks, parseCron } from "../../lib/cron.js";
import type { DueWorkflow } from "../../lib/due-types.js";
import { decodeLogTrigger, encodeLogTrigger, logPerformData, logRefOf, matchesLog } from "../../lib/log-trigger.js";

const emitter = getAddress("0x00000000000000000000000000000000000000aa");
const topic0 = toEventSelector("Transfer(address,address,uint256)");
const vault = pad("0x00000000000000000000000000000000000000bb");

describe("LOG filters", () => {
  it("round-trip through the trigger data, unfiltered topics staying unfiltered (Chainlink's filterSelector)", () => {
    const data = encodeLogTrigger({ emitter, topic0, topic2: vault }, "0x1234");
    expect(decodeLogTrigger(data)).toEqual({ emitter, topic0, topic2: vault, checkData: "0x1234" });
    // topic1 and topic3 unfiltered: bit 1 (topic2) only.
    const [, selector] = decodeAbiParameters([{ type: "address" }, { type: "uint8" }], data);
    expect(selector).toBe(2);
  });

  it("match on emitter (any case), topic0 and each filtered topic; a zero-valued topic is a real filter", () => {
    const mint = { emitter, topic0, topic1: pad(zeroAddress) };
    const log = (topics: `0x${string}`[], address: `0x${string}` = emitter) => ({ address, topics });
    expect(matchesLog(mint, log([topic0, pad(zeroAddress), vault]))).toBe(true);
    expect(matchesLog(mint, log([topic0, vault, vault]))).toBe(false);
    expect(matchesLog(mint, log([topic0, pad(zeroAddress)], emitter.toLowerCase() as `0x${string}`))).toBe(true);
    expect(matchesLog(mint, log([topic0, pad(zeroAddress)], zeroAddress))).toBe(false);
    expect(matchesLog({ emitter, topic0 }, log([toEventSelector("Approval(address,address,uint256)")]))).toBe(false);
  });
});

describe("a LOG item's performData", () => {
  const ref = { blockNumber: 123n, blockHash: pad("0xabc"), logIndex: 7 };
  it("starts with the log's reference, then carries checkLog's performData untouched", () => {
    const inner = encodeAbiParameters([{ type: "uint256" }], [42n]);
    const data = logPerformData(ref, inner);
    expect(logRefOf(data)).toEqual(ref);
    expect(data.endsWith(inner.slice(2))).toBe(true);
    expect(logRefOf("0x1234")).toBeUndefined();
  });

  it("keys a receipt's events by log for LOG items, by workflow for the others", () => {
    const data = logPerformData(ref);
    expect(itemKey({ workflowId: 5n, trigger: "LOG", performData: data })).toBe(`5:${ref.blockHash}:7`);
    expect(itemKey({ workflowId: 5n, trigger: "TIME", performData: data })).toBe("5");
  });
});

describe("CRON slots offered ahead", () => {
  const cron = (expression: string, next: bigint, endTime = 0n): DueWorkflow => ({
    id: 1n,
    triggerKind: "CRON",
    checkerKind: "NONE",
    checker: zeroAddress,
    triggerData: stringToHex(expression),
    nextExecutionAt: next,
    interval: 0n,
    endTime,
    gasLimit: 100_000,
    maxFeePerRun: 1n,
    runCount: 0,
  });
  const t0 = BigInt(Date.parse("2028-02-28T23:58:00Z") / 1000);

  it("are the next ticks of the expression within the horizon, as lib/cron.ts computes them", () => {
    const slots = slotsOf(cron("* * * * *", t0), t0 + 300n);
    expect(slots).toEqual([t0, ...nextTicks(parseCron("* * * * *"), t0, 5)]);
  });

  it("stop at the end time, and are only the next slot for an expression the mirror cannot read", () => {
    expect(slotsOf(cron("* * * * *", t0, t0 + 120n), t0 + 600n)).toEqual([t0, t0 + 60n, t0 + 120n]);
    expect(slotsOf(cron("not cron", t0), t0 + 600n)).toEqual([t0]);
  });
});
