/**
 * Turns a chaos run into one row per fault, judged from the canonical chain only (never from the
 * executor's own account): for every TIME slot and CONDITION ticket due in the fault's window, whether
 * it was served, skipped by the contract's missed-slot rule, or lost; whether any ran twice; how late
 * the runs due during the fault landed; and how many blocks after the fault it took to be back on time.
 *
 * A window runs from the fault's start to the next fault's start, so a run that was due during a fault
 * and landed after it counts for that fault.
 */
import { ticketUpkeepAbi } from "../../../abis/index.js";
import type { Chain } from "../chain.js";
import { blockTimestamps, executedRuns, notDueSkips, ticketPerforms } from "../chain-runs.js";
import { firstBlockAtOrAfter, latenessInBlocks, type Slot, ticketLedger, timeLedger } from "../ledger.js";
import type { Workload } from "./workload.js";

export interface Window {
  name: string;
  what: string;
  seconds: number;
  injected: number;
  observed: string[];
  /** Chain time the fault began (or its effect reached back to). */
  from: bigint;
  /** Chain time at which it ended, and the head when it returned (see measureWindow for a reorg). */
  faultEnd: bigint;
  endBlock: bigint;
  /** Chain time the window closes (the next fault's start, or the run's cut-off). */
  until: bigint;
  /** The worker's balance plus its unclaimed earnings at the window's start and end (wei). */
  workerNet?: { start: bigint; end: bigint };
  hostileRuns?: number;
}

export interface ChaosRow {
  name: string;
  what: string;
  seconds: number;
  injected: number;
  /** What the executor reported while the fault lasted (/health problems, a metric). */
  observed: string[];
  due: number;
  executed: number;
  skippedByRule: number;
  lost: number;
  doubled: number;
  /** p95 of due → mined, in blocks (1 = the first block that could carry it), over runs due during the fault. */
  p95Blocks: number | undefined;
  /** Blocks after the fault ended until every run lands on time again; undefined if not within the window. */
  recoveryBlocks: number | undefined;
  /** Runs sent that the chain refused as not due (a duplicate send costs gas, not a run). */
  wasted: number;
  /**
   * What the worker gained (or lost, negative) over the window: its balance plus its unclaimed earnings,
   * in wei. Undefined for a fault that sets the balance itself.
   */
  workerNetWei: bigint | undefined;
  /** Hostile rows: runs the hostile workflows got. */
  hostileRuns: number | undefined;
}

export interface ChaosData {
  slots: Slot[];
  doubledTime: { dueAt: bigint }[];
  tickets: ReturnType<typeof ticketLedger>;
  lateness: (dueAt: bigint, minedIn: bigint) => number;
  floorBlock: (at: bigint) => bigint | undefined;
  blockTime: Map<bigint, bigint>;
  wastedBlocks: bigint[];
  anomalies: string[];
}

/** Reads everything the rows are made of from the chain, up to the cut-off (slots due later are not judged). */
export async function readChaosData(chain: Chain, workload: Workload, cutoff: bigint): Promise<ChaosData> {
  const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  const [runs, performs, blocks, wastedBlocks] = await Promise.all([
    executedRuns(chain, workload.fromBlock, head),
    ticketPerforms(chain, new Map(workload.tickets.map((t) => [t.upkeep, t.workflowId])), workload.fromBlock, head),
    blockTimestamps(chain, workload.fromBlock, head),
    notDueSkips(chain, workload.fromBlock, head),
  ]);
  const blockTime = new Map(blocks);
  const ledger = timeLedger(workload.time, runs, (n) => blockTime.get(n)!, cutoff);
  const open = await Promise.all(
    workload.tickets.map(async (t) => ({
      workflowId: t.workflowId,
      period: t.period,
      openTicket: await chain.publicClient.readContract({
        address: t.upkeep,
        abi: ticketUpkeepAbi,
        functionName: "nextAt",
      }),
    })),
  );
  const tickets = ticketLedger(
    open,
    performs.filter((p) => p.ticket <= cutoff),
    cutoff,
  );
  const lateness = latenessInBlocks(blocks);
  const floorBlock = firstBlockAtOrAfter(blocks);
  return {
    slots: ledger.slots,
    doubledTime: ledger.doubled,
    tickets,
    lateness,
    floorBlock,
    blockTime,
    wastedBlocks,
    anomalies: ledger.anomalies,
  };
}

