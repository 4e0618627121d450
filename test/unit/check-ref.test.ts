/** The check reference a CONDITION item carries: written by the scheduler, read back by the worker. */
import { size } from "viem";
import { describe, expect, it } from "vitest";
import { CHECK_REF_BYTES, checkRefAt, checkRefOf, conditionPerformData } from "../../lib/check-ref.js";

describe("check reference", () => {
  const block = { number: 1_234_567n, hash: `0x${"5a".repeat(32)}` as const };

  it("puts run number, block number and block hash ahead of the answer, and reads them back", () => {
    const data = conditionPerformData(checkRefAt(42n, block), "0xdeadbeef");
    expect(size(data)).toBe(CHECK_REF_BYTES + 4);
    expect(data.slice(-8)).toBe("deadbeef");
    expect(checkRefOf(data)).toEqual({ runNumber: 42n, blockNumber: block.number, blockHash: block.hash });
  });

  it("reads no reference from performData too short to hold one", () => {
    expect(checkRefOf("0x")).toBeUndefined();
    expect(checkRefOf(`0x${"00".repeat(CHECK_REF_BYTES - 1)}`)).toBeUndefined();
  });
});
