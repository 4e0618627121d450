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
