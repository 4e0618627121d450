/** What a mined batch did to each workflow, read from ActionExecutor's events in the receipt. */
import { type Hex, parseEventLogs, type TransactionReceipt } from "viem";
import { actionExecutorAbi } from "../../abis/index.js";

export type ItemEvent =
  | { kind: "executed"; success: boolean; runNumber: bigint; dueAt: bigint; reason: Hex }
  | { kind: "skipped"; reason: number };

export function itemEvents(receipt: TransactionReceipt, executor: Hex): Map<bigint, ItemEvent> {
  const out = new Map<bigint, ItemEvent>();
  const logs = receipt.logs.filter((l) => l.address.toLowerCase() === executor.toLowerCase());
  for (const e of parseEventLogs({ abi: actionExecutorAbi, logs })) {
    if (e.eventName === "WorkflowExecuted") {
      const { id, success, runNumber, dueAt, reason } = e.args;
      out.set(id, { kind: "executed", success, runNumber, dueAt, reason });
    } else if (e.eventName === "WorkflowSkipped") {
      out.set(e.args.id, { kind: "skipped", reason: e.args.reason });
    }
  }
  return out;
}
