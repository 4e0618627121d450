/**
 * The workflow a `register` transaction created, read from its own `WorkflowRegistered` log.
 * `workflowCount` after the fact, or a local counter, names someone else's workflow as soon as two
 * owners register in the same block; the receipt's log cannot.
 */
import { type Address, type Hash, isAddressEqual, type Log, parseEventLogs } from "viem";
import { workflowRegistryAbi } from "../abis/index.js";

interface Receipt {
  transactionHash: Hash;
  logs: Log[];
}

/** The one `WorkflowRegistered` log `registry` emitted in `receipt` (a look-alike from another address is ignored). */
export function registeredEvent(receipt: Receipt, registry: Address) {
  const found = parseEventLogs({
    abi: workflowRegistryAbi,
    eventName: "WorkflowRegistered",
    logs: receipt.logs,
  }).filter((log) => isAddressEqual(log.address, registry));
  if (found.length !== 1) {
    throw new Error(
      `transaction ${receipt.transactionHash} has ${found.length} WorkflowRegistered logs from ${registry}, expected 1`,
    );
  }
  return found[0]!;
}

/** The id of the workflow `receipt`'s transaction registered at `registry`. */
export function registeredId(receipt: Receipt, registry: Address): bigint {
  return registeredEvent(receipt, registry).args.id;
}

/**
 * Gas for a `register` transaction: the estimate plus a fifth. Registration costs depend on the block's
 * timestamp (a CRON expression's first tick is computed on chain: 360,086 gas at one second, 360,117 a
 * minute later), and an estimate made against one block is spent in the next, so an exact estimate can
 * run out of gas. Found by CI's dev smoke: a demo registration reverted out of gas once.
 */
export function withRegisterHeadroom(estimate: bigint): bigint {
  return (estimate * 120n) / 100n;
}