const RECOVERED_FOR_BLOCKS = 5n;

export function measureWindow(w: Window, d: ChaosData): ChaosRow {
  const inWindow = (at: bigint) => at >= w.from && at < w.until;
  const slots = d.slots.filter((s) => inWindow(s.at));
  const served = slots.filter((s) => s.state === "served");
  const ticketsServed = d.tickets.served.filter((p) => inWindow(p.ticket));
  const ticketsLost = d.tickets.lost.filter((l) => inWindow(l.at));
  const during = served.filter((s) => s.at <= w.faultEnd).map((s) => d.lateness(s.at, s.run!.blockNumber));

  // Back on time: the first block after the fault from which every slot due in the next few blocks
  // was served in the first block that could carry it.
  const after = slots.filter((s) => s.at > w.faultEnd);
  const byFloor = new Map<bigint, Slot[]>();
  for (const s of after) {
    const floor = d.floorBlock(s.at);
    if (floor === undefined) continue;
    byFloor.set(floor, [...(byFloor.get(floor) ?? []), s]);
  }
  const onTime = (b: bigint) =>
    (byFloor.get(b) ?? []).every((s) => s.state === "served" && d.lateness(s.at, s.run!.blockNumber) === 1);
  // Counted from the fault's last block: the last one whose timestamp falls within the fault. After a
  // reorg that is not the head the fault left behind: anvil re-mines the undone blocks at one timestamp,
  // so the new chain lives through the undone seconds again, a block each, and those are the fault's
  // (their runs count as due during it). Counting from the head would charge a depth-10 reorg 11 blocks
  // of "recovery" in which every run was on time.
  const fromFault = (d.floorBlock(w.faultEnd + 1n) ?? w.endBlock + 1n) - 1n;
  const lastFaultBlock = fromFault > w.endBlock ? fromFault : w.endBlock;
  let recoveryBlocks: number | undefined;
  const floors = [...byFloor.keys()].sort((a, b) => (a < b ? -1 : 1));
  const last = floors.at(-1);
  for (const b of floors) {
    if (last === undefined || b + RECOVERED_FOR_BLOCKS > last + 1n) break;
    let ok = true;
    for (let k = 0n; k < RECOVERED_FOR_BLOCKS && ok; k++) ok = onTime(b + k);
    if (ok) {
      recoveryBlocks = Math.max(0, Number(b - lastFaultBlock - 1n));
      break;
    }
  }

  const p95 = during.length === 0 ? undefined : [...during].sort((a, b) => a - b)[Math.ceil(0.95 * during.length) - 1];
  return {
    name: w.name,
    what: w.what,
    seconds: w.seconds,
    injected: w.injected,
    observed: w.observed,
    due: slots.length + ticketsServed.length + ticketsLost.length,
    executed: served.length + ticketsServed.length,
    skippedByRule: slots.filter((s) => s.state === "skipped").length,
    lost: slots.filter((s) => s.state === "lost").length + ticketsLost.length,
    doubled:
      d.doubledTime.filter((r) => inWindow(r.dueAt)).length +
      d.tickets.doubled.filter((p) => inWindow(p.ticket)).length,
    p95Blocks: p95,
    recoveryBlocks,
    wasted: d.wastedBlocks.filter((b) => {
      const t = d.blockTime.get(b);
      return t !== undefined && inWindow(t);
    }).length,
    workerNetWei: w.workerNet && w.workerNet.end - w.workerNet.start,
    hostileRuns: w.hostileRuns,
  };
}

/** Lateness percentiles over every run due in [from, until), for the soak's whole-run figures. */
export function latenessPercentiles(d: ChaosData, from: bigint, until: bigint, ps: number[]): number[] {
  const values = d.slots
    .filter((s) => s.state === "served" && s.at >= from && s.at < until)
    .map((s) => d.lateness(s.at, s.run!.blockNumber))
    .sort((a, b) => a - b);
  if (values.length === 0) return ps.map(() => Number.NaN);
  return ps.map((p) => values[Math.max(0, Math.ceil((p / 100) * values.length) - 1)]!);
}
