/**
 * LOG triggers in the index. Ponder's factory pattern follows contracts that an event names, but it
 * decodes and filters their logs by an ABI fixed at start-up; a LOG workflow names any emitter and any
 * event at run time. So the indexer keeps the active filters in one row (log_watch) with the position
 * (block, log index) up to which the chain's logs have been matched against them, and writes a
 * trigger_log row per (workflow, matching log).
 *
 * Live, a block handler (LogScan) reads each new block's logs from the watched emitters by block hash
 * (one eth_getLogs, none while no LOG workflow is active); block events run after the block's logs, so
 * a workflow registered in a block sees the later logs of that block. Behind the head (a backfill, or
 * the blocks an indexer missed while it was down) there is no block handler: a Ponder block source fetches
 * every block of its range, which made a backfill read every block of the chain. The logs there are read
 * in block ranges instead, when they are needed: before the watches change (the old filters own the logs
 * up to the change), before a LogRun names a log not matched yet, and at the first live block. A reorg
 * rolls the rows of its blocks back like any other, position included, so a log that left the chain is no
 * longer offered and its range is read again.
 *
 * A Chainlink log upkeep's checkLog is asked here, at the log's block, from the zero address (Chainlink's
 * simulated backend), with CHECK_LOG_GAS; its answer is stored with the row, and a "no", a revert or a
 * refused answer marks the row SKIPPED with the reason, so users see why a log had no run.
 */
import { ponder } from "ponder:registry";
import { type LogWatchEntry, logRun, logWatch, triggerLog } from "ponder:schema";
import {
  BaseError,
  BlockNotFoundError,
  createPublicClient,
  decodeFunctionResult,
  encodeFunctionData,
  fallback,
  type Hex,
  http,
  type Log,
  size,
  zeroAddress,
} from "viem";
import {
  CHECK_LOG_GAS,
  checkLogAbi,
  decodeLogTrigger,
  MAX_LOG_PERFORM_DATA_BYTES,
  matchesLog,
} from "../lib/log-trigger.js";
import { networksFromEnv } from "../lib/network.js";
import { decodeRevertReason, revertDataOf } from "../lib/revert-reason.js";

type Context = Parameters<Parameters<typeof ponder.on<"LogScan:block">>[1]>[0]["context"];
type RawLog = Log<bigint, number, false>;

/**
 * The indexer's own clients, one per chain, for a block's logs and checkLog: every check of a block goes
 * out in a few JSON-RPC batch requests. Calls are pinned to the block (by hash or number), as Ponder's
 * client pins them.
 */
const clients = new Map(
  networksFromEnv().map((n) => [
    n.chainId,
    createPublicClient({
      transport: fallback(
        n.rpcUrls.map((url) => http(url, { batch: { batchSize: 250 }, retryCount: 0, timeout: 15_000 })),
      ),
    }),
  ]),
);
type Rpc = NonNullable<ReturnType<typeof clients.get>>;

/** The chain a handler runs for: its client, and the id of its log_watch row. */
function chainOf(context: Context): { rpc: Rpc; watchRow: number } {
  const rpc = clients.get(context.chain.id);
  if (!rpc) throw new Error(`chain ${context.chain.id} is indexed but not configured (CHAINS)`);
  return { rpc, watchRow: context.chain.id };
}
/** A request that fails for the RPC's reasons (not the checker's) is tried this often before indexing stops. */
const RPC_TRIES = 3;

/** The watch entry of a LOG workflow, watching from (block, log index) on. */
export function watchOf(
  row: { id: bigint; triggerData: Hex; checkerKind: string; checker: Hex },
  fromBlock: bigint,
  fromLogIndex: number,
): LogWatchEntry {
  const t = decodeLogTrigger(row.triggerData);
  return {
    workflowId: row.id.toString(),
    emitter: t.emitter,
    topics: [t.topic0, t.topic1 ?? null, t.topic2 ?? null, t.topic3 ?? null],
    checkerKind: row.checkerKind,
    checker: row.checker,
    checkData: t.checkData,
    fromBlock: fromBlock.toString(),
    fromLogIndex,
  };
}

/** A point in the chain's log order: the log `logIndex` of block `number` (END: after the block's last log). */
export interface Position {
  number: bigint;
  hash: Hex;
  timestamp: bigint;
  logIndex: number;
}

/** trigger_log's id: one row per (chain, workflow, log). */
const triggerLogId = (chainId: number, workflowId: bigint | string, blockHash: Hex, logIndex: number) =>
  `${chainId}:${workflowId}:${blockHash}:${logIndex}`;

