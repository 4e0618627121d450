/**
 * What became of every due run, read back from the canonical chain: the fault tests and `npm run chaos`
 * judge "nothing lost, nothing doubled" with it.
 *
 * TIME: a workflow's slots lie on its grid (start + k × interval). A slot is
 * - served: a WorkflowExecuted carries it as its dueAt;
 * - skipped by rule: a run of an earlier slot landed at or after it, and the contract's missed-slot rule
 *   moved the next slot past it (an outage longer than the interval does this; it is never a run);
 * - lost: neither, though it was due before the cut-off, so the contract would have accepted it.
 * A slot carried by two runs is doubled.
 *
 * CONDITION (TicketUpkeep): each ticket is a due time the upkeep opened; it should be performed once.
 * A ticket performed twice is doubled; a ticket still open at the cut-off is lost, with every period it
 * stayed open counted.
 */

export interface Run {
  workflowId: bigint;
  dueAt: bigint;
  blockNumber: bigint;
}

export interface TimeWorkflow {
  id: bigint;
  start: bigint;
  interval: bigint;
  /** The workflow's end time; 0 = none. */
  end: bigint;
}

export type SlotState = "served" | "skipped" | "lost";

export interface Slot {
  workflowId: bigint;
  at: bigint;
  state: SlotState;
  /** The run that served it. */
  run?: Run;
}

export interface TimeLedger {
  slots: Slot[];
  /** Runs that served a slot another run had already served. */
  doubled: Run[];
  /** Runs the grid cannot explain (a workflow changed under the test): a test bug, not a verdict. */
  anomalies: string[];
}

/**
 * Replays the contract's schedule over each workflow's canonical runs (in chain order) up to `cutoff`.
 * `timestampOf` gives a block's timestamp.
 */
export function timeLedger(
  workflows: TimeWorkflow[],
  runs: Run[],
  timestampOf: (block: bigint) => bigint,
  cutoff: bigint,
): TimeLedger {
  const byWorkflow = new Map<bigint, Run[]>();
  for (const r of runs) {
    const list = byWorkflow.get(r.workflowId) ?? [];
    list.push(r);
    byWorkflow.set(r.workflowId, list);
  }
  const slots: Slot[] = [];
  const doubled: Run[] = [];
  const anomalies: string[] = [];
  for (const w of workflows) {
    if (w.interval <= 0n) throw new Error(`workflow ${w.id}: the ledger needs an interval > 0`);
    const last = w.end !== 0n && w.end < cutoff ? w.end : cutoff;
    const states = new Map<bigint, Slot>();
    const served = new Set<bigint>();
    let next = w.start;
    for (const run of byWorkflow.get(w.id) ?? []) {
      if (served.has(run.dueAt)) {
        doubled.push(run);
        continue;
      }
      if (run.dueAt !== next) {
        anomalies.push(`workflow ${w.id}: a run served ${run.dueAt} while the schedule expected ${next}`);
        continue;
      }
      served.add(run.dueAt);
      if (run.dueAt <= last) states.set(run.dueAt, { workflowId: w.id, at: run.dueAt, state: "served", run });
      // The contract's rule: the next slot is the first grid point after the block's time.
      const t = timestampOf(run.blockNumber);
      const after = run.dueAt + w.interval * ((t - run.dueAt) / w.interval + 1n);
      for (let s = run.dueAt + w.interval; s < after && s <= last; s += w.interval) {
        states.set(s, { workflowId: w.id, at: s, state: "skipped" });
      }
      next = after;
    }
    for (let s = w.start; s <= last; s += w.interval) {
      slots.push(states.get(s) ?? { workflowId: w.id, at: s, state: "lost" });
    }
  }
  return { slots, doubled, anomalies };
}

export interface Perform {
  workflowId: bigint;
  ticket: bigint;
  /** The upkeep's own count of performs of this ticket, this one included. */
  count: bigint;
  blockNumber: bigint;
}

export interface TicketUpkeepState {
  workflowId: bigint;
  period: bigint;
  /** The ticket open at the end (the upkeep's nextAt). */
  openTicket: bigint;
}

export interface TicketLedger {
  served: Perform[];
  doubled: Perform[];
  /** Open tickets at the cut-off, one entry per period each stayed open. */
  lost: { workflowId: bigint; at: bigint }[];
}

export function ticketLedger(upkeeps: TicketUpkeepState[], performs: Perform[], cutoff: bigint): TicketLedger {
  const served = performs.filter((p) => p.count === 1n);
  const doubled = performs.filter((p) => p.count > 1n);
  const lost: { workflowId: bigint; at: bigint }[] = [];
  for (const u of upkeeps) {
    for (let t = u.openTicket; t <= cutoff; t += u.period) lost.push({ workflowId: u.workflowId, at: t });
  }
  return { served, doubled, lost };
}

/**
 * The first block whose timestamp reaches `at` (the earliest that can carry a run due then), by binary
 * search: timestamps never decrease with the number. `blocks` lists [number, timestamp] ascending.
 */
export function firstBlockAtOrAfter(blocks: readonly (readonly [bigint, bigint])[]) {
  return (at: bigint): bigint | undefined => {
    let lo = 0;
    let hi = blocks.length - 1;
    if (blocks.length === 0 || blocks[hi]![1] < at) return undefined;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (blocks[mid]![1] >= at) hi = mid;
      else lo = mid + 1;
    }
    return blocks[lo]![0];
  };
}

/**
 * Lateness in blocks: 1 is the floor (the first block whose timestamp reaches the due time).
 * `blocks` lists [number, timestamp] in ascending order and must cover every run measured.
 */
export function latenessInBlocks(blocks: readonly (readonly [bigint, bigint])[]) {
  const floor = firstBlockAtOrAfter(blocks);
  return (dueAt: bigint, minedIn: bigint): number => {
    const first = floor(dueAt);
    if (first === undefined) throw new Error(`no block at or after ${dueAt}`);
    return Number(minedIn - first) + 1;
  };
}
