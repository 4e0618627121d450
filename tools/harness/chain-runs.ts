/**
 * What ran, read back from the chain's own logs (never from the executor's account of it): the runs
 * ActionExecutor emitted, the upkeeps' performs, and the block timestamps lateness is measured against.
 */
import { type Address, type Hash, parseAbiItem } from "viem";
import { actionExecutorAbi } from "../../abis/index.js";
import { SkipReason } from "../../lib/spec.js";
import type { Chain } from "./chain.js";
import { type Perform, type TimeLedger, type TimeWorkflow, timeLedger } from "./ledger.js";

export interface RunRecord {
  workflowId: bigint;
  dueAt: bigint;
  blockNumber: bigint;
  txHash: Hash;
}

/** Blocks per log query: a full block of runs is ~1 MB of logs, and viem refuses answers over 10 MB. */
const LOG_PAGE_BLOCKS = 5n;

async function pages<T>(
  chain: Chain,
  fromBlock: bigint,
  toBlock: bigint | undefined,
  read: (from: bigint, to: bigint) => Promise<T[]>,
) {
  const last = toBlock ?? (await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
  const out: T[] = [];
  for (let from = fromBlock; from <= last; from += LOG_PAGE_BLOCKS) {
    const to = from + LOG_PAGE_BLOCKS - 1n < last ? from + LOG_PAGE_BLOCKS - 1n : last;
    out.push(...(await read(from, to)));
  }
  return out;
}

/** Every WorkflowExecuted the ActionExecutor emitted in [fromBlock, toBlock], in chain order. */
export function executedRuns(chain: Chain, fromBlock: bigint, toBlock?: bigint): Promise<RunRecord[]> {
  return pages(chain, fromBlock, toBlock, async (from, to) => {
    const logs = await chain.publicClient.getContractEvents({
      address: chain.deployment.actionExecutor,
      abi: actionExecutorAbi,
      eventName: "WorkflowExecuted",
      fromBlock: from,
      toBlock: to,
    });
    return logs.map((log) => ({
      workflowId: log.args.id!,
      dueAt: log.args.dueAt!,
      blockNumber: log.blockNumber,
      txHash: log.transactionHash,
    }));
  });
}

/** Blocks (with repeats) in which the ActionExecutor skipped a run as not due: a send the chain refused. */
export function notDueSkips(chain: Chain, fromBlock: bigint, toBlock?: bigint): Promise<bigint[]> {
  return pages(chain, fromBlock, toBlock, async (from, to) => {
    const logs = await chain.publicClient.getContractEvents({
      address: chain.deployment.actionExecutor,
      abi: actionExecutorAbi,
      eventName: "WorkflowSkipped",
      fromBlock: from,
      toBlock: to,
    });
    return logs.filter((log) => log.args.reason === SkipReason.NOT_DUE).map((log) => log.blockNumber);
  });
}

const performed = parseAbiItem("event Performed(uint64 indexed ticket, uint256 count)");

/** Every TicketUpkeep perform by the given upkeeps (address → workflow id), in chain order. */
export function ticketPerforms(
  chain: Chain,
  upkeeps: Map<Address, bigint>,
  fromBlock: bigint,
  toBlock?: bigint,
): Promise<Perform[]> {
  const byAddress = new Map([...upkeeps].map(([a, id]) => [a.toLowerCase(), id]));
  return pages(chain, fromBlock, toBlock, async (from, to) => {
    const logs = await chain.publicClient.getLogs({
      address: [...upkeeps.keys()],
      event: performed,
      fromBlock: from,
      toBlock: to,
    });
    return logs.map((log) => ({
      workflowId: byAddress.get(log.address.toLowerCase())!,
      ticket: log.args.ticket!,
      count: log.args.count!,
      blockNumber: log.blockNumber,
    }));
  });
}

/**
 * The TIME ledger of `workflows` from the canonical chain: their runs since `fromBlock`, replayed with
 * the timestamps of the blocks that carry them (see ledger.ts), up to `cutoff`.
 */
export async function readTimeLedger(
  chain: Chain,
  workflows: TimeWorkflow[],
  fromBlock: bigint,
  cutoff: bigint,
): Promise<TimeLedger> {
  const ids = new Set(workflows.map((w) => w.id));
  const runs = (await executedRuns(chain, fromBlock)).filter((r) => ids.has(r.workflowId));
  const blocks = [...new Set(runs.map((r) => r.blockNumber))];
  const timestamps = new Map(
    await Promise.all(
      blocks.map(async (n) => [n, (await chain.publicClient.getBlock({ blockNumber: n })).timestamp] as const),
    ),
  );
  return timeLedger(workflows, runs, (n) => timestamps.get(n)!, cutoff);
}

/** [number, timestamp] of every block in [from, to], ascending. */
export async function blockTimestamps(chain: Chain, from: bigint, to: bigint): Promise<[bigint, bigint][]> {
  const out: [bigint, bigint][] = [];
  for (let n = from; n <= to; n += 50n) {
    const last = n + 49n < to ? n + 49n : to;
    const numbers = Array.from({ length: Number(last - n) + 1 }, (_, i) => n + BigInt(i));
    const blocks = await Promise.all(numbers.map((b) => chain.publicClient.getBlock({ blockNumber: b })));
    for (const b of blocks) out.push([b.number, b.timestamp]);
  }
  return out;
}

/** One transaction a worker sent, read back from its receipt: what it cost and what its runs paid. */
export interface WorkerTx {
  hash: Hash;
  reverted: boolean;
  /** gasUsed × effectiveGasPrice: what the worker paid. */
  cost: bigint;
  /** The fees its runs were charged (to the worker's earnings). */
  fees: bigint;
  executed: bigint[];
  skipped: bigint[];
}

/** Every transaction `worker` sent in [fromBlock, toBlock], in chain order. */
export async function workerTransactions(
  chain: Chain,
  worker: Address,
  fromBlock: bigint,
  toBlock?: bigint,
): Promise<WorkerTx[]> {
  const last = toBlock ?? (await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
  const out: WorkerTx[] = [];
  for (let n = fromBlock; n <= last; n++) {
    const block = await chain.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
    for (const tx of block.transactions) {
      if (tx.from.toLowerCase() !== worker.toLowerCase()) continue;
      const receipt = await chain.publicClient.getTransactionReceipt({ hash: tx.hash });
      const events = chain.events(receipt);
      const runs = events.flatMap((e) => (e.eventName === "WorkflowExecuted" ? [e.args] : []));
      out.push({
        hash: tx.hash,
        reverted: receipt.status === "reverted",
        cost: receipt.gasUsed * receipt.effectiveGasPrice,
        fees: runs.reduce((sum, r) => sum + r.fee, 0n),
        executed: runs.map((r) => r.id),
        skipped: events.flatMap((e) => (e.eventName === "WorkflowSkipped" ? [e.args.id] : [])),
      });
    }
  }
  return out;
}