/** log_run's id: which log a run served, found again by the run's WorkflowExecuted (ActionExecutor.ts). */
/** A run's key in the tables that tell of one run before its WorkflowExecuted (log_run, run_failure). */
export const runId = (chainId: number, workflowId: bigint, runNumber: bigint | number) =>
  `${chainId}:${workflowId}:${runNumber}`;

/** After every log of a block (the column is a Postgres integer). */
const END = 2_147_483_647;
/** Blocks per eth_getLogs when reading a range; halved while the endpoint refuses the range. */
const RANGE_BLOCKS = 2_000;

type WatchRow = typeof logWatch.$inferSelect;

/** The position of a log event, for setWatch and scanTo. (Ponder's event objects are proxies: no spreading.) */
export const positionOf = (event: {
  block: { number: bigint; hash: Hex; timestamp: bigint };
  log: { logIndex: number };
}): Position => ({
  number: event.block.number,
  hash: event.block.hash,
  timestamp: event.block.timestamp,
  logIndex: event.log.logIndex,
});

const before = (a: { number: bigint; logIndex: number }, b: { number: bigint; logIndex: number }) =>
  a.number < b.number || (a.number === b.number && a.logIndex < b.logIndex);

/**
 * Starts (or restarts, with a new filter) watching for a workflow at `at`; `undefined` stops it. The
 * logs up to `at` are matched against the filters as they were first: they are the old filters' logs.
 */
export async function setWatch(
  context: Context,
  workflowId: bigint,
  entry: LogWatchEntry | undefined,
  at: Position,
): Promise<void> {
  const { watchRow } = chainOf(context);
  const row = await context.db.find(logWatch, { id: watchRow });
  const watches = row?.watches ?? [];
  const others = watches.filter((w) => w.workflowId !== workflowId.toString());
  if (!entry && others.length === watches.length) return;
  if (row && watches.length > 0) await scanTo(context, row, at);
  const next = { watches: entry ? [...others, entry] : others, scannedBlock: at.number, scannedLogIndex: at.logIndex };
  if (!row) await context.db.insert(logWatch).values({ id: watchRow, ...next });
  else await context.db.update(logWatch, { id: watchRow }).set(next);
}

/**
 * Matches the logs after the row's scanned position, up to and including `to`, against its watches and
 * writes their trigger_log rows; the caller records `to` as the new position. Whole blocks before `to`'s
 * are read by number in ranges (they are behind the block being indexed: were one replaced, Ponder rolls
 * back to before it and this runs again); `to`'s own block by its hash.
 */
async function scanTo(context: Context, row: WatchRow, to: Position): Promise<void> {
  const { rpc } = chainOf(context);
  const watches = row.watches;
  const from = { number: row.scannedBlock, logIndex: row.scannedLogIndex };
  if (watches.length === 0 || !before(from, to)) return;
  const emitters = [...new Set(watches.map((w) => w.emitter.toLowerCase() as Hex))];
  const inRange = (log: RawLog) => before(from, { number: log.blockNumber, logIndex: log.logIndex });
  const firstWhole = from.logIndex === END ? from.number + 1n : from.number;
  for (let start = firstWhole; start < to.number; ) {
    const { logs, end } = await rangeLogs(rpc, emitters, start, to.number - 1n);
    await record(context, watches, logs.filter(inRange), undefined);
    start = end + 1n;
  }
  const current = (await blockLogs(rpc, to.hash, emitters)).filter(
    (log) => inRange(log) && (to.logIndex === END || log.logIndex <= to.logIndex),
  );
  await record(context, watches, current, to.timestamp);
}

/** Writes a trigger_log row per (watch, matching log), asking Chainlink log upkeeps' checkLog first. */
async function record(
  context: Context,
  watches: LogWatchEntry[],
  logs: RawLog[],
  blockTime: bigint | undefined,
): Promise<void> {
  const matches = logs
    .sort((a, b) =>
      a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
    )
    .flatMap((log) => watches.filter((w) => after(w, log) && matchesLog(filterOf(w), log)).map((w) => ({ w, log })));
  if (matches.length === 0) return;
  const { rpc } = chainOf(context);
  const chainId = context.chain.id;
  const times = await blockTimes(
    rpc,
    matches.map(({ log }) => log),
    blockTime,
  );
  const rows = await Promise.all(
    matches.map(async ({ w, log }) => {
      const time = times.get(log.blockHash)!;
      const check = w.checkerKind === "CHAINLINK" ? await checkLog(rpc, w, log, time) : undefined;
      return {
        id: triggerLogId(chainId, w.workflowId, log.blockHash, log.logIndex),
        chainId,
        workflowId: BigInt(w.workflowId),
        blockNumber: log.blockNumber,
        blockHash: log.blockHash,
        blockTime: time,
        txHash: log.transactionHash,
        logIndex: log.logIndex,
        emitter: log.address,
        topics: log.topics as Hex[],
        data: log.data,
        state: check && "skip" in check ? "SKIPPED" : "PENDING",
        skipReason: check && "skip" in check ? check.skip : null,
        performData: check && "performData" in check ? check.performData : null,
      };
    }),
  );
  await context.db.insert(triggerLog).values(rows);
}

