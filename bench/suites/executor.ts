/**
 * End-to-end executions per second at saturation: N funded TIME workflows all due in the same block,
 * one executor process running, swept over batch size and signer count. Rounds are timed from the
 * block before the due time until the last run is mined and indexed (harness/saturation.ts).
 */
import { parseEther } from "viem";
import { ANVIL_KEYS, DEV_KEYS } from "../../lib/accounts.js";
import { timeSpec } from "../../lib/spec.js";
import { spawnExecutor } from "../../test/helpers/executor.js";
import { startStack } from "../../test/helpers/stack.js";
import { throttled } from "../harness/progress.js";
import { metric, type Row } from "../harness/report.js";
import { sampleRss } from "../harness/rss.js";
import { saturationRound } from "../harness/saturation.js";
import type { Suite } from "../harness/suite.js";
import { counterAction, registerMany } from "../harness/workload.js";

/** One slot an hour: a round runs one slot of every workflow, then the chain jumps to the next. */
const INTERVAL = 3600n;
const SIGNER_KEYS = [DEV_KEYS.worker, ANVIL_KEYS[5], ANVIL_KEYS[6], ANVIL_KEYS[7]];

export const executorSuite: Suite = {
  name: "executor",
  title: "Executor: executions per second at saturation",
  async run(ctx) {
    const workflows = ctx.quick ? 60 : 2_000;
    const sweep = ctx.quick
      ? [{ batch: 50, signers: 2 }]
      : [1, 10, 50, 100].flatMap((batch) => [1, 2, 4].map((signers) => ({ batch, signers })));
    const timeoutMs = ctx.quick ? 60_000 : 180_000;

    ctx.say("starting anvil, Ponder (Postgres) and Redis queue");
    const stack = await startStack("postgres");
    const rows: Row[] = [];
    const shortfalls: string[] = [];
    try {
      for (const key of SIGNER_KEYS.slice(1)) await stack.grantWorker(key);
      const action = await counterAction(stack.chain);
      let slot = (await stack.chain.now()) + INTERVAL;
      const specs = Array.from({ length: workflows }, () =>
        timeSpec([action], INTERVAL, { startTime: slot, gasLimit: 100_000 }),
      );
      const progress = throttled(3000, (n) => ctx.say(`registering workflows: ${n}/${workflows}`));
      await registerMany(stack.chain, specs, parseEther("0.05"), progress);
      await stack.intervalMining(1);
      await stack.indexer.catchUp();
      ctx.say(`${workflows} workflows registered and indexed; 1 s blocks`);

      for (const { batch, signers } of sweep) {
        const label = `batch ${batch}, ${signers} signer${signers > 1 ? "s" : ""}`;
        const executor = spawnExecutor(
          await stack.env({
            WORKER_PRIVATE_KEY: SIGNER_KEYS[0]!,
            ...(signers > 1 ? { WORKER_PRIVATE_KEYS: SIGNER_KEYS.slice(1, signers).join(",") } : {}),
            BATCH_SIZE: String(batch),
          }),
        );
        try {
          await executor.waitForLog(/"index ready; scheduling"/);
          const samples = { execPerS: [], txPerS: [], execPerBlock: [], gasRatio: [], rss: [] } as Record<
            string,
            number[]
          >;
          for (let run = 0; run <= ctx.runs; run++) {
            const rss = sampleRss(executor.process.pid!);
            const r = await saturationRound(stack, slot, workflows, timeoutMs);
            const rssPeak = rss.stop();
            slot += INTERVAL;
            const what = run === 0 ? "warm-up" : `run ${run}/${ctx.runs}`;
            ctx.say(
              `${label}, ${what}: ${r.runs} runs in ${r.seconds.toFixed(1)} s, ${r.transactions} txs, ${r.blocks} blocks`,
            );
            if (r.runs < workflows) {
              shortfalls.push(`${label}: ${r.runs}/${workflows} runs mined within ${timeoutMs / 1000} s`);
              break;
            }
            if (run === 0) continue;
            samples.execPerS!.push(r.runs / r.seconds);
            samples.txPerS!.push(r.transactions / r.seconds);
            samples.execPerBlock!.push(r.runs / r.blocks);
            samples.gasRatio!.push(Number(r.gasUsed) / Number(BigInt(r.blocks) * r.blockGasLimit));
            samples.rss!.push(rssPeak);
          }
          if (samples.execPerS!.length === 0) continue;
          rows.push({
            label,
            params: { batchSize: batch, signers, workflows },
            metrics: {
              "executions/s": metric("1/s", samples.execPerS!),
              "transactions/s": metric("1/s", samples.txPerS!),
              "executions/block": metric("runs", samples.execPerBlock!),
              "gas used / block limit": metric("ratio", samples.gasRatio!),
              "executor RSS peak": metric("MiB", samples.rss!),
            },
          });
        } finally {
          await executor.stop();
        }
      }
    } finally {
      await stack.stop();
    }
    return {
      method:
        `${workflows.toLocaleString("en")} funded TIME workflows (Counter.increment, gas limit 100k) share a due slot; ` +
        "anvil mines a block a second with its default 30M gas limit; one executor process (scheduler + worker) " +
        "with Ponder on Postgres. Each round is timed from the block before the due time until the last run is " +
        "mined and indexed. Executions per block and the gas ratio count every block from the due block to the " +
        "last run. RSS is the executor's peak during each round.",
      rows,
      ...(shortfalls.length > 0 ? { shortfall: shortfalls.join("; ") } : {}),
      notes: [],
    };
  },
};
