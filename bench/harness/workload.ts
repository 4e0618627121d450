/**
 * Loads a test chain with work: a Counter to call and many funded TIME workflows registered fast
 * (nonces assigned here and sent in parallel). What ran is read back with tools/harness/chain-runs.ts.
 */
import { encodeFunctionData, type Hash, parseEventLogs, type TransactionReceipt } from "viem";
import { counterAbi, counterBytecode, workflowRegistryAbi } from "../../abis/index.js";
import type { WorkflowSpec } from "../../lib/spec.js";
import type { Chain } from "../../tools/harness/chain.js";
import { sleep } from "../../tools/harness/wait.js";

/** The action every benchmark workflow runs: Counter.increment() (about 70k gas per run in a batch). */
export async function counterAction(chain: Chain) {
  const target = await chain.deploy(counterAbi, counterBytecode);
  return { target, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
}

const PARALLEL = 64;

/** Ponder indexes automined registrations a block at a time: a few thousand take a minute or more. */
export const INDEX_CATCH_UP_MS = 300_000;

/** Registers one workflow per spec from the owner account; returns their ids in order. */
export async function registerMany(
  chain: Chain,
  specs: WorkflowSpec[],
  funding: bigint,
  progress: (done: number) => void = () => {},
): Promise<bigint[]> {
  const owner = chain.wallets.owner;
  const client = chain.publicClient;
  let nonce = await client.getTransactionCount({ address: owner.account.address, blockTag: "pending" });
  const fees = await client.estimateFeesPerGas();
  const ids: bigint[] = [];
  // A chunk at a time, mined before the next is sent: anvil stalls on thousands of queued transactions.
  for (let i = 0; i < specs.length; i += PARALLEL) {
    const hashes = await Promise.all(
      specs.slice(i, i + PARALLEL).map((spec) =>
        owner.writeContract({
          address: chain.deployment.registry,
          abi: workflowRegistryAbi,
          functionName: "register",
          args: [spec],
          value: funding,
          nonce: nonce++,
          gas: 1_500_000n,
          maxFeePerGas: fees.maxFeePerGas * 4n,
          maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
        }),
      ),
    );
    const receipts = await Promise.all(hashes.map((hash) => receiptOf(chain, hash)));
    for (const receipt of receipts) {
      if (receipt.status !== "success") throw new Error(`register reverted in ${receipt.transactionHash}`);
      const [registered] = parseEventLogs({
        abi: workflowRegistryAbi,
        logs: receipt.logs,
        eventName: "WorkflowRegistered",
      });
      if (!registered) throw new Error(`no WorkflowRegistered in ${receipt.transactionHash}`);
      ids.push(registered.args.id);
    }
    progress(ids.length);
  }
  return ids;
}

/**
 * A transaction's receipt, polled for; a block is mined when it is still missing after a second. On an
 * automining anvil each arriving transaction mines one block of what is ready, and a block holds 20
 * registrations (1.5M gas each): when a chunk's transactions arrived faster than blocks were mined, the
 * last ones stayed in the pool with nothing left to mine them (3 of 6 bench set-ups on 2026-11-29 under
 * load timed out after 180 s with transactions pending).
 */
async function receiptOf(chain: Chain, hash: Hash, timeoutMs = 180_000): Promise<TransactionReceipt> {
  const deadline = Date.now() + timeoutMs;
  let nudgeAt = Date.now() + 1000;
  for (;;) {
    const receipt = await chain.publicClient.getTransactionReceipt({ hash }).catch(() => undefined);
    if (receipt) return receipt;
    if (Date.now() > deadline) {
      throw new Error(`transaction ${hash} not mined within ${timeoutMs / 1000} s: ${await whyPending(chain, hash)}`);
    }
    if (Date.now() > nudgeAt) {
      await chain.testClient.mine({ blocks: 1 });
      nudgeAt = Date.now() + 1000;
    }
    await sleep(100);
  }
}

/** What keeps a transaction out of blocks, for the error: its nonce against its sender's, its fee against the base fee. */
async function whyPending(chain: Chain, hash: Hash): Promise<string> {
  try {
    const tx = await chain.publicClient.getTransaction({ hash });
    const [next, block, pool] = await Promise.all([
      chain.publicClient.getTransactionCount({ address: tx.from }),
      chain.publicClient.getBlock(),
      chain.testClient.getTxpoolStatus(),
    ]);
    return (
      `nonce ${tx.nonce} (sender's next ${next}), maxFeePerGas ${tx.maxFeePerGas} against base fee ` +
      `${block.baseFeePerGas}, pool ${pool.pending} pending / ${pool.queued} queued, head ${block.number}`
    );
  } catch (error) {
    return `not known to the node (${(error as Error).message.split("\n")[0]})`;
  }
}

/** Gas used by the given transactions, and the block gas limit they were mined under. */
export async function gasOf(chain: Chain, txHashes: Hash[]): Promise<{ gasUsed: bigint; blockGasLimit: bigint }> {
  let gasUsed = 0n;
  const unique = [...new Set(txHashes)];
  for (let i = 0; i < unique.length; i += PARALLEL) {
    const receipts = await Promise.all(
      unique.slice(i, i + PARALLEL).map((hash) => chain.publicClient.getTransactionReceipt({ hash })),
    );
    for (const r of receipts) gasUsed += r.gasUsed;
  }
  const blockGasLimit = (await chain.publicClient.getBlock()).gasLimit;
  return { gasUsed, blockGasLimit };
}
