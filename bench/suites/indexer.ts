/**
 * Ponder's backfill speed: a chain holding at least 100,000 registry, executor and escrow events is
 * indexed from scratch into a fresh database, on PGlite (the default) and on Postgres, by our indexer and
 * by a bare Ponder app (bench/bare-ponder: the same contracts and chain settings, handlers that insert one
 * row per event and read nothing), which is the ceiling on this machine. The clock runs from the moment
 * Ponder's server answers /health (its build is done) until /ready (backfill done), and separately from
 * process start. Ponder's RPC cache is off for anvil, so every run reads the chain. Runs of the four
 * configurations alternate, so a slow spell of the machine lands on all of them alike.
 */
import { fileURLToPath } from "node:url";
import { parseEther, parseEventLogs, parseGwei } from "viem";
import { actionExecutorAbi } from "../../abis/index.js";
import { timeSpec } from "../../lib/spec.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { createTestDatabase } from "../../tools/harness/databases.js";
import type { DatabaseKind } from "../../tools/harness/indexer.js";
import { freePort } from "../../tools/harness/ports.js";
import { startPonder } from "../../tools/ponder-process.js";
import { pollUntil, throttled } from "../harness/progress.js";
import { metric, type Row } from "../harness/report.js";
import type { Suite, SuiteContext } from "../harness/suite.js";
import { counterAction, registerMany } from "../harness/workload.js";

const BATCH = 100;

const BARE_ROOT = fileURLToPath(new URL("../bare-ponder", import.meta.url));

interface Config {
  label: string;
  kind: DatabaseKind;
  /** The bare app's directory; ours when unset. */
  root?: string;
}

export const indexerSuite: Suite = {
  name: "indexer",
  title: "Indexer: backfill events per second",
  async run(ctx) {
    const target = ctx.quick ? 4_000 : 100_000;
    const workflows = ctx.quick ? 100 : 1_000;
    ctx.say("starting anvil");
    const chain = await startChain();
    try {
      const events = await generate(ctx, chain, target, workflows);
      ctx.say(
        `${events.toLocaleString("en")} events on chain in ${await chain.publicClient.getBlockNumber({ cacheTime: 0 })} blocks`,
      );
      // Quick mode (a smoke test) indexes into the default PGlite only, without the warm-up run.
      const configs: Config[] = ctx.quick
        ? [
            { label: "PGlite (default)", kind: "pglite" },
            { label: "bare Ponder, PGlite", kind: "pglite", root: BARE_ROOT },
          ]
        : [
            { label: "PGlite (default)", kind: "pglite" },
            { label: "bare Ponder, PGlite", kind: "pglite", root: BARE_ROOT },
            { label: "Postgres 15", kind: "postgres" },
            { label: "bare Ponder, Postgres 15", kind: "postgres", root: BARE_ROOT },
          ];
      if (!ctx.quick) {
        // Warm-up of both apps: OS caches, Ponder's first build.
        await backfill(chain, { label: "warm-up", kind: "pglite" }, ctx);
        await backfill(chain, { label: "warm-up", kind: "pglite", root: BARE_ROOT }, ctx);
      }
      const samples = configs.map(() => ({
        fromServer: [] as number[],
        fromStart: [] as number[],
        indexing: [] as number[],
      }));
      for (let run = 1; run <= ctx.runs; run++) {
        for (const [i, config] of configs.entries()) {
          const t = await backfill(chain, config, ctx);
          samples[i]!.fromServer.push(events / t.backfillSeconds);
          samples[i]!.fromStart.push(events / t.totalSeconds);
          samples[i]!.indexing.push(t.indexingSeconds);
          ctx.say(
            `  ${config.label} run ${run}/${ctx.runs}: backfill ${t.backfillSeconds.toFixed(1)} s ` +
              `(${t.indexingSeconds.toFixed(1)} s of it indexing), ${t.totalSeconds.toFixed(1)} s from process start`,
          );
        }
      }
      const rows: Row[] = configs.map((config, i) => ({
        label: config.label,
        params: { events, workflows },
        metrics: {
          "events/s, backfill": metric("1/s", samples[i]!.fromServer),
          "events/s, from process start": metric("1/s", samples[i]!.fromStart),
          "indexing s": metric("s", samples[i]!.indexing),
        },
      }));
      const median = (label: string) => rows.find((r) => r.label === label)?.metrics["events/s, backfill"]?.median;
      const notes = [
        ["PGlite (default)", "bare Ponder, PGlite"],
        ["Postgres 15", "bare Ponder, Postgres 15"],
      ].flatMap(([ours, bare]) => {
        const [a, b] = [median(ours!), median(bare!)];
        return a && b ? [`${ours}: ${(a / b).toFixed(2)} of bare Ponder's backfill rate (medians).`] : [];
      });
      return {
        method:
          `${events.toLocaleString("en")} events from ${workflows.toLocaleString("en")} registrations and ` +
          `executeBatch transactions of ${BATCH} runs each (WorkflowRegistered, Deposited, WorkflowExecuted) ` +
          "on an automining anvil, indexed from scratch by `ponder start` into a fresh database each run, " +
          "by our indexer and by a bare Ponder app (`bench/bare-ponder`: the same contracts and chain settings, " +
          "one row inserted per event and nothing read), the ceiling on this machine. Backfill is timed from " +
          "Ponder's server answering /health to /ready; the second column includes Ponder's start-up and build; " +
          "`indexing s` is the part of the backfill Ponder spent running handlers and writing their rows " +
          "(its transform phase, from /metrics), the rest being spent waiting for the chain's data.",
        rows,
        notes,
      };
    } finally {
      await chain.stop();
    }
  },
};

