/**
 * End-to-end executions per second at saturation: N funded TIME workflows all due in the same block,
 * one executor process running, swept over batch size and signer count on a 30M-gas chain; then, on a
 * 60M-gas chain, the worker's concurrency (runs kept in flight) at its default and raised. Rounds are
 * timed from the block before the due time until the last run is mined and indexed
 * (harness/saturation.ts).
 */
import { parseEther } from "viem";
import { defaultConcurrency } from "../../executor/config.js";
import { timeSpec } from "../../lib/spec.js";
import { ANVIL_KEYS, DEV_KEYS } from "../../tools/accounts.js";
import { spawnExecutor } from "../../tools/harness/executor.js";
import { type Stack, startStack } from "../../tools/harness/stack.js";
import { throttled } from "../harness/progress.js";
import { metric, type Row } from "../harness/report.js";
import { sampleRss } from "../harness/rss.js";
import { saturationRound } from "../harness/saturation.js";
import type { Suite, SuiteContext } from "../harness/suite.js";
import { counterAction, INDEX_CATCH_UP_MS, registerMany } from "../harness/workload.js";

/** One slot an hour: a round runs one slot of every workflow, then the chain jumps to the next. */
const INTERVAL = 3600n;
const SIGNER_KEYS = [DEV_KEYS.worker, ANVIL_KEYS[5], ANVIL_KEYS[6], ANVIL_KEYS[7]];

interface Config {
  label: string;
  batch: number;
  signers: number;
  concurrency?: number;
}

export const executorSuite: Suite = {
  name: "executor",
  title: "Executor: executions per second at saturation",
  async run(ctx) {
    const workflows = ctx.quick ? 60 : 2_000;
    const sweep: Config[] = (
      ctx.quick
        ? [{ batch: 50, signers: 2 }]
        : [1, 10, 50, 100].flatMap((batch) => [1, 2, 4].map((signers) => ({ batch, signers })))
    ).map((c) => ({ ...c, label: `batch ${c.batch}, ${c.signers} signer${c.signers > 1 ? "s" : ""}` }));
    const rows: Row[] = [];
    const shortfalls: string[] = [];

    await onChain(ctx, 30_000_000n, workflows, sweep, rows, shortfalls);
    if (!ctx.quick) {
      // With more gas per block than the default's runs in flight use, those become the limit.
      const headroom = [defaultConcurrency(50), 2_000].map((concurrency) => ({
        label: `60M gas: batch 50, WORKER_CONCURRENCY ${concurrency}${concurrency === defaultConcurrency(50) ? " (default)" : ""}`,
        batch: 50,
        signers: 1,
        concurrency,
      }));
      await onChain(ctx, 60_000_000n, workflows, headroom, rows, shortfalls);
    }
    return {
      method:
        `${workflows.toLocaleString("en")} funded TIME workflows (Counter.increment, gas limit 100k) share a due slot; ` +
        "anvil mines a block a second with a 30M gas limit (anvil's default; the last rows 60M); one executor " +
        "process (scheduler + worker) with Ponder on Postgres. Each round is timed from the block before the due " +
        "time until the last run is mined and indexed. Executions per block and the gas ratio count every block " +
        "from the due block to the last run; the fullest block is the most runs one block carried, which is what a " +
        "block holds however the workflows divide into blocks. RSS is the executor's peak during each round.",
      rows,
      ...(shortfalls.length > 0 ? { shortfall: shortfalls.join("; ") } : {}),
      notes: [],
    };
  },
};

/** A fresh stack with this block gas limit and `workflows` registered; each config measured on it. */
async function onChain(
  ctx: SuiteContext,
  gasLimit: bigint,
  workflows: number,
  configs: Config[],
  rows: Row[],
  shortfalls: string[],
) {
  ctx.say(`starting anvil (${gasLimit / 1_000_000n}M gas blocks), Ponder (Postgres) and Redis queue`);
  const stack = await startStack("postgres", { gasLimit });
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
    await stack.indexer.catchUp(INDEX_CATCH_UP_MS);
    ctx.say(`${workflows} workflows registered and indexed; 1 s blocks`);
    for (const config of configs) {
      const measured = await measure(ctx, stack, config, slot, workflows);
      slot = measured.slot;
      if (measured.row) rows.push(measured.row);
      if (measured.shortfall) shortfalls.push(measured.shortfall);
    }
  } finally {
    await stack.stop();
  }
}

async function measure(ctx: SuiteContext, stack: Stack, config: Config, firstSlot: bigint, workflows: number) {
  const timeoutMs = ctx.quick ? 60_000 : 180_000;
  const { label, batch, signers, concurrency } = config;
  const executor = spawnExecutor(
    await stack.env({
      WORKER_PRIVATE_KEY: SIGNER_KEYS[0]!,
      ...(signers > 1 ? { WORKER_PRIVATE_KEYS: SIGNER_KEYS.slice(1, signers).join(",") } : {}),
      BATCH_SIZE: String(batch),
      ...(concurrency ? { WORKER_CONCURRENCY: String(concurrency) } : {}),
    }),
  );
  let slot = firstSlot;
  let shortfall: string | undefined;
  const samples: Record<"execPerS" | "txPerS" | "execPerBlock" | "fullest" | "gasRatio" | "rss", number[]> = {
    execPerS: [],
    txPerS: [],
    execPerBlock: [],
    fullest: [],
    gasRatio: [],
    rss: [],
  };
  try {
    await executor.waitForLog(/"index ready; scheduling"/);
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
        shortfall = `${label}: ${r.runs}/${workflows} runs mined within ${timeoutMs / 1000} s`;
        break;
      }
      if (run === 0) continue;
      samples.execPerS.push(r.runs / r.seconds);
      samples.txPerS.push(r.transactions / r.seconds);
      samples.execPerBlock.push(r.runs / r.blocks);
      samples.fullest.push(r.fullest);
      samples.gasRatio.push(Number(r.gasUsed) / Number(BigInt(r.blocks) * r.blockGasLimit));
      samples.rss.push(rssPeak);
    }
  } finally {
    await executor.stop();
  }
  const row: Row | undefined =
    samples.execPerS.length === 0
      ? undefined
      : {
          label,
          params: { batchSize: batch, signers, workflows, ...(concurrency ? { concurrency } : {}) },
          metrics: {
            "executions/s": metric("1/s", samples.execPerS),
            "transactions/s": metric("1/s", samples.txPerS),
            "executions/block": metric("runs", samples.execPerBlock),
            "fullest block": metric("runs", samples.fullest),
            "gas used / block limit": metric("ratio", samples.gasRatio),
            "executor RSS peak": metric("MiB", samples.rss),
          },
        };
  return { slot, row, shortfall };
}
