/**
 * One saturation round, shared by the executor and resources suites: N workflows share a due slot far
 * ahead; the chain jumps to 3 s before it (so the scheduler enqueues the runs ahead, as it does for any
 * TIME workflow), and the round is timed from the block before the due time until the last run is
 * mined and indexed.
 */

import { executedRuns } from "../../tools/harness/chain-runs.js";
import type { Stack } from "../../tools/harness/stack.js";
import { sleep } from "../../tools/harness/wait.js";
import { pollUntil } from "./progress.js";
import { gasOf } from "./workload.js";

export interface RoundResult {
  /** Runs of this slot that were mined before the deadline (N when the round completed). */
  runs: number;
  seconds: number;
  transactions: number;
  blocks: number;
  /** Runs in the block that carried the most of them: what a block holds, free of how N divides into blocks. */
  fullest: number;
  gasUsed: bigint;
  blockGasLimit: bigint;
}

export async function saturationRound(stack: Stack, slot: bigint, expected: number, timeoutMs: number) {
  const { chain, indexer } = stack;
  await chain.testClient.setNextBlockTimestamp({ timestamp: slot - 3n });
  await chain.testClient.mine({ blocks: 1 });
  // Watch the blocks go by: the clock starts when the block before the due time appears.
  const client = chain.publicClient;
  let started = 0;
  let before = 0n;
  const dueBlock = await pollUntil(
    async () => {
      const block = await client.getBlock({ blockTag: "latest" });
      if (block.timestamp === slot - 1n && started === 0) {
        started = performance.now();
        before = block.number;
      }
      return block.timestamp >= slot ? block : undefined;
    },
    Date.now() + 15_000,
    20,
  );
  if (!dueBlock) throw new Error(`the chain did not reach the due time ${slot}`);
  if (started === 0) {
    started = performance.now() - 1000; // missed the block before (it came and went between polls)
    before = dueBlock.number - 1n;
  }

  const deadline = Date.now() + timeoutMs;
  let runs = await executedRuns(chain, dueBlock.number);
  while (runs.filter((r) => r.dueAt === slot).length < expected && Date.now() < deadline) {
    await sleep(100);
    runs = await executedRuns(chain, dueBlock.number);
  }
  const mine = runs.filter((r) => r.dueAt === slot);
  let last = dueBlock.number;
  for (const r of mine) if (r.blockNumber > last) last = r.blockNumber;
  await indexer.waitForBlock(last, 120_000);
  const seconds = (performance.now() - started) / 1000;
  const txs = [...new Set(mine.map((r) => r.txHash))];
  const perBlock = new Map<bigint, number>();
  for (const r of mine) perBlock.set(r.blockNumber, (perBlock.get(r.blockNumber) ?? 0) + 1);
  const { gasUsed, blockGasLimit } = await gasOf(chain, txs);
  return {
    runs: mine.length,
    seconds,
    transactions: txs.length,
    blocks: Number(last - before),
    fullest: Math.max(0, ...perBlock.values()),
    gasUsed,
    blockGasLimit,
  } satisfies RoundResult;
}
