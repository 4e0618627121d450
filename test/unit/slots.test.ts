/** The slots the scheduler offers ahead for a TIME or CRON workflow: within the horizon and the end time. */
import { expect, it } from "vitest";
import { slotsOf } from "../../executor/scheduler/scheduler.js";
import type { DueWorkflow } from "../../lib/due-types.js";
import { cronSpec } from "../../lib/spec.js";

const w = (over: Partial<DueWorkflow>): DueWorkflow => ({
  id: 1n,
  triggerKind: "TIME",
  checkerKind: "NONE",
  checker: "0x0000000000000000000000000000000000000000",
  triggerData: "0x",
  nextExecutionAt: 1_000n,
  interval: 10n,
  endTime: 0n,
  gasLimit: 100_000,
  maxFeePerRun: 10n ** 16n,
  runCount: 0,
  ...over,
});

it("offers the next slot and those after it up to the horizon", () => {
  expect(slotsOf(w({}), 1_035n)).toEqual([1_000n, 1_010n, 1_020n, 1_030n]);
  // The next slot is offered even when it lies past the horizon: it is due next whatever the horizon.
  expect(slotsOf(w({}), 900n)).toEqual([1_000n]);
});

it("stops at the workflow's end time, and offers one slot for a one-shot", () => {
  expect(slotsOf(w({ endTime: 1_015n }), 2_000n)).toEqual([1_000n, 1_010n]);
  expect(slotsOf(w({ interval: 0n }), 2_000n)).toEqual([1_000n]);
});

it("offers at most 121 slots however far the horizon", () => {
  expect(slotsOf(w({ interval: 1n }), 10n ** 9n)).toHaveLength(121);
});

it("follows a CRON schedule's own ticks", () => {
  const every15 = cronSpec("*/15 * * * *", []).trigger.data;
  const start = 1_800_000_000n - (1_800_000_000n % 900n); // on a quarter hour
  expect(
    slotsOf(w({ triggerKind: "CRON", triggerData: every15, nextExecutionAt: start, interval: 0n }), start + 2_000n),
  ).toEqual([start, start + 900n, start + 1_800n]);
});