/** Each log's block time: the known one, the log's own (most nodes send blockTimestamp), or its block's. */
async function blockTimes(rpc: Rpc, logs: RawLog[], known: bigint | undefined): Promise<Map<Hex, bigint>> {
  const times = new Map<Hex, bigint>();
  for (const log of logs) {
    const time = known ?? (log as { blockTimestamp?: bigint }).blockTimestamp;
    if (time !== undefined) times.set(log.blockHash, time);
  }
  const missing = [...new Set(logs.map((l) => l.blockHash))].filter((h) => !times.has(h));
  await Promise.all(
    missing.map(async (blockHash) =>
      times.set(blockHash, (await withTries(() => rpc.getBlock({ blockHash }))).timestamp),
    ),
  );
  return times;
}

const filterOf = (w: LogWatchEntry) => ({
  emitter: w.emitter,
  topic0: w.topics[0] as Hex,
  topic1: w.topics[1] ?? undefined,
  topic2: w.topics[2] ?? undefined,
  topic3: w.topics[3] ?? undefined,
});

const after = (w: LogWatchEntry, log: RawLog) =>
  log.blockNumber > BigInt(w.fromBlock) || (log.blockNumber === BigInt(w.fromBlock) && log.logIndex > w.fromLogIndex);

/** Live blocks (and the first one after a start, which reads what the indexer has not matched yet). */
ponder.on("LogScan:block", async ({ event, context }) => {
  const { watchRow } = chainOf(context);
  const row = await context.db.find(logWatch, { id: watchRow });
  if (!row || row.watches.length === 0) return;
  const to = { number: event.block.number, hash: event.block.hash, timestamp: event.block.timestamp, logIndex: END };
  await scanTo(context, row, to);
  await context.db.update(logWatch, { id: watchRow }).set({ scannedBlock: to.number, scannedLogIndex: END });
});

/**
 * Logs of `emitters` from block `from` to `to`, as many blocks as the endpoint answers at once (the
 * first RANGE_BLOCKS, halved on each refusal), and the last block they cover.
 */
async function rangeLogs(
  rpc: Rpc,
  emitters: Hex[],
  from: bigint,
  to: bigint,
): Promise<{ logs: RawLog[]; end: bigint }> {
  for (let span = BigInt(RANGE_BLOCKS); ; span /= 2n) {
    const end = from + span - 1n < to ? from + span - 1n : to;
    try {
      return { logs: normalized(await rpc.getLogs({ address: emitters, fromBlock: from, toBlock: end })), end };
    } catch {
      // Endpoints cap a range's blocks or results; one block that still fails is the endpoint's fault.
      if (span > 1n) continue;
      const logs = await withTries(() => rpc.getLogs({ address: emitters, fromBlock: from, toBlock: from }));
      return { logs: normalized(logs), end: from };
    }
  }
}

const normalized = (logs: Log[]): RawLog[] =>
  logs.map((l) => ({ ...l, blockNumber: BigInt(l.blockNumber ?? 0n), logIndex: Number(l.logIndex) }) as RawLog);

/** `request`, tried RPC_TRIES times with a growing pause before its error stops indexing. */
async function withTries<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= RPC_TRIES) throw error;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}

/**
 * The logs of block `hash` from `emitters`. A block a reorg removed after Ponder fetched it has no logs
 * to give (the node refuses its hash; found by trying it: anvil_reorg under a running indexer made this
 * throw and Ponder exit): its rows would be rolled back anyway, so it yields none. Any other failure is
 * tried again, then stops indexing rather than skip a block's logs.
 */
async function blockLogs(rpc: Rpc, hash: Hex, emitters: Hex[]): Promise<RawLog[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return normalized(await rpc.getLogs({ address: emitters, blockHash: hash }));
    } catch (error) {
      const block = await rpc.getBlock({ blockHash: hash }).catch((e: unknown) => e);
      if (block instanceof BlockNotFoundError) return [];
      if (attempt >= RPC_TRIES) throw error;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}

