/**
 * The scheduler against a large index: the due-workflows query, one full scheduling pass, and the
 * scheduler process's memory, with 10k, 100k and 1M workflows in the index. The rows are bulk-loaded
 * into the workflow table of a real, running Ponder on Postgres, cloned from a row the indexer wrote
 * for a real registration (same shape, same indexes); 1% of them are due, the rest spread over the
 * next day. Registering a million workflows on anvil would take hours, so the large sizes cannot go
 * through the indexer.
 */

import postgres from "postgres";
import { parseEther } from "viem";
import { ChainClock } from "../../executor/chain-clock.js";
import { createLogger } from "../../executor/log.js";
import { createMetrics } from "../../executor/metrics.js";
import { createQueue } from "../../executor/queue.js";
import { createConditionChecker } from "../../executor/scheduler/conditions.js";
import { IndexReader } from "../../executor/scheduler/index-reader.js";
import { Scheduler } from "../../executor/scheduler/scheduler.js";
import { timeSpec } from "../../lib/spec.js";
import { spawnExecutor } from "../../tools/harness/executor.js";
import { type Stack, startStack } from "../../tools/harness/stack.js";
import { sleep } from "../../tools/harness/wait.js";
import { pollUntil } from "../harness/progress.js";
import { metric, type Row } from "../harness/report.js";
import { sampleRss } from "../harness/rss.js";
import type { Suite, SuiteContext } from "../harness/suite.js";
import { counterAction, INDEX_CATCH_UP_MS, registerMany } from "../harness/workload.js";

/** Bulk-loaded ids start here, far above anything the chain registered. */
const BULK_ID_BASE = 1_000_000_000n;

