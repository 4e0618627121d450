/**
 * Cron.sol against its TypeScript mirror on a real anvil, through CronHarness: the same packed spec from
 * `parse`, the same error (position and words) for a malformed expression, the same tick from `next` over
 * random schedules and times, `next` from the block's own time across a year end, and the gas of `next`
 * in the worst case the registry may meet.
 */

import fc from "fast-check";
import { type Address, BaseError, ContractFunctionRevertedError } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cronHarnessAbi, cronHarnessBytecode } from "../../abis/CronHarness.js";
import { CronError, nextTick, packCron, parseCron } from "../../lib/cron.js";
import { type Chain, revertsWith, startChain } from "../../tools/harness/chain.js";
import {
  cronExpression,
  cronTime,
  dayRuleExpression,
  iso,
  MALFORMED,
  mangledCronExpression,
  utc,
} from "../../tools/harness/cron.js";

let chain: Chain;
let harness: Address;

beforeAll(async () => {
  chain = await startChain();
  harness = await chain.deploy(cronHarnessAbi, cronHarnessBytecode);
});
afterAll(() => chain?.stop());

const contract = () => ({ address: harness, abi: cronHarnessAbi }) as const;
const parseOnChain = (expression: string) =>
  chain.publicClient.readContract({ ...contract(), functionName: "parse", args: [expression] });
const parseGas = (expression: string) =>
  chain.publicClient.readContract({ ...contract(), functionName: "parseGas", args: [expression] });
const nextOnChain = (spec: bigint, after: bigint) =>
  chain.publicClient.readContract({ ...contract(), functionName: "next", args: [spec, after] });
const nextGas = (spec: bigint, after: bigint) =>
  chain.publicClient.readContract({ ...contract(), functionName: "nextGas", args: [spec, after] });
/** `Cron.next(spec, block.timestamp)` as of block `blockNumber`. */
const nextFromNow = (spec: bigint, blockNumber: bigint) =>
  chain.publicClient.readContract({ ...contract(), functionName: "nextFromNow", args: [spec], blockNumber });

/** The decoded custom error a call reverted with. */
async function revertOf(promise: Promise<unknown>): Promise<{ name?: string; args?: readonly unknown[] }> {
  try {
    await promise;
  } catch (error) {
    const reverted =
      error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
    if (reverted instanceof ContractFunctionRevertedError) {
      return { name: reverted.data?.errorName, args: reverted.data?.args };
    }
    throw error;
  }
  return {};
}

const samples = <T>(arbitrary: fc.Arbitrary<T>, n: number, seed: number) => fc.sample(arbitrary, { numRuns: n, seed });

describe("parse", () => {
  it("packs exactly as packCron, for named and random expressions", async () => {
    const named = ["*/15 9-17 * * MON-FRI", "0 0 1 * *", "0 0 29 2 *", "5/20 1-5/2 */3 jan-MAR,dec sun,7", "@weekly"];
    const expressions = [...named, ...samples(cronExpression, 150, 1)];
    const onChain = await Promise.all(expressions.map(parseOnChain));
    expressions.forEach((expression, i) => {
      expect(onChain[i], JSON.stringify(expression)).toBe(packCron(parseCron(expression)));
    });
  });

  it("agrees with parseCron on mangled expressions: the same spec, or the same error at the same position", async () => {
    const expressions = samples(mangledCronExpression, 200, 4);
    const onChain = await Promise.all(
      expressions.map((expression) =>
        parseOnChain(expression).then(
          (spec) => ({ spec }),
          (error: unknown) => revertOf(Promise.reject(error)),
        ),
      ),
    );
    let malformed = 0;
    expressions.forEach((expression, i) => {
      let expected: unknown;
      try {
        expected = { spec: packCron(parseCron(expression)) };
      } catch (e) {
        if (!(e instanceof CronError)) throw e;
        expected = { name: "InvalidCronExpression", args: [BigInt(e.position), e.why] };
        malformed++;
      }
      expect(onChain[i], JSON.stringify(expression)).toEqual(expected);
    });
    expect(malformed).toBeGreaterThan(100);
  });

  it("reverts a malformed expression with InvalidCronExpression, at the position and in the words of CronError", async () => {
    await revertsWith(parseOnChain("* * * *"), "InvalidCronExpression");
    const reverts = await Promise.all(MALFORMED.map(([expression]) => revertOf(parseOnChain(expression))));
    MALFORMED.forEach(([expression, position, why], i) => {
      expect(reverts[i], JSON.stringify(expression)).toEqual({
        name: "InvalidCronExpression",
        args: [BigInt(position), why],
      });
    });
  });
});