/** Registers `workflows` 1 s workflows, then runs them in batches, a round per second, until `target` events. */
export async function generate(ctx: SuiteContext, chain: Chain, target: number, workflows: number): Promise<number> {
  const action = await counterAction(chain);
  const start = (await chain.now()) + 10n;
  const specs = Array.from({ length: workflows }, () => timeSpec([action], 1n, { startTime: start, gasLimit: 60_000 }));
  const ids = await registerMany(chain, specs, parseEther("1"));
  let events = ids.length * 2; // WorkflowRegistered + Deposited
  const worker = chain.wallets.worker;
  const client = chain.publicClient;
  let nonce = await client.getTransactionCount({ address: worker.account.address, blockTag: "pending" });
  const maxFeePerGas = parseGwei("100");
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
          // Several of these can land in one block, which raises the base fee; anvil drops a transaction
          // whose fee cap falls below it, and every later nonce then waits behind the gap for good (seen
          // in CI: nonces 28-50 gone, 36 queued). The cap is what the sender may pay, not what it pays.
          maxFeePerGas,
        }),
      ),
    );
    // Automine mines one block per arriving transaction; mine what is still pending.
    while ((await chain.testClient.getTxpoolStatus()).pending > 0) await chain.testClient.mine({ blocks: 1 });
    for (const hash of hashes) {
      const receipt = await chain.mined(hash);
      const executed = parseEventLogs({ abi: actionExecutorAbi, logs: receipt.logs, eventName: "WorkflowExecuted" });
      if (receipt.status !== "success" || executed.length === 0) throw new Error(`batch ran nothing: ${hash}`);
      events += executed.length; // a run is one event (the escrow emits none for its charge)
    }
    time = await chain.now();
    progress(events);
  }
  return events;
}

async function backfill(chain: Chain, config: Config, ctx: SuiteContext) {
  const db = await createTestDatabase(config.kind);
  const t0 = performance.now();
  const ponder = startPonder({
    rpcUrl: chain.anvil.rpcUrl,
    deployment: chain.deployment,
    database: db.database,
    port: await freePort(),
    schema: `bench_${Date.now().toString(36)}`,
    root: config.root,
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
    const indexingSeconds = await transformSeconds(ponder.url);
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    await ponder.waitForBlock(head, 60_000);
    return {
      backfillSeconds: (ready - healthy) / 1000,
      totalSeconds: (ready - t0) / 1000,
      indexingSeconds,
    };
  } catch (error) {
    ctx.say(`${config.label}: ponder output:\n${ponder.output().slice(-2000)}`);
    throw error;
  } finally {
    await ponder.stop();
    await db.drop();
  }
}

/**
 * Time Ponder's backfill spent indexing (running handlers, writing their rows), as opposed to waiting for
 * the chain's data: its `transform` concurrency group, read at /ready before live blocks add to it.
 */
async function transformSeconds(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = /^ponder_historical_concurrency_group_duration\{group="transform"\} (\S+)$/m.exec(text);
  if (!line?.[1]) throw new Error("ponder's /metrics has no transform duration");
  return Number(line[1]) / 1000;
}
