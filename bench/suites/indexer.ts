/**
 * Ponder's backfill speed: a chain holding at least 100,000 registry, executor and escrow events is
 * indexed from scratch into a fresh database, on PGlite (the default) and on Postgres. The clock runs
 * from the moment Ponder's server answers /health (its build is done) until /ready (backfill done),
 * and separately from process start. Ponder's RPC cache is off for anvil, so every run reads the chain.
 */
import { parseEther, parseEventLogs } from "viem";
import { actionExecutorAbi } from "../../abis/index.js";
import { startPonder } from "../../lib/ponder-process.js";
import { timeSpec } from "../../lib/spec.js";
import { type Chain, startChain } from "../../test/helpers/chain.js";
import { createTestDatabase } from "../../test/helpers/databases.js";
import type { DatabaseKind } from "../../test/helpers/indexer.js";
import { freePort } from "../../test/helpers/ports.js";
import { pollUntil, throttled } from "../harness/progress.js";
import { metric, type Row } from "../harness/report.js";
import type { Suite, SuiteContext } from "../harness/suite.js";
import { counterAction, registerMany } from "../harness/workload.js";

const BATCH = 100;

export const indexerSuite: Suite = {
  name: "indexer",
  title: "Indexer: backfill events per second",
  async run(ctx) {
    const target = ctx.quick ? 4_000 : 100_000;
    const workflows = ctx.quick ? 100 : 1_000;
    ctx.say("starting anvil");
    const chain = await startChain();
    const rows: Row[] = [];
    try {
      const events = await generate(ctx, chain, target, workflows);
      ctx.say(
        `${events.toLocaleString("en")} events on chain in ${await chain.publicClient.getBlockNumber({ cacheTime: 0 })} blocks`,
      );
      // Quick mode (a smoke test) indexes into the default PGlite only, without the warm-up run.
      const kinds: DatabaseKind[] = ctx.quick ? ["pglite"] : ["pglite", "postgres"];
      if (!ctx.quick) await backfill(chain, "pglite", ctx); // warm-up: OS caches, Ponder's first build
      for (const kind of kinds) {
        const fromServer: number[] = [];
        const fromStart: number[] = [];
        for (let run = 1; run <= ctx.runs; run++) {
          const t = await backfill(chain, kind, ctx);
          fromServer.push(events / t.backfillSeconds);
          fromStart.push(events / t.totalSeconds);
          ctx.say(
            `  ${kind} run ${run}/${ctx.runs}: backfill ${t.backfillSeconds.toFixed(1)} s, ` +
              `${t.totalSeconds.toFixed(1)} s from process start`,
          );
        }
        rows.push({
          label: kind === "pglite" ? "PGlite (default)" : "Postgres 15",
          params: { events, workflows },
          metrics: {
            "events/s, backfill": metric("1/s", fromServer),
            "events/s, from process start": metric("1/s", fromStart),
          },
        });
      }
      return {
        method:
          `${events.toLocaleString("en")} events from ${workflows.toLocaleString("en")} registrations and ` +
          `executeBatch transactions of ${BATCH} runs each (WorkflowRegistered, Deposited, WorkflowExecuted, ` +
          "Charged) on an automining anvil, indexed from scratch by `ponder start` into a fresh database each run. " +
          "Backfill is timed from Ponder's server answering /health to /ready; the second column includes " +
          "Ponder's start-up and build.",
        rows,
        notes: [],
      };
    } finally {
      await chain.stop();
    }
  },
};

/** Registers `workflows` 1 s workflows, then runs them in batches, a round per second, until `target` events. */
async function generate(ctx: SuiteContext, chain: Chain, target: number, workflows: number): Promise<number> {
  const action = await counterAction(chain);
  const start = (await chain.now()) + 10n;
  const specs = Array.from({ length: workflows }, () => timeSpec([action], 1n, { startTime: start, gasLimit: 60_000 }));
  const ids = await registerMany(chain, specs, parseEther("1"));
  let events = ids.length * 2; // WorkflowRegistered + Deposited
  const worker = chain.wallets.worker;
  const client = chain.publicClient;
  let nonce = await client.getTransactionCount({ address: worker.account.address, blockTag: "pending" });
  let time = (await chain.now()) > start ? await chain.now() : start;
  const progress = throttled(3000, (n) =>
    ctx.say(`generating events: ${n.toLocaleString("en")}/${target.toLocaleString("en")}`),
  );
  while (events < target) {
    time += 1n;
    await chain.setNextTimestamp(time);
    const batches = [];
    for (let i = 0; i < ids.length; i += BATCH) batches.push(ids.slice(i, i + BATCH));
    const hashes = await Promise.all(
      batches.map((batch) =>
        worker.writeContract({
          address: chain.deployment.actionExecutor,
          abi: actionExecutorAbi,
          functionName: "executeBatch",
          args: [batch, batch.map(() => "0x" as const)],
          nonce: nonce++,
          gas: 9_000_000n, // ~7M used; the block must hold several, or automine leaves some pending
        }),
      ),
    );
    // Automine mines one block per arriving transaction; mine what is still pending.
    while ((await chain.testClient.getTxpoolStatus()).pending > 0) await chain.testClient.mine({ blocks: 1 });
    for (const hash of hashes) {
      const receipt = await chain.mined(hash);
      const executed = parseEventLogs({ abi: actionExecutorAbi, logs: receipt.logs, eventName: "WorkflowExecuted" });
      if (receipt.status !== "success" || executed.length === 0) throw new Error(`batch ran nothing: ${hash}`);
      events += executed.length * 2; // WorkflowExecuted + Charged
    }
    time = await chain.now();
    progress(events);
  }
  return events;
}

async function backfill(chain: Chain, kind: DatabaseKind, ctx: SuiteContext) {
  const db = await createTestDatabase(kind);
  const t0 = performance.now();
  const ponder = startPonder({
    rpcUrl: chain.anvil.rpcUrl,
    deployment: chain.deployment,
    database: db.database,
    port: await freePort(),
    schema: `bench_${Date.now().toString(36)}`,
  });
  try {
    const healthy = await pollUntil(
      async () => ((await fetch(`${ponder.url}/health`).catch(() => undefined))?.ok ? performance.now() : undefined),
      Date.now() + 120_000,
      20,
    );
    if (healthy === undefined) throw new Error(`ponder did not start:\n${ponder.output().slice(-2000)}`);
    await ponder.waitUntilReady(30 * 60_000);
    const ready = performance.now();
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    await ponder.waitForBlock(head, 60_000);
    return { backfillSeconds: (ready - healthy) / 1000, totalSeconds: (ready - t0) / 1000 };
  } catch (error) {
    ctx.say(`ponder output:\n${ponder.output().slice(-2000)}`);
    throw error;
  } finally {
    await ponder.stop();
    await db.drop();
  }
}
