/** The one builder of a slot's run job (the scheduler's and push-job's): its id and what it carries. */
import { expect, it } from "vitest";
import { jobId, slotJob } from "../../lib/queue.js";

const w = (triggerKind: string) => ({ id: 7n, gasLimit: 150_000, triggerKind });

it("names a slot's job by chain, workflow and slot, whoever makes it", () => {
  expect(slotJob(31337, w("TIME"), 1_800_000_000n, "0x").jobId).toBe(jobId(31337, 7n, 1_800_000_000n));
  expect(slotJob(31337, w("TIME"), 1_800_000_000n, "0x").jobId).toBe("31337:7:1800000000");
});

it("keeps each trigger's name, and a CONDITION job's check time", () => {
  expect(slotJob(1, w("TIME"), 100n, "0x").data).toEqual({
    chainId: 1,
    workflowId: "7",
    dueAt: "100",
    performData: "0x",
    gasLimit: 150_000,
    trigger: "TIME",
  });
  // push-job once named a CRON slot's job TIME.
  expect(slotJob(1, w("CRON"), 100n, "0x").data.trigger).toBe("CRON");
  const condition = slotJob(1, w("CONDITION"), 100n, "0xabcd", 104n).data;
  expect([condition.trigger, condition.readyAt, condition.performData]).toEqual(["CONDITION", "104", "0xabcd"]);
  // Without a check time, a CONDITION run is late from its slot.
  expect(slotJob(1, w("CONDITION"), 100n, "0x").data.readyAt).toBe("100");
});
