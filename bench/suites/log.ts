/**
 * LOG workflows under load, on 1 s anvil blocks with one executor started with CONFIRMATIONS=0:
 * - a steady stream of single logs (two senders, a few pings a block), each matched by a LOG workflow
 *   that increments a Counter; a run's latency is its block less its log's block (1 = the floor: the
 *   run lands in the block after its log). A warm-up, then ctx.runs windows, each giving one sample.
 * - a burst of N logs in one block (Emitter.pingMany) matched by one workflow: the blocks until the last
 *   run, runs per block while running, and the first run's delay; set beside the TIME figure at the same
 *   batch size (cited from the executor suite's result, or measured here when it has none).
 * - gas per LOG run: each batch's receipt gas over its items, and what ActionExecutor charged.
 * What ran is read from the chain (LogRun and WorkflowExecuted events), never from the executor.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Address, encodeAbiParameters, type Hash, type Hex, pad, parseEther, toEventSelector } from "viem";
import { actionExecutorAbi, counterAbi, emitterAbi, emitterBytecode } from "../../abis/index.js";
import { loadConfig } from "../../executor/config.js";
import { logSpec, timeSpec } from "../../lib/spec.js";
import { ANVIL_KEYS } from "../../tools/accounts.js";
import { type Wallet, walletFor } from "../../tools/clients.js";
import type { Chain } from "../../tools/harness/chain.js";
import { type ExecutorProcess, spawnExecutor } from "../../tools/harness/executor.js";
import { type Stack, startStack } from "../../tools/harness/stack.js";
import { sleep } from "../../tools/harness/wait.js";
import { pollUntil, throttled } from "../harness/progress.js";
import { metric, RESULTS_DIR, type Row, type SuiteResult } from "../harness/report.js";
import { saturationRound } from "../harness/saturation.js";
import { percentile } from "../harness/stats.js";
import type { Suite, SuiteContext } from "../harness/suite.js";
import { counterAction, INDEX_CATCH_UP_MS, registerMany } from "../harness/workload.js";

const PING = toEventSelector("Ping(address,uint256,uint256,bytes)");
const STREAM_TAG = 1n;
const BURST_TAG = 99n;
/** The stream's senders: keys no other role of the stack uses. */
const SENDER_KEYS = [ANVIL_KEYS[8], ANVIL_KEYS[9]];
/** The workflows' gas limit, as in the executor suite (it decides how many batches a block takes). */
const GAS_LIMIT = 100_000;
/** Blocks per event query: a block of 400 runs is about 1 MB of logs. */
const PAGE_BLOCKS = 5n;
/** After the last expected run, how long to keep watching for a doubled one. */
const SETTLE_MS = 3000;

const word = (n: bigint): Hex => encodeAbiParameters([{ type: "uint256" }], [n]);
const topicOf = (a: Address): Hex => pad(a, { size: 32 });

interface PingLog {
  from: Address;
  blockNumber: bigint;
  key: string;
}

/** One LogRun item read from the chain, with its WorkflowExecuted when it ran. */
interface LogItem {
  workflowId: bigint;
  /** 0 when the contract skipped the item (WorkflowSkipped). */
  runNumber: bigint;
  logBlock: bigint;
  /** `${blockHash}:${logIndex}` of the log the item was about. */
  logKey: string;
  runBlock: bigint;
  txHash: Hash;
  charged?: bigint;
  success?: boolean;
}

type Samples = Record<string, number[]>;
const add = (samples: Samples, name: string, v: number) => {
  samples[name] ??= [];
  samples[name]!.push(v);
};

