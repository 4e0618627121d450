/**
 * LOG triggers in the index. Ponder's factory pattern follows contracts that an event names, but it
 * decodes and filters their logs by an ABI fixed at start-up; a LOG workflow names any emitter and any
 * event at run time. So the indexer keeps the active filters in one row (log_watch) and, on every block,
 * reads that block's logs from those emitters by block hash (one eth_getLogs, skipped when no LOG
 * workflow is active) and writes a trigger_log row per (workflow, matching log). Block events run after
 * the block's logs, so a workflow registered in a block sees the later logs of that block. A reorg rolls
 * the rows of its blocks back like any other, so a log that left the chain is no longer offered.
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
import { networkFromEnv } from "../lib/network.js";
import { decodeRevertReason, revertDataOf } from "../lib/revert-reason.js";

type Context = Parameters<Parameters<typeof ponder.on<"LogScan:block">>[1]>[0]["context"];
type RawLog = Log<bigint, number, false>;

const WATCH_ROW = 1;
/**
 * The indexer's own client for a block's logs and checkLog: every check of a block goes out in a few
 * JSON-RPC batch requests. Calls are pinned to the block (by hash or number), as Ponder's client pins them.
 */
const rpc = createPublicClient({
  transport: fallback(
    networkFromEnv().rpcUrls.map((url) => http(url, { batch: { batchSize: 250 }, retryCount: 0, timeout: 15_000 })),
  ),
});
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

/** Starts (or restarts, with a new filter) watching for a workflow; `undefined` stops it. */
export async function setWatch(context: Context, workflowId: bigint, entry: LogWatchEntry | undefined): Promise<void> {
  const row = await context.db.find(logWatch, { id: WATCH_ROW });
  const others = (row?.watches ?? []).filter((w) => w.workflowId !== workflowId.toString());
  const watches = entry ? [...others, entry] : others;
  if (!row) await context.db.insert(logWatch).values({ id: WATCH_ROW, watches });
  else if (entry || others.length !== row.watches.length)
    await context.db.update(logWatch, { id: WATCH_ROW }).set({ watches });
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

ponder.on("LogScan:block", async ({ event, context }) => {
  const watches = (await context.db.find(logWatch, { id: WATCH_ROW }))?.watches ?? [];
  if (watches.length === 0) return;
  const emitters = [...new Set(watches.map((w) => w.emitter.toLowerCase() as Hex))];
  const logs = await blockLogs(event.block.hash, emitters);
  const matches = logs
    .map((l) => ({ ...l, blockNumber: BigInt(l.blockNumber), logIndex: Number(l.logIndex) }))
    .sort((a, b) => a.logIndex - b.logIndex)
    .flatMap((log) => watches.filter((w) => after(w, log) && matchesLog(filterOf(w), log)).map((w) => ({ w, log })));
  if (matches.length === 0) return;
  const rows = await Promise.all(
    matches.map(async ({ w, log }) => {
      const check = w.checkerKind === "CHAINLINK" ? await checkLog(w, log, event.block.timestamp) : undefined;
      return {
        id: `${w.workflowId}:${log.blockHash}:${log.logIndex}`,
        workflowId: BigInt(w.workflowId),
        blockNumber: log.blockNumber,
        blockHash: log.blockHash,
        blockTime: event.block.timestamp,
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
});

/**
 * The logs of block `hash` from `emitters`. A block a reorg removed after Ponder fetched it has no logs
 * to give (the node refuses its hash; found by trying it: anvil_reorg under a running indexer made this
 * throw and Ponder exit): its rows would be rolled back anyway, so it yields none. Any other failure is
 * tried again, then stops indexing rather than skip a block's logs.
 */
async function blockLogs(hash: Hex, emitters: Hex[]): Promise<RawLog[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await rpc.getLogs({ address: emitters, blockHash: hash })) as RawLog[];
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
  const triggerLogId = `${id}:${blockHash}:${logIndex}`;
  await context.db.insert(logRun).values({
    id: `${id}:${runNumber}`,
    triggerLogId,
    logBlockNumber: blockNumber,
    logIndex: Number(logIndex),
  });
  const row = await context.db.find(triggerLog, { id: triggerLogId });
  if (row) {
    await context.db.update(triggerLog, { id: triggerLogId }).set({
      state: "RAN",
      runNumber: Number(runNumber),
      runTx: event.transaction.hash,
      runBlock: event.block.number,
    });
  }
});
