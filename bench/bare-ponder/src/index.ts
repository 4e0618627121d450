/**
 * One insert per event and no reads: every event of the three contracts, registered from their ABIs so
 * the bare app follows the contracts when their events change. It reads the same block and transaction
 * fields ours does (number, timestamp, hash), so Ponder fetches the same data for both.
 */
import { type Context, ponder } from "ponder:registry";
import { eventRow } from "ponder:schema";
import type { Hex } from "viem";
import { actionExecutorAbi, feeEscrowAbi, workflowRegistryAbi } from "../../../abis/index.js";

interface LogEvent {
  id: string;
  args: Record<string, unknown>;
  block: { number: bigint; timestamp: bigint };
  transaction: { hash: Hex };
  log: { logIndex: number };
}

// The names come from the ABIs at run time, which Ponder's generated types cannot follow.
const on = ponder.on.bind(ponder) as unknown as (
  name: string,
  fn: (p: { event: LogEvent; context: Context }) => Promise<void>,
) => void;
const contracts = { WorkflowRegistry: workflowRegistryAbi, ActionExecutor: actionExecutorAbi, FeeEscrow: feeEscrowAbi };

for (const [contract, abi] of Object.entries(contracts)) {
  for (const item of abi) {
    if (item.type !== "event") continue;
    const name = `${contract}:${item.name}`;
    on(name, async ({ event, context }) => {
      await context.db.insert(eventRow).values({
        id: event.id,
        name,
        workflowId: typeof event.args.id === "bigint" ? event.args.id : null,
        blockNumber: event.block.number,
        blockTime: event.block.timestamp,
        txHash: event.transaction.hash,
        logIndex: event.log.logIndex,
      });
    });
  }
}