export const logSuite: Suite = {
  name: "log",
  title: "Log: log → run latency and burst throughput",
  async run(ctx) {
    const size = ctx.quick
      ? { pingsPerBlock: 4, warmup: 5, window: 10, burst: 200, burstTimeoutMs: 60_000 }
      : { pingsPerBlock: 4, warmup: 20, window: 120, burst: 1_000, burstTimeoutMs: 120_000 };

    ctx.say("starting anvil, Ponder (PGlite, the default) and Redis queue");
    const stack = await startStack("pglite");
    let executor: ExecutorProcess | undefined;
    try {
      const { chain } = stack;
      const emitter = await chain.deploy(emitterAbi, emitterBytecode);
      const streamCounter = await counterAction(chain);
      const burstCounter = await counterAction(chain);
      const senders = SENDER_KEYS.map((key) => walletFor(chain.publicClient, key));
      const burster = chain.wallets.stranger;
      // One stream workflow per sender (topic1 = its address); the burst's on the stranger's tag-99 pings.
      const streamIds = new Map<bigint, Address>();
      for (const sender of senders) {
        const spec = logSpec({ emitter, topic0: PING, topic1: topicOf(sender.account.address) }, [streamCounter], {
          gasLimit: GAS_LIMIT,
        });
        streamIds.set((await chain.register(spec, parseEther("20"))).id, sender.account.address);
      }
      const burstSpec = logSpec(
        { emitter, topic0: PING, topic1: topicOf(burster.account.address), topic3: word(BURST_TAG) },
        [burstCounter],
        { gasLimit: GAS_LIMIT },
      );
      const burstId = (await chain.register(burstSpec, parseEther("200"))).id;
      await stack.intervalMining(1);
      await stack.indexer.catchUp(INDEX_CATCH_UP_MS);
      // The executor as shipped but for CONFIRMATIONS: the test stack's faster polling and backoff go.
      const env = await stack.env({ CONFIRMATIONS: "0" });
      delete env.POLL_MS;
      delete env.BACKOFF_MS;
      // What the executor will run with, from its own config parser (BATCH_SIZE is the TIME comparison's).
      const config = loadConfig("all", env);
      const batch = config.batchSize;
      executor = spawnExecutor(env);
      await executor.waitForLog(/"index ready; scheduling"/);

      const rows: Row[] = [];
      const notes: string[] = [];
      const shortfalls: string[] = [];

      const streamed = await streamPhase(ctx, stack, emitter, senders, streamIds, streamCounter.target, size);
      rows.push(streamed.row);
      notes.push(...streamed.notes);
      if (streamed.shortfall) shortfalls.push(streamed.shortfall);

      const burst = await burstPhase(ctx, stack, emitter, burster, burstId, burstCounter.target, size, batch);
      if (burst.row) rows.push(burst.row);
      notes.push(...burst.notes);
      if (burst.shortfall) shortfalls.push(burst.shortfall);

      const time =
        citedTimeFigure(batch) ?? (await measureTimeFigure(ctx, stack, size.burst, size.burstTimeoutMs, batch));
      rows.push(time.row);
      notes.push(time.note);
      await executor.stop();

      const senderRate = size.pingsPerBlock / senders.length;
      const gasLimit = (await chain.publicClient.getBlock()).gasLimit / 1_000_000n;
      return {
        method:
          `anvil mines a block a second (${gasLimit}M gas); one executor process (scheduler + worker) started with ` +
          `CONFIRMATIONS=${config.confirmations}, else its defaults (BATCH_SIZE ${batch}, WORKER_CONCURRENCY ` +
          `${config.concurrency}, POLL_MS ${config.pollMs}); Ponder on ` +
          "PGlite, polling the chain every 200 ms. " +
          `Stream: ${senders.length} senders each send Emitter.ping every ${1000 / senderRate} ms ` +
          `(about ${size.pingsPerBlock} logs a block), each sender's pings matched by a LOG workflow ` +
          `(Counter.increment, gas limit ${GAS_LIMIT / 1000}k); a ${size.warmup}-block warm-up, then ` +
          `${ctx.runs} windows of ${size.window} blocks by the log's block, each window one sample of each ` +
          "percentile. Latency is the run's block less its log's block, read from the chain's LogRun events " +
          "(1 = the floor: the block after the log). Burst: Emitter.pingMany(" +
          `${size.burst}) in one block (sent with 30M gas), one matching workflow; a warm-up burst, then ${ctx.runs}. ` +
          "Runs per block divide the burst by the blocks from its first run to its last, both included. " +
          "Gas per run: each batch transaction's receipt gas over the items in it, and the gas ActionExecutor " +
          "charged the workflow (WorkflowExecuted.gasUsed).",
        rows,
        ...(shortfalls.length > 0 ? { shortfall: shortfalls.join("; ") } : {}),
        notes,
      };
    } finally {
      await executor?.kill();
      await stack.stop();
    }
  },
};

