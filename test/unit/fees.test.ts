/** Fee arithmetic: what a replacement pays, and what a first send offers under the cap. */
import { describe, expect, it } from "vitest";
import { FeeCapError } from "../../executor/errors.js";
import { bump, feesFor, higher } from "../../executor/worker/fees.js";

const gwei = (n: number) => BigInt(Math.round(n * 1e9));

describe("bump", () => {
  it("raises both fees by 12.5% and a wei, over the 10% nodes demand", () => {
    const next = bump({ maxFeePerGas: gwei(10), maxPriorityFeePerGas: gwei(1) }, gwei(100));
    expect(next).toEqual({ maxFeePerGas: gwei(11.25) + 1n, maxPriorityFeePerGas: gwei(1.125) + 1n });
    // Even 1 wei goes up: 12.5% rounds up, then +1.
    expect(bump({ maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }, 100n)).toEqual({
      maxFeePerGas: 3n,
      maxPriorityFeePerGas: 3n,
    });
  });

  it("stops at the cap, and has nothing left to offer once there", () => {
    const capped = bump({ maxFeePerGas: gwei(95), maxPriorityFeePerGas: gwei(95) }, gwei(100));
    expect(capped).toEqual({ maxFeePerGas: gwei(100), maxPriorityFeePerGas: gwei(100) });
    expect(bump({ maxFeePerGas: gwei(100), maxPriorityFeePerGas: gwei(1) }, gwei(100))).toBeUndefined();
  });
});

describe("feesFor", () => {
  it("leaves room for the base fee to double, plus the tip, under the cap", () => {
    expect(feesFor(gwei(1), gwei(0.1), gwei(5))).toEqual({ maxFeePerGas: gwei(2.1), maxPriorityFeePerGas: gwei(0.1) });
    expect(feesFor(gwei(3), gwei(0.1), gwei(5))).toEqual({ maxFeePerGas: gwei(5), maxPriorityFeePerGas: gwei(0.1) });
  });

  it("refuses to send when the base fee is at the cap: a wait, not a failure", () => {
    expect(() => feesFor(gwei(5), gwei(0.1), gwei(5))).toThrow(FeeCapError);
  });
});

it("higher takes the larger of each, the tip never above the max fee", () => {
  expect(
    higher(
      { maxFeePerGas: gwei(3), maxPriorityFeePerGas: gwei(2) },
      { maxFeePerGas: gwei(2), maxPriorityFeePerGas: gwei(5) },
    ),
  ).toEqual({ maxFeePerGas: gwei(3), maxPriorityFeePerGas: gwei(3) });
});
