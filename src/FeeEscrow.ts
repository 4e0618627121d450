import { type Context, ponder } from "ponder:registry";
import { escrowMovement, feeParams, workflow } from "ponder:schema";
import type { Address, Hex } from "viem";

interface Movement {
  kind: "deposit" | "withdraw" | "refund" | "release" | "charge" | "claim";
  workflowId: bigint | null;
  account: Address;
  amount: bigint;
  balanceAfter: bigint | null;
}

interface EscrowEvent {
  id: string;
  block: { number: bigint; timestamp: bigint };
  transaction: { hash: Hex };
  log: { logIndex: number };
}

// The escrow's events carry the balance after the move, so the index does no arithmetic for them. A run's
// charge is recorded from its WorkflowExecuted (src/ActionExecutor.ts): the escrow emits nothing for it.
ponder.on("FeeEscrow:Deposited", async ({ event, context }) => {
  const { id, from, amount, balance } = event.args;
  await record(context, event, { kind: "deposit", workflowId: id, account: from, amount, balanceAfter: balance });
});

ponder.on("FeeEscrow:Withdrawn", async ({ event, context }) => {
  const { id, to, amount, balance } = event.args;
  await record(context, event, { kind: "withdraw", workflowId: id, account: to, amount, balanceAfter: balance });
});

ponder.on("FeeEscrow:Refunded", async ({ event, context }) => {
  const { id, to, amount } = event.args;
  await record(context, event, { kind: "refund", workflowId: id, account: to, amount, balanceAfter: 0n });
});

ponder.on("FeeEscrow:Released", async ({ event, context }) => {
  const { id, amount, balance } = event.args;
  await record(context, event, {
    kind: "release",
    workflowId: id,
    account: event.log.address,
    amount,
    balanceAfter: balance,
  });
});

// What a worker has claimed is summed from these rows when read (the worker view).
ponder.on("FeeEscrow:Claimed", async ({ event, context }) => {
  const { worker: by, amount } = event.args;
  await record(context, event, { kind: "claim", workflowId: null, account: by, amount, balanceAfter: null });
});

ponder.on("FeeEscrow:FeeParamsSet", async ({ event, context }) => {
  const { premiumBps, flatFee } = event.args;
  await context.db
    .insert(feeParams)
    .values({ id: context.chain.id, premiumBps, flatFee, updatedAt: event.block.timestamp })
    .onConflictDoUpdate({ premiumBps, flatFee, updatedAt: event.block.timestamp });
});

async function record(context: Context, event: EscrowEvent, m: Movement): Promise<void> {
  await insertMovement(context, event, m);
  if (m.workflowId !== null && m.balanceAfter !== null) {
    await context.db
      .update(workflow, { chainId: context.chain.id, id: m.workflowId })
      .set({ balance: m.balanceAfter, updatedAt: event.block.timestamp });
  }
}

/** The movement's row alone: a run's charge (src/ActionExecutor.ts) sets the balance in its own update. */
export async function insertMovement(context: Context, event: EscrowEvent, m: Movement): Promise<void> {
  await context.db.insert(escrowMovement).values({
    id: event.id,
    chainId: context.chain.id,
    ...m,
    txHash: event.transaction.hash,
    blockNumber: event.block.number,
    blockTime: event.block.timestamp,
    logIndex: event.log.logIndex,
  });
}