/** The steady stream: pings from every sender until the windows are covered, then each window's figures. */
async function streamPhase(
  ctx: SuiteContext,
  stack: Stack,
  emitter: Address,
  senders: Wallet[],
  workflows: Map<bigint, Address>,
  counter: Address,
  size: { pingsPerBlock: number; warmup: number; window: number },
) {
  const { chain } = stack;
  const client = chain.publicClient;
  const periodMs = (1000 * senders.length) / size.pingsPerBlock;
  const countBefore = await counterCount(chain, counter);
  const firstBlock = (await client.getBlockNumber({ cacheTime: 0 })) + 1n;
  const measuredFrom = firstBlock + BigInt(size.warmup);
  const windows = Array.from({ length: ctx.runs }, (_, w) => measuredFrom + BigInt(w * size.window));
  const endBlock = measuredFrom + BigInt(ctx.runs * size.window);
  ctx.say(
    `stream: ${senders.length} senders, a ping every ${periodMs} ms each; warm-up ${size.warmup} blocks, ` +
      `then ${ctx.runs} windows of ${size.window} blocks`,
  );

  const fees = await client.estimateFeesPerGas();
  let stop = false;
  const sending = senders.map(async (wallet, i) => {
    let nonce = await client.getTransactionCount({ address: wallet.account.address, blockTag: "pending" });
    await sleep((i * periodMs) / senders.length); // the senders take turns within a period
    let sent = 0;
    while (!stop) {
      const t = Date.now();
      await wallet.writeContract({
        address: emitter,
        abi: emitterAbi,
        functionName: "ping",
        args: [STREAM_TAG, "0x"],
        nonce: nonce++,
        gas: 100_000n,
        maxFeePerGas: fees.maxFeePerGas * 4n,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      });
      sent++;
      await sleep(Math.max(0, periodMs - (Date.now() - t)));
    }
    return sent;
  });
  const progress = throttled(30_000, (n) => ctx.say(`  stream: block ${n}/${Number(endBlock - firstBlock)}`));
  for (let head = await client.getBlockNumber({ cacheTime: 0 }); head < endBlock; ) {
    progress(Math.max(0, Number(head - firstBlock)));
    await sleep(500);
    head = await client.getBlockNumber({ cacheTime: 0 });
  }
  stop = true;
  const sent = (await Promise.all(sending)).reduce((a, b) => a + b, 0);
  // Every ping sent is mined by the next block or two; then wait for every matching log's run.
  await sleep(2500);
  const lastPingBlock = await client.getBlockNumber({ cacheTime: 0 });
  const senderSet = new Set([...workflows.values()].map((a) => a.toLowerCase()));
  const pings = (await pingLogs(chain, emitter, firstBlock, lastPingBlock)).filter((p) =>
    senderSet.has(p.from.toLowerCase()),
  );
  const drained = await pollUntil(
    async () => ((await counterCount(chain, counter)) - countBefore >= BigInt(pings.length) ? true : undefined),
    Date.now() + 60_000,
    500,
  );
  await sleep(SETTLE_MS);
  const head = await client.getBlockNumber({ cacheTime: 0 });
  const counted = Number((await counterCount(chain, counter)) - countBefore);
  const items = (await logItems(chain, firstBlock, head)).filter((i) => workflows.has(i.workflowId));
  const byWorkflow = new Map([...workflows].map(([id, from]) => [from.toLowerCase(), id]));

  // Each ping's runs by its own workflow: exactly one is right; none is missing, two are doubled.
  const runsOf = new Map<string, LogItem[]>();
  for (const item of items) {
    if (item.runNumber === 0n) continue;
    const key = `${item.workflowId}:${item.logKey}`;
    runsOf.set(key, [...(runsOf.get(key) ?? []), item]);
  }
  const samples: Samples = {};
  const notes: string[] = [];
  const problems: string[] = [];
  let missingAll = 0;
  let doubledAll = 0;
  for (const [w, from] of windows.entries()) {
    const to = from + BigInt(size.window);
    const inWindow = pings.filter((p) => p.blockNumber >= from && p.blockNumber < to);
    const lags: number[] = [];
    const windowItems: LogItem[] = [];
    let missing = 0;
    let doubled = 0;
    for (const p of inWindow) {
      const runs = runsOf.get(`${byWorkflow.get(p.from.toLowerCase())}:${p.key}`) ?? [];
      if (runs.length === 0) missing++;
      if (runs.length > 1) doubled += runs.length - 1;
      const first = runs[0];
      if (first) {
        if (first.logBlock !== p.blockNumber) throw new Error(`LogRun names block ${first.logBlock} for ${p.key}`);
        lags.push(Number(first.runBlock - p.blockNumber));
        windowItems.push(first);
      }
    }
    missingAll += missing;
    doubledAll += doubled;
    if (lags.length === 0) {
      problems.push(`window ${w + 1}: none of ${inWindow.length} logs ran`);
      continue;
    }
    add(samples, "p50 blocks", percentile(lags, 50));
    add(samples, "p95 blocks", percentile(lags, 95));
    add(samples, "max blocks", Math.max(...lags));
    add(samples, "logs", lags.length);
    const gas = await gasPerRun(chain, items, windowItems);
    add(samples, "tx gas/run", gas.txGasPerItem);
    add(samples, "charged gas/run", gas.chargedPerRun);
    add(samples, "runs/tx", gas.itemsPerTx);
    const histogram = countBy(lags);
    ctx.say(
      `  window ${w + 1}: ${lags.length}/${inWindow.length} logs ran${doubled > 0 ? `, ${doubled} doubled` : ""}; ` +
        `blocks p50 ${percentile(lags, 50)} p95 ${percentile(lags, 95)} max ${Math.max(...lags)}; ` +
        `${Math.round(gas.txGasPerItem)} gas/item in ${gas.itemsPerTx.toFixed(1)}-item batches`,
    );
    notes.push(`Stream window ${w + 1}: ${inWindow.length} logs, ${lags.length} ran; log → run blocks: ${histogram}.`);
  }
  const skipped = items.filter((i) => i.runNumber === 0n).length;
  const failed = items.filter((i) => i.runNumber > 0n && i.success === false).length;
  const runsTotal = items.filter((i) => i.runNumber > 0n).length;
  notes.push(
    `Stream: ${sent} pings sent, ${pings.length} mined and matched (warm-up included); ${runsTotal} runs on ` +
      `chain, Counter +${counted}; ${skipped} items the contract skipped, ${failed} failed runs.`,
  );
  if (missingAll > 0) problems.push(`${missingAll} logs in the windows never ran (waited 60 s after the last ping)`);
  if (doubledAll > 0) problems.push(`${doubledAll} logs in the windows ran twice or more`);
  if (!drained || counted !== pings.length)
    problems.push(`stream: Counter +${counted} for ${pings.length} matching logs`);
  const row: Row = {
    label: `stream: ~${size.pingsPerBlock} logs/block, ${senders.length} workflows`,
    params: { pingsPerBlock: size.pingsPerBlock, workflows: senders.length, window: size.window },
    metrics: Object.fromEntries(Object.entries(samples).map(([name, v]) => [name, metric(unitOf(name), v)])),
  };
  return { row, notes, ...(problems.length > 0 ? { shortfall: `stream: ${problems.join("; ")}` } : {}) };
}

