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
  const events = parseEventLogs({ abi: actionExecutorAbi, logs });
  events.forEach((e, i) => {
    if (e.eventName === "LogRun") {
      named = { id: e.args.id, key: logKey(e.args.id, e.args.blockHash, e.args.logIndex) };
      return;
    }
    if (e.eventName !== "WorkflowExecuted" && e.eventName !== "WorkflowSkipped") return;
    const key = named?.id === e.args.id ? named.key : String(e.args.id);
    named = undefined;
    if (e.eventName === "WorkflowExecuted") {
      const { success, runNumber, dueAt } = e.args;
      out.set(key, { kind: "executed", success, runNumber, dueAt, reason: failureReason(events[i - 1], e.args) });
    } else {
      out.set(key, { kind: "skipped", reason: e.args.reason });
    }
  });
  return out;
}

interface FailedEvent {
  eventName: "WorkflowFailed";
  args: { id: bigint; runNumber: bigint; reason: Hex };
}

/**
 * A run's revert data ("0x" when it succeeded). ActionExecutor emits a failed run's WorkflowFailed just
 * before that run's WorkflowExecuted, so `previous` is the event before the run's. The one place that rule
 * is read: the worker's receipts here, the test harness's too.
 */
export function failureReason(
  previous: { eventName: string; args: object } | undefined,
  run: { id: bigint; runNumber: bigint },
): Hex {
  if (previous?.eventName !== "WorkflowFailed") return "0x";
  const failed = (previous as FailedEvent).args;
  return failed.id === run.id && failed.runNumber === run.runNumber ? failed.reason : "0x";
}

/** The event of `item` in a receipt's events: a LOG item whose log the chain could not name falls back to its workflow's. */
export function eventOf(events: Map<string, ItemEvent>, item: Parameters<typeof itemKey>[0]): ItemEvent | undefined {
  return events.get(itemKey(item)) ?? (item.trigger === "LOG" ? events.get(String(item.workflowId)) : undefined);
}