describe("next", () => {
  it("equals nextTick over random schedules and times from 2000 to 2200", async () => {
    const pairs = [
      ...samples(fc.tuple(cronExpression, cronTime), 250, 2),
      ...samples(fc.tuple(dayRuleExpression, cronTime), 100, 3),
      // the bound's own cases: found at the last month searched, and none
      ["0 0 29 2 *", utc("2096-03-01T00:00:00Z")] as const,
      ["0 0 29 2 */7", utc("2088-03-01T00:00:00Z")] as const,
      ["0 0 30 2 *", utc("2030-01-01T00:00:00Z")] as const,
    ];
    const specs = pairs.map(([expression]) => parseCron(expression));
    const onChain = await Promise.all(pairs.map(([, after], i) => nextOnChain(packCron(specs[i]!), after)));
    pairs.forEach(([expression, after], i) => {
      const expected = nextTick(specs[i]!, after) ?? 0n;
      expect(iso(onChain[i]), `${JSON.stringify(expression)} after ${iso(after)}`).toBe(iso(expected));
    });
    expect(onChain.filter((t) => t === 0n).length).toBeLessThan(pairs.length / 4); // mostly real ticks
  });

  it("agrees at the end of uint64 time, and has none past it, nor for a spec with an empty field", async () => {
    const everyMinute = parseCron("* * * * *");
    const late = (1n << 64n) - 61n; // the last uint64 time with a tick after it
    expect(await nextOnChain(packCron(everyMinute), late)).toBe(nextTick(everyMinute, late));
    expect(await nextOnChain(packCron(everyMinute), 1n << 64n)).toBe(0n);
    expect(await nextOnChain(0n, 0n)).toBe(0n);
  });

  it("from the block's own time, across a year end (anvil time warp)", async () => {
    const yearly = packCron(parseCron("0 0 1 1 *"));
    const fiveMinutes = packCron(parseCron("*/5 * * * *"));
    await chain.setNextTimestamp(utc("2099-12-31T23:58:30Z"));
    await chain.testClient.mine({ blocks: 1 });
    const block = await chain.publicClient.getBlock();
    expect(iso(block.timestamp)).toBe("2099-12-31T23:58:30Z");
    const [a, b] = await Promise.all([nextFromNow(yearly, block.number), nextFromNow(fiveMinutes, block.number)]);
    expect(iso(a)).toBe("2100-01-01T00:00:00Z");
    expect(iso(b)).toBe("2100-01-01T00:00:00Z");
    expect(a).toBe(nextTick(parseCron("0 0 1 1 *"), block.timestamp));
    // a minute later by the chain's clock, the 5-minute schedule has moved on; the yearly has not
    await chain.setNextTimestamp(utc("2100-01-01T00:00:00Z"));
    await chain.testClient.mine({ blocks: 1 });
    const later = await chain.publicClient.getBlock();
    expect(iso(await nextFromNow(fiveMinutes, later.number))).toBe("2100-01-01T00:05:00Z");
    expect(iso(await nextFromNow(yearly, later.number))).toBe("2101-01-01T00:00:00Z");
  });
});

describe("gas", () => {
  /** The most `next` may cost: above the worst case a search over schedules and times found (about 31k). */
  const NEXT_CEILING = 40_000n;

  it(`next stays under ${NEXT_CEILING} gas, the worst cases included`, async () => {
    const cases = [
      ["*/15 9-17 * * MON-FRI", "2025-03-14T17:45:00Z", "Friday's last tick to Monday's first"],
      ["0 0 1 * *", "2025-01-15T12:00:00Z", "monthly"],
      ["0 0 29 2 *", "2096-03-01T00:00:00Z", "worst honest case: Feb 29 across 2100, 8 years"],
      ["59 23 13 2,3,4,6,7,12 */7", "2140-03-15T00:00:00Z", "the most months visited: the 13th on a Sunday"],
      ["0 0 29 2 */7", "2088-03-01T00:00:00Z", "Feb 29 on a Sunday: the whole bound, then none"],
      ["0 0 30 2 *", "2025-01-01T00:00:00Z", "never fires: no month long enough, at once"],
      ["59 23 31 2,4,6,9,11 *", "2025-01-01T00:00:00Z", "never fires: no month long enough, at once"],
    ] as const;
    const results = await Promise.all(
      cases.map(([expression, after]) => nextGas(packCron(parseCron(expression)), utc(after))),
    );
    results.forEach(([tick, gas], i) => {
      const [expression, after, what] = cases[i]!;
      expect(tick).toBe(nextTick(parseCron(expression), utc(after)) ?? 0n);
      expect(gas, expression).toBeLessThan(NEXT_CEILING);
      console.log(`next ${JSON.stringify(expression)} after ${after}: ${gas} gas → ${iso(tick)} (${what})`);
    });
    // the never-firing ones cost next to nothing: the registry's "never fires" check is cheap
    expect(results[5]![1]).toBeLessThan(1_000n);
    expect(results[6]![1]).toBeLessThan(1_000n);
  });

  it("parse costs a few thousand gas a field", async () => {
    for (const expression of ["*/15 9-17 * * MON-FRI", "0 0 1 * *", "@daily", "5/20 1-5/2 */3 jan-MAR,dec sun,7"]) {
      const [spec, gas] = await parseGas(expression);
      expect(spec).toBe(packCron(parseCron(expression)));
      expect(gas).toBeLessThan(25_000n);
      console.log(`parse ${JSON.stringify(expression)}: ${gas} gas`);
    }
  });
});