/** Bursts of `size.burst` logs in one block, a warm-up one and then ctx.runs measured. */
async function burstPhase(
  ctx: SuiteContext,
  stack: Stack,
  emitter: Address,
  burster: Wallet,
  workflowId: bigint,
  counter: Address,
  size: { burst: number; burstTimeoutMs: number },
  batch: number,
) {
  const { chain } = stack;
  const samples: Samples = {};
  const notes: string[] = [];
  let shortfall: string | undefined;
  const n = size.burst;
  for (let round = 0; round <= ctx.runs; round++) {
    const what = round === 0 ? "warm-up" : `run ${round}/${ctx.runs}`;
    const before = await counterCount(chain, counter);
    const receipt = await chain.mined(
      await burster.writeContract({
        address: emitter,
        abi: emitterAbi,
        functionName: "pingMany",
        args: [BigInt(n), BURST_TAG],
        gas: 30_000_000n,
      }),
    );
    const burstBlock = receipt.blockNumber;
    if (receipt.status !== "success" || receipt.logs.length !== n)
      throw new Error(
        `pingMany(${n}) gave ${receipt.logs.length} logs (${receipt.status}) in ${receipt.transactionHash}`,
      );
    await pollUntil(
      async () => ((await counterCount(chain, counter)) - before >= BigInt(n) ? true : undefined),
      Date.now() + size.burstTimeoutMs,
      200,
    );
    await sleep(SETTLE_MS);
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    const counted = Number((await counterCount(chain, counter)) - before);
    const items = (await logItems(chain, burstBlock, head)).filter(
      (i) => i.workflowId === workflowId && i.logBlock === burstBlock,
    );
    const runs = items.filter((i) => i.runNumber > 0n);
    const unique = new Set(runs.map((r) => r.logKey)).size;
    const doubled = runs.length - unique;
    const perBlock = countBy(
      runs.map((r) => Number(r.runBlock - burstBlock)),
      (lag) => `+${lag}`,
    );
    if (unique < n || doubled > 0 || counted !== n) {
      shortfall =
        `burst ${what}: ${unique}/${n} logs ran within ${size.burstTimeoutMs / 1000} s, ${doubled} doubled, ` +
        `Counter +${counted}; runs per block after the burst: ${perBlock || "none"}`;
      ctx.say(shortfall);
      break;
    }
    let first = runs[0]!.runBlock;
    let last = first;
    for (const r of runs) {
      if (r.runBlock < first) first = r.runBlock;
      if (r.runBlock > last) last = r.runBlock;
    }
    const gas = await gasPerRun(chain, items, runs);
    const skipped = items.length - runs.length;
    // The fullest block: whether runs per block stopped at the block's gas or short of it.
    const runsIn = new Map<bigint, number>();
    for (const r of runs) runsIn.set(r.runBlock, (runsIn.get(r.runBlock) ?? 0) + 1);
    const [fullest, most] = [...runsIn].reduce((a, b) => (b[1] > a[1] ? b : a));
    const block = await chain.publicClient.getBlock({ blockNumber: fullest });
    const fullestNote =
      `the fullest block held ${most} runs and used ${(Number(block.gasUsed) / 1e6).toFixed(1)}M of its ` +
      `${Number(block.gasLimit) / 1e6}M gas`;
    ctx.say(
      `burst ${what}: ${n} logs in block ${burstBlock} ran in blocks +${first - burstBlock}…+${last - burstBlock} ` +
        `(${perBlock}); ${gas.txs} txs, ${Math.round(gas.txGasPerItem)} gas/item, ` +
        `${Math.round(gas.chargedPerRun)} charged/run${skipped > 0 ? `; ${skipped} items skipped` : ""}; ${fullestNote}`,
    );
    if (round === 0) continue;
    notes.push(
      `Burst ${what}: runs per block after the burst's block ${perBlock}; ${gas.txs} transactions; ${fullestNote}` +
        `${skipped > 0 ? `, ${skipped} items the contract skipped` : ""}.`,
    );
    add(samples, "burst → last run blocks", Number(last - burstBlock));
    add(samples, "runs/block", n / Number(last - first + 1n));
    add(samples, "first-run delay blocks", Number(first - burstBlock));
    add(samples, "tx gas/run", gas.txGasPerItem);
    add(samples, "charged gas/run", gas.chargedPerRun);
    add(samples, "runs/tx", gas.itemsPerTx);
  }
  const row: Row | undefined =
    Object.keys(samples).length === 0
      ? undefined
      : {
          label: `burst: ${n.toLocaleString("en")} logs in one block, 1 workflow`,
          params: { logs: n, batchSize: batch },
          metrics: Object.fromEntries(Object.entries(samples).map(([name, v]) => [name, metric(unitOf(name), v)])),
        };
  return { row, notes, shortfall };
}

