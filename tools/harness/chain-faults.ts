/**
 * Faults the chain itself produces, made on demand with anvil's own methods: reorgs that undo the
 * worker's transactions, and (added as the chaos suite needs them) fee spikes and drained signers.
 */
import { type Address, type Hex, numberToHex } from "viem";
import type { Chain } from "./chain.js";
import { sleep } from "./wait.js";

/**
 * Waits until the last `depth` blocks hold at least one transaction sent to the ActionExecutor, then
 * reorgs them away with `anvil_reorg` (which drops their transactions rather than putting them back in
 * the pool, as a real node may not either). Returns how many such transactions the reorg removed.
 */
export async function reorgOwnTransactions(chain: Chain, depth: number, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    const ours = await ownTransactions(chain, head - BigInt(depth) + 1n, head);
    if (ours.length > 0) {
      await anvilRequest(chain, "anvil_reorg", [depth, []]);
      // Count what actually left the chain (a block may have been mined between the look and the reorg).
      let removed = 0;
      for (const hash of ours) {
        const receipt = await chain.publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
        if (!receipt) removed += 1;
      }
      return removed;
    }
    if (Date.now() > deadline) throw new Error(`no executor transaction in the last ${depth} blocks`);
    await sleep(200);
  }
}

async function ownTransactions(chain: Chain, from: bigint, to: bigint): Promise<Hex[]> {
  const executor = chain.deployment.actionExecutor.toLowerCase();
  const hashes: Hex[] = [];
  for (let n = from; n <= to; n++) {
    const block = await chain.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
    for (const tx of block.transactions) if (tx.to?.toLowerCase() === executor) hashes.push(tx.hash);
  }
  return hashes;
}

/** Sets an account's balance (a drained or refunded signer). */
export async function setBalance(chain: Chain, address: Address, wei: bigint): Promise<void> {
  await anvilRequest(chain, "anvil_setBalance", [address, numberToHex(wei)]);
}

/** A raw JSON-RPC call straight to anvil, for its methods viem's test client does not type. */
export async function anvilRequest(chain: Chain, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(chain.anvil.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}
