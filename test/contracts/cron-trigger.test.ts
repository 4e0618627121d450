/**
 * CRON workflows on chain: the registry parses the expression once (a malformed one is refused with
 * InvalidCronExpression), the first tick is the first at or after the start, and each run sets the next
 * tick on chain, skipping ticks missed, as lib/cron.ts computes them. Anvil's clock is warped across a
 * year end, a leap day (and the 2028 → 2032 gap to the next Feb 29), a weekend and Vixie's OR rule.
 */
import { type Address, encodeFunctionData, parseEther, stringToHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { counterAbi, counterBytecode, workflowRegistryAbi } from "../../abis/index.js";
import { nextTick, parseCron } from "../../lib/cron.js";
import { cronSpec } from "../../lib/spec.js";
import { type Chain, revertsWith, startChain } from "../../tools/harness/chain.js";

let chain: Chain;
let counter: Address;

beforeAll(async () => {
  chain = await startChain();
  counter = await chain.deploy(counterAbi, counterBytecode);
});
afterAll(() => chain?.stop());

const at = (iso: string) => BigInt(Date.parse(iso) / 1000);
const iso = (t: bigint) => new Date(Number(t) * 1000).toISOString();
const increment = () => ({
  target: counter,
  value: 0n,
  data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }),
});

/** Registers `expression` in a block at `when` (the chain's clock only moves forward: cases go in date order). */
async function registerAt(expression: string, when: bigint) {
  await chain.setNextTimestamp(when);
  const { id } = await chain.register(cronSpec(expression, [increment()]), parseEther("1"));
  return id;
}

/** Runs the workflow in a block at `when`; returns what the chain set as the next tick. */
async function runAt(id: bigint, when: bigint) {
  await chain.setNextTimestamp(when);
  const { executed, skipped } = await chain.execute(id);
  expect(skipped).toBeUndefined();
  expect(executed?.success).toBe(true);
  return executed!;
}

describe("CRON workflows", () => {
  it("cross a year end: '0 0 1 * *' registered on Dec 31 runs on Jan 1, then Feb 1", async () => {
    const id = await registerAt("0 0 1 * *", at("2027-12-31T23:00:00Z"));
    expect(iso((await chain.workflow(id)).nextExecutionAt)).toBe("2028-01-01T00:00:00.000Z");
    const run = await runAt(id, at("2028-01-01T00:00:00Z"));
    expect(iso(run.dueAt)).toBe("2028-01-01T00:00:00.000Z");
    expect(iso(run.nextExecutionAt)).toBe("2028-02-01T00:00:00.000Z");
  });

  it("find Feb 29 in a leap year, and the next one four years on", async () => {
    const id = await registerAt("0 12 29 2 *", at("2028-02-28T12:00:00Z"));
    expect(iso((await chain.workflow(id)).nextExecutionAt)).toBe("2028-02-29T12:00:00.000Z");
    const run = await runAt(id, at("2028-02-29T12:00:30Z"));
    expect(iso(run.nextExecutionAt)).toBe("2032-02-29T12:00:00.000Z");
  });

  it("skip the weekend for '*/15 9-17 * * MON-FRI', and skip ticks missed while nobody ran it", async () => {
    // 2028-03-03 is a Friday: after 17:45 the next tick is Monday 09:00.
    const id = await registerAt("*/15 9-17 * * MON-FRI", at("2028-03-03T17:50:00Z"));
    expect(iso((await chain.workflow(id)).nextExecutionAt)).toBe("2028-03-06T09:00:00.000Z");
    // Run late, at 10:07: the ticks missed are skipped and the next is 10:15.
    const run = await runAt(id, at("2028-03-06T10:07:00Z"));
    expect(iso(run.dueAt)).toBe("2028-03-06T09:00:00.000Z");
    expect(iso(run.nextExecutionAt)).toBe("2028-03-06T10:15:00.000Z");
  });

  it("use Vixie's OR rule when both day fields are restricted: '0 0 13 * FRI' fires on Fridays and on the 13th", async () => {
    // From Tue 2028-03-07: Friday the 10th comes before Monday the 13th, which comes before Friday the 17th.
    const id = await registerAt("0 0 13 * FRI", at("2028-03-07T00:00:00Z"));
    expect(iso((await chain.workflow(id)).nextExecutionAt)).toBe("2028-03-10T00:00:00.000Z");
    const first = await runAt(id, at("2028-03-10T00:00:00Z"));
    expect(iso(first.nextExecutionAt)).toBe("2028-03-13T00:00:00.000Z");
    const second = await runAt(id, at("2028-03-13T00:00:00Z"));
    expect(iso(second.nextExecutionAt)).toBe("2028-03-17T00:00:00.000Z");
  });

  it("set every next tick exactly as lib/cron.ts computes it", async () => {
    const expression = "7,37 */5 * JAN-JUN,DEC 1-5";
    const id = await registerAt(expression, at("2028-04-01T00:00:00Z"));
    const spec = parseCron(expression);
    let due = (await chain.workflow(id)).nextExecutionAt;
    expect(due).toBe(nextTick(spec, at("2028-04-01T00:00:00Z") - 1n));
    for (let i = 0; i < 6; i++) {
      const run = await runAt(id, due);
      expect(run.nextExecutionAt).toBe(nextTick(spec, due));
      due = run.nextExecutionAt;
    }
  });

  it("refuse a malformed expression, and one that never fires, with InvalidCronExpression", async () => {
    for (const expression of ["* * * *", "61 * * * *", "0 0 30 2 *", "*/0 * * * *", "0 0 * * FUNDAY"]) {
      await revertsWith(
        chain.wallets.owner.writeContract({
          address: chain.deployment.registry,
          abi: workflowRegistryAbi,
          functionName: "register",
          args: [
            {
              ...cronSpec("0 * * * *", [increment()]),
              trigger: { ...cronSpec("0 * * * *", []).trigger, data: stringToHex(expression) },
            },
          ],
        }),
        "InvalidCronExpression",
      );
    }
  });
});