/** The executor suite's TIME runs per block at this batch size (one signer, 30M gas), when its full result has it. */
function citedTimeFigure(batch: number): { row: Row; note: string } | undefined {
  const file = join(RESULTS_DIR, "executor.json");
  if (!existsSync(file)) return undefined;
  const result = JSON.parse(readFileSync(file, "utf8")) as SuiteResult;
  const found = result.rows.find(
    (r) => r.params.batchSize === batch && r.params.signers === 1 && r.params.concurrency === undefined,
  );
  const perBlock = found?.metrics["executions/block"];
  if (!found || !perBlock || result.quick) return undefined;
  const ratio = found.metrics["gas used / block limit"];
  const gasPerRun = ratio ? Math.round((ratio.median * 30_000_000) / perBlock.median) : undefined;
  return {
    row: {
      label: `TIME, batch ${batch}: ${Number(found.params.workflows).toLocaleString("en")} due in one block (executor suite, cited)`,
      params: { ...found.params, source: "bench/results/executor.json" },
      metrics: { "runs/block": perBlock },
    },
    note:
      `The TIME row is cited from bench/results/executor.json ("${found.label}", measured ` +
      `${result.measuredAt.slice(0, 16).replace("T", " ")} UTC): ${Number(found.params.workflows).toLocaleString("en")} ` +
      "workflows due in one block, runs per block counted from the due block to the last run" +
      (gasPerRun
        ? `; its gas ratio puts a TIME run at about ${gasPerRun.toLocaleString("en")} gas of block space.`
        : "."),
  };
}

