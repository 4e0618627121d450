/** What a mined batch did to each item, read from ActionExecutor's events in the receipt. */
import { type Hex, parseEventLogs, type TransactionReceipt } from "viem";
import { actionExecutorAbi } from "../../abis/index.js";
import { logRefOf } from "../../lib/log-trigger.js";

export type ItemEvent =
  | { kind: "executed"; success: boolean; runNumber: bigint; dueAt: bigint; reason: Hex }
  | { kind: "skipped"; reason: number };

/**
 * How an item is found among a receipt's events: by workflow, and for a LOG item also by its log (a batch
 * may carry many logs of one workflow). ActionExecutor's LogRun names the log just before the item's event.
 */
export function itemKey(item: { workflowId: bigint; trigger?: string; performData: Hex }): string {
  const ref = item.trigger === "LOG" ? logRefOf(item.performData) : undefined;
  return ref ? logKey(item.workflowId, ref.blockHash, BigInt(ref.logIndex)) : String(item.workflowId);
}

const logKey = (id: bigint, blockHash: Hex, logIndex: bigint) => `${id}:${blockHash.toLowerCase()}:${logIndex}`;

export function itemEvents(receipt: TransactionReceipt, executor: Hex): Map<string, ItemEvent> {
  const out = new Map<string, ItemEvent>();
  const logs = receipt.logs.filter((l) => l.address.toLowerCase() === executor.toLowerCase());
  let named: { id: bigint; key: string } | undefined;
  // A failed run's reason comes in WorkflowFailed, just before its WorkflowExecuted.
  let failed: { id: bigint; runNumber: bigint; reason: Hex } | undefined;
  for (const e of parseEventLogs({ abi: actionExecutorAbi, logs })) {
    if (e.eventName === "LogRun") {
      named = { id: e.args.id, key: logKey(e.args.id, e.args.blockHash, e.args.logIndex) };
      continue;
    }
    if (e.eventName === "WorkflowFailed") {
      failed = e.args;
      continue;
    }
    if (e.eventName !== "WorkflowExecuted" && e.eventName !== "WorkflowSkipped") continue;
    const key = named?.id === e.args.id ? named.key : String(e.args.id);
    named = undefined;
    if (e.eventName === "WorkflowExecuted") {
      const { success, runNumber, dueAt } = e.args;
      const reason = failed?.id === e.args.id && failed.runNumber === runNumber ? failed.reason : "0x";
      failed = undefined;
      out.set(key, { kind: "executed", success, runNumber, dueAt, reason });
    } else {
      out.set(key, { kind: "skipped", reason: e.args.reason });
    }
  }
  return out;
}

/** The event of `item` in a receipt's events: a LOG item whose log the chain could not name falls back to its workflow's. */
export function eventOf(events: Map<string, ItemEvent>, item: Parameters<typeof itemKey>[0]): ItemEvent | undefined {
  return events.get(itemKey(item)) ?? (item.trigger === "LOG" ? events.get(String(item.workflowId)) : undefined);
}
