/**
 * Due→mined latency under a steady load: W workflows with I-second intervals, staggered so every block
 * has work, run by one executor with its default settings on 1 s blocks. A run's lateness is counted in
 * blocks from the first block whose timestamp reaches its due time (1 block is the floor) and in
 * seconds of chain time. The measured span is cut into 3 windows after a warm-up window; each window
 * gives one sample of each percentile.
 */
import { parseEther } from "viem";
import { timeSpec } from "../../lib/spec.js";
import { executedRuns } from "../../tools/harness/chain-runs.js";
import { spawnExecutor } from "../../tools/harness/executor.js";
import { startStack } from "../../tools/harness/stack.js";
import { sleep } from "../../tools/harness/wait.js";
import { throttled } from "../harness/progress.js";
import { metric } from "../harness/report.js";
import { percentile } from "../harness/stats.js";
import type { Suite } from "../harness/suite.js";
import { counterAction, INDEX_CATCH_UP_MS, registerMany } from "../harness/workload.js";

export const latencySuite: Suite = {
  name: "latency",
  title: "Latency: due → mined under steady load",
  async run(ctx) {
    const size = ctx.quick
      ? { workflows: 20, interval: 3, warmup: 3, window: 6, lead: 12 }
      : { workflows: 200, interval: 10, warmup: 30, window: 180, lead: 40 };
    const { workflows, interval, warmup, window, lead } = size;

    ctx.say("starting anvil, Ponder (PGlite, the default) and Redis queue");
    const stack = await startStack("pglite");
    let executor: ReturnType<typeof spawnExecutor> | undefined;
    try {
      const { chain } = stack;
      const action = await counterAction(chain);
      const start = (await chain.now()) + BigInt(lead);
      const end = start + BigInt(warmup + ctx.runs * window);
      // Staggered starts: workflow i is due at start + (i mod interval) + k × interval, so each block has work.
      const specs = Array.from({ length: workflows }, (_, i) =>
        timeSpec([action], BigInt(interval), {
          startTime: start + BigInt(i % interval),
          endTime: end,
          gasLimit: 100_000,
        }),
      );
      const ids = await registerMany(chain, specs, parseEther("0.5"));
      await stack.intervalMining(1);
      await stack.indexer.catchUp(INDEX_CATCH_UP_MS);
      const firstBlock = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
      executor = spawnExecutor(await stack.env());
      await executor.waitForLog(/"index ready; scheduling"/);
      const headroom = Number(start - (await chain.now()));
      if (headroom < 2) throw new Error(`set-up took too long: the schedule started ${-headroom} s ago`);
      ctx.say(
        `${workflows} workflows every ${interval} s; warm-up ${warmup} s, then ${ctx.runs} windows of ${window} s`,
      );
      // The last slots land in the block that reaches `end`; then read what ran from the chain.
      const progress = throttled(30_000, (t) => ctx.say(`  ${t}/${Number(end - start)} s of the schedule`));
      for (let now = await chain.now(); now <= end; now = await chain.now()) {
        progress(Math.max(0, Number(now - start)));
        await sleep(500);
      }
      await executor.stop();
      const runs = await executedRuns(chain, firstBlock);
      let lastBlock = firstBlock;
      for (const r of runs) if (r.blockNumber > lastBlock) lastBlock = r.blockNumber;
      const timestamps = await blockTimestamps(stack, firstBlock, lastBlock);

      const samples: Record<string, number[]> = {};
      const add = (name: string, v: number) => {
        samples[name] ??= [];
        samples[name]!.push(v);
      };
      let missed = 0;
      for (let w = 0; w < ctx.runs; w++) {
        const from = start + BigInt(warmup + w * window);
        const to = from + BigInt(window);
        const inWindow = runs.filter((r) => r.dueAt >= from && r.dueAt < to);
        const expected = ids.length * (window / interval);
        missed += expected - inWindow.length;
        const blocks = inWindow.map((r) => Number(r.blockNumber - firstBlockAtOrAfter(timestamps, r.dueAt)) + 1);
        const seconds = inWindow.map((r) => Number(timestamps.get(r.blockNumber)! - r.dueAt));
        for (const p of [50, 95, 99]) {
          add(`p${p} blocks`, percentile(blocks, p));
          add(`p${p} seconds`, percentile(seconds, p));
        }
        add("max blocks", Math.max(...blocks));
        add("runs", inWindow.length);
        ctx.say(
          `  window ${w + 1}: ${inWindow.length}/${expected} runs; blocks p50 ${percentile(blocks, 50)} ` +
            `p95 ${percentile(blocks, 95)} p99 ${percentile(blocks, 99)} max ${Math.max(...blocks)}`,
        );
      }
      const metrics = Object.fromEntries(
        Object.entries(samples).map(([name, v]) => [
          name,
          metric(name === "runs" ? "runs" : name.endsWith("blocks") ? "blocks" : "s", v),
        ]),
      );
      return {
        method:
          `${workflows} TIME workflows with ${interval} s intervals, staggered over ${interval} s, on 1 s anvil ` +
          `blocks; one executor with default settings; Ponder on PGlite. A ${warmup} s warm-up, then ${ctx.runs} ` +
          `windows of ${window} s; each window gives one sample of each percentile. Blocks count from the first ` +
          "block whose timestamp reaches the due time (1 = the floor); seconds are chain time from due to mined.",
        rows: [{ label: `${workflows} workflows / ${interval} s`, params: { workflows, interval, window }, metrics }],
        ...(missed > 0 ? { shortfall: `${missed} due slots were never run (a later block took the next slot)` } : {}),
        notes: [],
      };
    } finally {
      await executor?.kill();
      await stack.stop();
    }
  },
};

/** Timestamps of blocks from..to, by block number (a Map keeps them in ascending block order). */
async function blockTimestamps(stack: Awaited<ReturnType<typeof startStack>>, from: bigint, to: bigint) {
  const map = new Map<bigint, bigint>();
  const numbers = Array.from({ length: Number(to - from) + 1 }, (_, i) => from + BigInt(i));
  for (let i = 0; i < numbers.length; i += 50) {
    const blocks = await Promise.all(
      numbers.slice(i, i + 50).map((n) => stack.chain.publicClient.getBlock({ blockNumber: n })),
    );
    for (const b of blocks) map.set(b.number, b.timestamp);
  }
  return map;
}

/** The floor for a run due at `dueAt`: the first block whose timestamp reaches it. */
function firstBlockAtOrAfter(timestamps: Map<bigint, bigint>, dueAt: bigint): bigint {
  // Timestamps never decrease with the block number, so the first match in order is the floor.
  for (const [n, t] of timestamps) if (t >= dueAt) return n;
  throw new Error(`no block at or after ${dueAt}`);
}