/** Without a cited figure: `n` TIME workflows due in one block, on this stack and executor, the executor suite's way. */
async function measureTimeFigure(ctx: SuiteContext, stack: Stack, n: number, timeoutMs: number, batch: number) {
  const interval = 3600n;
  ctx.say(`no TIME figure at batch ${batch} in bench/results/executor.json: measuring ${n} TIME workflows`);
  const action = await counterAction(stack.chain);
  let slot = (await stack.chain.now()) + interval;
  const specs = Array.from({ length: n }, () => timeSpec([action], interval, { startTime: slot, gasLimit: GAS_LIMIT }));
  await registerMany(stack.chain, specs, parseEther("0.5"));
  await stack.indexer.catchUp(INDEX_CATCH_UP_MS);
  const perBlock: number[] = [];
  for (let round = 0; round <= ctx.runs; round++) {
    const r = await saturationRound(stack, slot, n, timeoutMs);
    slot += interval;
    ctx.say(`TIME ${round === 0 ? "warm-up" : `run ${round}/${ctx.runs}`}: ${r.runs} runs in ${r.blocks} blocks`);
    if (r.runs < n) throw new Error(`TIME comparison: ${r.runs}/${n} runs within ${timeoutMs / 1000} s`);
    if (round > 0) perBlock.push(r.runs / r.blocks);
  }
  return {
    row: {
      label: `TIME, batch ${batch}: ${n.toLocaleString("en")} due in one block (measured here)`,
      params: { batchSize: batch, workflows: n },
      metrics: { "runs/block": metric("runs", perBlock) },
    },
    note:
      `The TIME row was measured here (bench/results/executor.json had no batch-${batch} figure): ${n} TIME ` +
      "workflows due in one block on this chain and executor, runs per block counted from the due block to the last run.",
  };
}

