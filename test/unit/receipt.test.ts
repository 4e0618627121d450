/**
 * What a mined batch did to each item, read from a receipt's logs: the logs are encoded here with the
 * contract's own ABI, in the order ActionExecutor emits them (LogRun, then WorkflowFailed for a failed run,
 * then WorkflowExecuted or WorkflowSkipped).
 */
import {
  type Address,
  encodeAbiParameters,
  encodeEventTopics,
  type Hex,
  type Log,
  type TransactionReceipt,
  toEventSelector,
} from "viem";
import { describe, expect, it } from "vitest";
import { actionExecutorAbi } from "../../abis/index.js";
import { eventOf, itemEvents } from "../../executor/worker/receipt.js";
import { logPerformData } from "../../lib/log-trigger.js";

const EXECUTOR: Address = "0x00000000000000000000000000000000000000e1";
const WORKER: Address = "0x00000000000000000000000000000000000000a1";
const BLOCK_HASH: Hex = `0x${"ab".repeat(32)}`;

type EventName = "WorkflowExecuted" | "WorkflowFailed" | "WorkflowSkipped" | "LogRun";

function log(eventName: EventName, args: Record<string, unknown>, address: Address = EXECUTOR): Log {
  const event = actionExecutorAbi.find((e) => e.type === "event" && e.name === eventName);
  if (event?.type !== "event") throw new Error(eventName);
  const topics = encodeEventTopics({ abi: [event], eventName, args } as never) as Hex[];
  const unindexed = event.inputs.filter((i) => !("indexed" in i && i.indexed));
  const data = encodeAbiParameters(
    unindexed,
    unindexed.map((i) => args[i.name!]),
  );
  expect(topics[0]).toBe(toEventSelector(event));
  return { address, topics, data } as unknown as Log;
}

const executed = (id: bigint, runNumber: bigint, success: boolean) =>
  log("WorkflowExecuted", {
    id,
    runNumber,
    worker: WORKER,
    success,
    gasUsed: 40_000n,
    fee: 1n,
    dueAt: 100n,
    nextExecutionAt: 110n,
  });

const receiptOf = (logs: Log[]) => ({ status: "success", logs }) as unknown as TransactionReceipt;

describe("itemEvents", () => {
  it("gives a failed run the reason of the WorkflowFailed just before it, and a run that succeeded none", () => {
    const reason: Hex = "0x08c379a0";
    const events = itemEvents(
      receiptOf([
        log("WorkflowFailed", { id: 1n, runNumber: 3n, reason }),
        executed(1n, 3n, false),
        executed(2n, 7n, true),
        log("WorkflowSkipped", { id: 4n, worker: WORKER, reason: 3 }),
      ]),
      EXECUTOR,
    );
    expect(events.get("1")).toEqual({ kind: "executed", success: false, runNumber: 3n, dueAt: 100n, reason });
    expect(events.get("2")).toEqual({ kind: "executed", success: true, runNumber: 7n, dueAt: 100n, reason: "0x" });
    expect(events.get("4")).toEqual({ kind: "skipped", reason: 3 });
  });

  it("ignores another contract's logs, and a failure that names another run", () => {
    const events = itemEvents(
      receiptOf(
        [
          log("WorkflowFailed", { id: 1n, runNumber: 2n, reason: "0xdead" }),
          executed(1n, 3n, false),
          executed(5n, 1n, true),
        ].concat([{ ...executed(6n, 1n, true), address: WORKER }]),
      ),
      EXECUTOR,
    );
    expect(events.get("1")).toMatchObject({ kind: "executed", success: false, reason: "0x" });
    expect(events.has("6")).toBe(false);
  });

  it("keys a LOG item by its log, with a failed run's reason between its LogRun and its WorkflowExecuted", () => {
    const ref = { blockNumber: 9n, blockHash: BLOCK_HASH, logIndex: 4 };
    const item = { workflowId: 8n, trigger: "LOG", performData: logPerformData(ref) };
    const events = itemEvents(
      receiptOf([
        log("LogRun", { id: 8n, runNumber: 1n, blockNumber: 9n, blockHash: BLOCK_HASH, logIndex: 4n }),
        log("WorkflowFailed", { id: 8n, runNumber: 1n, reason: "0x01" }),
        executed(8n, 1n, false),
      ]),
      EXECUTOR,
    );
    expect(eventOf(events, item)).toMatchObject({ kind: "executed", success: false, reason: "0x01" });
    expect(events.has("8")).toBe(false);
  });
});