/** checkLog's answer for one log: its performData, or why there is no run. */
async function checkLog(
  rpc: Rpc,
  w: LogWatchEntry,
  log: RawLog,
  timestamp: bigint,
): Promise<{ performData: Hex } | { skip: string }> {
  const data = encodeFunctionData({
    abi: checkLogAbi,
    functionName: "checkLog",
    args: [
      {
        index: BigInt(log.logIndex),
        timestamp,
        txHash: log.transactionHash,
        blockNumber: log.blockNumber,
        blockHash: log.blockHash,
        source: log.address,
        topics: log.topics as Hex[],
        data: log.data,
      },
      w.checkData,
    ],
  });
  for (let attempt = 1; ; attempt++) {
    let returned: Hex | undefined;
    try {
      ({ data: returned } = await rpc.call({
        blockNumber: log.blockNumber,
        account: zeroAddress,
        to: w.checker,
        data,
        gas: CHECK_LOG_GAS,
      }));
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal) return { skip: refusal };
      if (attempt >= RPC_TRIES) throw error;
      await new Promise((r) => setTimeout(r, 250 * attempt));
      continue;
    }
    if (!returned || returned === "0x") return { skip: "checkLog returned nothing (no contract at the checker?)" };
    if (size(returned) > MAX_LOG_PERFORM_DATA_BYTES + 96) {
      return {
        skip: `checkLog answered ${size(returned)} bytes; performData is capped at ${MAX_LOG_PERFORM_DATA_BYTES}`,
      };
    }
    try {
      const [needed, performData] = decodeFunctionResult({
        abi: checkLogAbi,
        functionName: "checkLog",
        data: returned,
      });
      if (!needed) return { skip: "checkLog: upkeepNeeded false" };
      if (size(performData) > MAX_LOG_PERFORM_DATA_BYTES) {
        return { skip: `performData of ${size(performData)} bytes is over ${MAX_LOG_PERFORM_DATA_BYTES}` };
      }
      return { performData };
    } catch {
      return { skip: "checkLog's answer does not decode as (bool, bytes)" };
    }
  }
}

/** Why a failed check is the checker's doing (its revert, its gas), or undefined for an RPC fault. */
function refusalOf(error: unknown): string | undefined {
  const data = revertDataOf(error);
  if (data !== undefined) return `checkLog reverted: ${decodeRevertReason(data) ?? "no reason"}`.slice(0, 300);
  const text = error instanceof BaseError ? `${error.shortMessage} ${error.details ?? ""}` : String(error);
  if (/out of gas|gas required exceeds|gas limit reached/i.test(text)) {
    return `checkLog ran out of its ${CHECK_LOG_GAS.toLocaleString("en-US")} gas`;
  }
  if (/execution reverted|revert/i.test(text)) return "checkLog reverted: no reason";
  return undefined;
}

/** Links each LOG run to its log: the trigger_log row becomes RAN, and the run's row can find its log. */
ponder.on("ActionExecutor:LogRun", async ({ event, context }) => {
  const { id, runNumber, blockNumber, blockHash, logIndex } = event.args;
  if (runNumber === 0n) return; // a skipped item: the log is either served already or not on this chain
  // Behind the head the logs are matched when needed: this one may not be yet.
  const { watchRow } = chainOf(context);
  const chainId = context.chain.id;
  const watch = await context.db.find(logWatch, { id: watchRow });
  const scanned = watch && { number: watch.scannedBlock, logIndex: watch.scannedLogIndex };
  if (watch && scanned && before(scanned, { number: blockNumber, logIndex: Number(logIndex) })) {
    const at = positionOf(event);
    await scanTo(context, watch, at);
    await context.db.update(logWatch, { id: watchRow }).set({ scannedBlock: at.number, scannedLogIndex: at.logIndex });
  }
  const logId = triggerLogId(chainId, id, blockHash, Number(logIndex));
  const row = await context.db.find(triggerLog, { id: logId });
  await context.db.insert(logRun).values({
    id: runId(chainId, id, runNumber),
    triggerLogId: logId,
    logBlockNumber: blockNumber,
    logIndex: Number(logIndex),
    logBlockTime: row?.blockTime ?? null,
    logTxHash: row?.txHash ?? null,
  });
  if (row) {
    await context.db.update(triggerLog, { id: logId }).set({
      state: "RAN",
      runNumber: Number(runNumber),
      runTx: event.transaction.hash,
      runBlock: event.block.number,
    });
  }
});