/** The gas of the transactions that carried `runs`: receipt gas over all their items, and the mean charge. */
async function gasPerRun(chain: Chain, allItems: LogItem[], runs: LogItem[]) {
  const txs = [...new Set(runs.map((r) => r.txHash))];
  const inTxs = new Set(txs);
  const itemsInTxs = allItems.filter((i) => inTxs.has(i.txHash)).length;
  let gasUsed = 0n;
  for (let i = 0; i < txs.length; i += 64) {
    const receipts = await Promise.all(
      txs.slice(i, i + 64).map((hash) => chain.publicClient.getTransactionReceipt({ hash })),
    );
    for (const r of receipts) gasUsed += r.gasUsed;
  }
  const charged = runs.reduce((sum, r) => sum + (r.charged ?? 0n), 0n);
  return {
    txs: txs.length,
    txGasPerItem: Number(gasUsed) / itemsInTxs,
    chargedPerRun: Number(charged) / runs.length,
    itemsPerTx: itemsInTxs / txs.length,
  };
}

/** Every LogRun item ActionExecutor emitted in [from, to], joined to its WorkflowExecuted. */
async function logItems(chain: Chain, from: bigint, to: bigint): Promise<LogItem[]> {
  const items: LogItem[] = [];
  const executed = new Map<string, { charged: bigint; success: boolean }>();
  for (let a = from; a <= to; a += PAGE_BLOCKS) {
    const b = a + PAGE_BLOCKS - 1n < to ? a + PAGE_BLOCKS - 1n : to;
    const events = await chain.publicClient.getContractEvents({
      address: chain.deployment.actionExecutor,
      abi: actionExecutorAbi,
      fromBlock: a,
      toBlock: b,
    });
    for (const e of events) {
      if (e.eventName === "LogRun") {
        items.push({
          workflowId: e.args.id!,
          runNumber: BigInt(e.args.runNumber!),
          logBlock: e.args.blockNumber!,
          logKey: `${e.args.blockHash!}:${e.args.logIndex!}`,
          runBlock: e.blockNumber,
          txHash: e.transactionHash,
        });
      } else if (e.eventName === "WorkflowExecuted") {
        executed.set(`${e.args.id!}:${e.args.runNumber!}`, { charged: e.args.gasUsed!, success: e.args.success! });
      }
    }
  }
  for (const item of items) {
    const run = executed.get(`${item.workflowId}:${item.runNumber}`);
    if (item.runNumber > 0n && run) {
      item.charged = run.charged;
      item.success = run.success;
    }
  }
  return items;
}

/** The Emitter's Ping logs in [from, to]. */
async function pingLogs(chain: Chain, emitter: Address, from: bigint, to: bigint): Promise<PingLog[]> {
  const out: PingLog[] = [];
  for (let a = from; a <= to; a += 50n) {
    const b = a + 49n < to ? a + 49n : to;
    const logs = await chain.publicClient.getContractEvents({
      address: emitter,
      abi: emitterAbi,
      eventName: "Ping",
      fromBlock: a,
      toBlock: b,
    });
    for (const l of logs)
      out.push({ from: l.args.from!, blockNumber: l.blockNumber, key: `${l.blockHash}:${BigInt(l.logIndex)}` });
  }
  return out;
}

function counterCount(chain: Chain, counter: Address): Promise<bigint> {
  return chain.publicClient.readContract({ address: counter, abi: counterAbi, functionName: "count" });
}

/** "1: 380, 2: 12" — how many of each value, ascending. */
function countBy(values: number[], label: (v: number) => string = String): string {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([v, c]) => `${label(v)}: ${c}`)
    .join(", ");
}

function unitOf(name: string): string {
  if (name.endsWith("blocks")) return "blocks";
  if (name.includes("gas")) return "gas";
  if (name === "logs") return "logs";
  return "runs";
}
