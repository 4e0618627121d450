/** How a BullMQ job's state and what the worker wrote into it read for people (the API and the explorer). */
import { expect, it } from "vitest";
import { liveStateOf } from "../../lib/queue.js";

const job = (over: { attemptsMade?: number; failedReason?: string; data?: Record<string, unknown> } = {}) => ({
  id: "31337:1:1000",
  attemptsMade: over.attemptsMade ?? 0,
  failedReason: over.failedReason,
  data: { dueAt: "1000", ...(over.data ?? {}) },
});

it.each([
  ["delayed", job(), "waiting"],
  ["delayed", job({ attemptsMade: 1 }), "retrying"],
  ["waiting", job(), "queued"],
  ["prioritized", job({ attemptsMade: 2 }), "retrying"],
  ["active", job(), "queued"],
  ["active", job({ data: { txHash: "0xabc" } }), "submitted"],
  ["completed", job(), "done"],
  ["failed", job({ attemptsMade: 3, failedReason: "target says no" }), "dead"],
  ["unknown", job(), "idle"],
])("%s with %o reads %s", (bull, j, state) => {
  expect(liveStateOf(bull, j).state).toBe(state);
});

it("carries the job's attempts, error, transaction and underpricing", () => {
  const underpriced = { feeWei: "1", costWei: "2", gasUsed: "3", gasPriceWei: "4", at: 5 };
  const s = liveStateOf("delayed", job({ attemptsMade: 1, failedReason: "nonce too low", data: { underpriced } }));
  expect(s).toEqual(
    expect.objectContaining({ state: "underpriced", attempts: 1, lastError: "nonce too low", underpriced }),
  );
  expect(liveStateOf("failed", job({ attemptsMade: 3, failedReason: "boom" })).jobId).toBe("31337:1:1000");
});