export const schedulerSuite: Suite = {
  name: "scheduler",
  title: "Scheduler: due query and scheduling pass against a large index",
  async run(ctx) {
    const sizes = ctx.quick ? [10_000] : [10_000, 100_000, 1_000_000];
    ctx.say("starting anvil, Ponder (Postgres) and Redis queue");
    const stack = await startStack("postgres");
    const database = stack.indexer.database;
    if (database.kind !== "postgres") throw new Error("the scheduler suite bulk-loads Postgres");
    const sql = postgres(database.url, { max: 2, onnotice: () => {} });
    const rows: Row[] = [];
    try {
      const action = await counterAction(stack.chain);
      const start = (await stack.chain.now()) + 3600n;
      await registerMany(stack.chain, [timeSpec([action], 60n, { startTime: start })], parseEther("1"));
      await stack.indexer.catchUp(INDEX_CATCH_UP_MS);
      for (const size of sizes) {
        ctx.say(`bulk-loading ${size.toLocaleString("en")} workflow rows`);
        const now = await stack.chain.now();
        const t0 = performance.now();
        await bulkLoad(sql, stack.indexer.schema, size, now);
        ctx.say(`  loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        rows.push(await measure(ctx, stack, size));
      }
    } finally {
      await sql.end();
      await stack.stop();
    }
    return {
      method:
        "Rows bulk-loaded into the workflow table of a running Ponder (Postgres) by cloning a row the indexer " +
        "wrote, 1% due now and the rest spread over the next day; then ANALYZE. Query: the scheduler's own " +
        "IndexReader asking GET /api/due (Ponder's API on the same database, in pages of 1,000 rows, up to 10,000). Pass: " +
        "the Scheduler class run in this process, from the index read to the last job in Redis (a fresh queue " +
        "each run). Memory: peak RSS of `executor --role scheduler` started against the index until it has " +
        "enqueued the due set.",
      rows,
      notes: [],
    };
  },
};

/** Replaces the bulk rows with `size` clones of the real row: 1% due at `now`, the rest within a day. */
async function bulkLoad(sql: postgres.Sql, schema: string, size: number, now: bigint) {
  const table = `"${schema}"."workflow"`;
  const columns = (
    await sql<{ column_name: string }[]>`
      SELECT column_name FROM information_schema.columns
      WHERE table_schema = ${schema} AND table_name = 'workflow' ORDER BY ordinal_position`
  ).map((c) => c.column_name);
  const expression = (c: string) =>
    c === "id"
      ? `${BULK_ID_BASE}::numeric + g`
      : c === "next_execution_at"
        ? `CASE WHEN g % 100 = 0 THEN ${now}::numeric ELSE ${now + 3600n}::numeric + (g % 86400) END`
        : `"${c}"`;
  await sql.begin(async (tx) => {
    // Ponder's live triggers record every write for reorgs; these rows never came from the chain.
    await tx.unsafe("SET LOCAL session_replication_role = replica");
    await tx.unsafe(`DELETE FROM ${table} WHERE id >= ${BULK_ID_BASE}`);
    await tx.unsafe(
      `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(", ")})
       SELECT ${columns.map(expression).join(", ")}
       FROM generate_series(1, ${size}) AS g, (SELECT * FROM ${table} WHERE id < ${BULK_ID_BASE} LIMIT 1) AS tmpl`,
    );
  });
  await sql.unsafe(`ANALYZE ${table}`);
}

async function measure(ctx: SuiteContext, stack: Stack, size: number): Promise<Row> {
  const { chain, indexer } = stack;
  const due = Math.floor(size / 100);
  const reader = new IndexReader(indexer.url, chain.deployment.chainId, "api");
  const clock = new ChainClock(chain.publicClient, 200, 1000);
  await clock.start();
  const log = createLogger("silent");
  const conditions = createConditionChecker(
    chain.publicClient,
    { checkGasLimit: 6_500_000n, maxPerformDataBytes: 5_000, registry: chain.deployment.registry },
    log,
  );
  const samples = { query: [] as number[], pass: [] as number[], rss: [] as number[] };
  let returned = 0;
  let offered = 0;
  try {
    for (let run = 0; run <= ctx.runs; run++) {
      const horizon = clock.nextBlockTimestamp() + 30n;
      let t = performance.now();
      const rowsDue = await reader.due(horizon);
      const queryMs = performance.now() - t;
      returned = rowsDue.length;

      const queue = queueBesideStack(stack, `-pass${run}`);
      const scheduler = new Scheduler({
        chainId: chain.deployment.chainId,
        index: reader,
        queue,
        redis: stack.redis,
        clock,
        conditions,
        log,
        metrics: createMetrics(chain.deployment.chainId),
        lookaheadSeconds: 30,
        pollMs: 200,
      });
      const indexed = BigInt((await indexer.indexedBlock()) ?? 0);
      t = performance.now();
      offered = await scheduler.pass(indexed, true);
      const passMs = performance.now() - t;
      await queue.obliterate({ force: true });
      await queue.close();
      if (run === 0) continue;
      samples.query.push(queryMs);
      samples.pass.push(passMs);
      ctx.say(
        `  ${size}: run ${run}/${ctx.runs}: query ${queryMs.toFixed(0)} ms (${returned} rows), pass ${passMs.toFixed(0)} ms (${offered} jobs)`,
      );
    }
    for (let run = 0; run < ctx.runs; run++) samples.rss.push(await schedulerMemory(stack, offered, run));
  } finally {
    clock.stop();
  }
  return {
    label: `${size.toLocaleString("en")} workflows (${due.toLocaleString("en")} due)`,
    params: { workflows: size, due, returned, offered },
    metrics: {
      "due query": metric("ms", samples.query),
      "scheduling pass": metric("ms", samples.pass),
      "scheduler RSS peak": metric("MiB", samples.rss),
    },
  };
}

/** Starts a scheduler process, waits until it has enqueued `expected` jobs, and returns its peak RSS. */
async function schedulerMemory(stack: Stack, expected: number, run: number): Promise<number> {
  const scheduler = spawnExecutor(
    await stack.env({ QUEUE_PREFIX: `${stack.queuePrefix}-rss${run}`, LOG_LEVEL: "warn" }),
    ["--role", "scheduler"],
  );
  const rss = sampleRss(scheduler.process.pid!, 50);
  const queue = queueBesideStack(stack, `-rss${run}`);
  try {
    const enqueued = await pollUntil(async () => {
      const counts = await queue.getJobCounts("delayed", "wait", "prioritized");
      const n = Object.values(counts).reduce((a, b) => a + b, 0);
      return n >= expected ? n : undefined;
    }, Date.now() + 60_000);
    if (enqueued === undefined) throw new Error(`the scheduler did not enqueue ${expected} jobs within 60 s`);
    await sleep(1000); // a second of steady state after the pass
    return rss.stop();
  } finally {
    await scheduler.stop();
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
}

/** A runs queue on the stack's Redis under a prefix of its own (the stack's prefix plus `suffix`). */
function queueBesideStack(stack: Stack, suffix: string) {
  return createQueue({
    redisUrl: "redis://127.0.0.1:6379", // the Redis startStack connects to
    queuePrefix: `${stack.queuePrefix}${suffix}`,
    maxAttempts: 3,
    chainId: stack.chain.deployment.chainId,
  });
}
