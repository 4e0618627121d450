/**
 * TIME and CRON schedules read from the registry's own events, for while the index cannot say what is
 * due: a cold start (Ponder from scratch answered nothing for 20-30 s on this machine, and backfills for
 * minutes on a real chain) or an index that has fallen behind the chain. Without it, a 1 s workflow lost
 * every slot of that window to the contract's missed-slot rule.
 *
 * A TIME workflow's slots lie on a fixed grid (its first slot + k × interval) that runs only step along,
 * so the events that set a schedule (registered, updated, paused/resumed/cancelled/completed) are all it
 * takes to know which slots come due; a CRON workflow's ticks follow from its expression the same way.
 * Which of them is still owed is the contract's call: a slot already served is refused (the worker drops
 * it without sending), never run twice. Unknown here: runs, balances and the other trigger kinds, which
 * wait for the index.
 */
import { type Chain, type Hex, hexToString, type PublicClient, type Transport } from "viem";
import { workflowRegistryAbi } from "../../abis/index.js";
import { type CronSpec, nextTick, parseCron } from "../../lib/cron.js";
import { Status, TriggerType } from "../../lib/spec.js";
import type { ChainClock } from "../chain-clock.js";
import type { Logger } from "../log.js";
import type { DueLog, DueWorkflow } from "./index-reader.js";

type ScheduleEvent = Extract<
  (typeof workflowRegistryAbi)[number],
  { type: "event"; name: "WorkflowRegistered" | "WorkflowUpdated" | "WorkflowStatusChanged" }
>;
const EVENTS = workflowRegistryAbi.filter(
  (item): item is ScheduleEvent =>
    item.type === "event" &&
    (item.name === "WorkflowRegistered" || item.name === "WorkflowUpdated" || item.name === "WorkflowStatusChanged"),
);

/** Blocks per eth_getLogs at first; halved when an endpoint refuses the range, down to one block. */
const MAX_RANGE = 10_000n;
/**
 * Workflows followed at most: the schedules of a registry this large stay with the index (a row here is
 * a few hundred bytes; a scheduler serves the rest once the index answers).
 */
const MAX_WORKFLOWS = 100_000;

interface Row {
  kind: "TIME" | "CRON";
  status: number;
  /** The schedule's anchor: the slot the last event named. Runs since only moved it along the grid. */
  anchor: bigint;
  interval: bigint;
  endTime: bigint;
  triggerData: Hex;
  /** CRON: the parsed expression (undefined if it does not parse: the registry refused it then). */
  cron?: CronSpec | undefined;
  gasLimit: number;
  maxFeePerRun: bigint;
}

/** CRON: an overdue tick is looked for this far back; older ones are the index's to offer. */
const CRON_LOOKBACK_S = 3600n;

export interface ChainScheduleDeps {
  client: PublicClient<Transport, Chain>;
  registry: `0x${string}`;
  /** The registry's deployment block: no event comes before it. */
  fromBlock: bigint;
  clock: ChainClock;
  log: Logger;
}

export class ChainSchedule {
  readonly #d: ChainScheduleDeps;
  #rows = new Map<bigint, Row>();
  /** The next block whose events are still to be read. */
  #next: bigint;
  #range = MAX_RANGE;
  #full = false;

  constructor(deps: ChainScheduleDeps) {
    this.#d = deps;
    this.#next = deps.fromBlock;
  }

  /** Reads the registry's schedule events up to `toBlock`. */
  async sync(toBlock: bigint): Promise<void> {
    const first = this.#next === this.#d.fromBlock;
    while (this.#next <= toBlock) {
      const to = this.#next + this.#range - 1n < toBlock ? this.#next + this.#range - 1n : toBlock;
      let logs: Awaited<ReturnType<typeof this.read>>;
      try {
        logs = await this.read(this.#next, to);
      } catch (error) {
        // Public endpoints cap the range (or the answer's size) of eth_getLogs: ask for less.
        if (this.#range === 1n) throw error;
        this.#range = this.#range / 2n;
        continue;
      }
      for (const log of logs) this.#apply(log);
      this.#next = to + 1n;
    }
    if (first) {
      const { fromBlock, log } = this.#d;
      log.info(
        { workflows: this.#rows.size, fromBlock: String(fromBlock), toBlock: String(toBlock) },
        "read TIME and CRON schedules from the chain until the index is ready",
      );
    }
  }

  /** One eth_getLogs of the schedule events (public only so its result type can be named). */
  read(fromBlock: bigint, toBlock: bigint) {
    return this.#d.client.getLogs({ address: this.#d.registry, events: EVENTS, fromBlock, toBlock, strict: true });
  }

  /**
   * Active TIME and CRON workflows with a slot due by `horizon`, each from the slot it owes now: the
   * latest grid point at or before the next block's time (an overdue slot, or one served since, which the
   * contract tells apart), else its next one. Shaped as the index's rows (IndexReader.due), so the
   * scheduler's pass offers them as it offers those.
   */
  async due(horizon: bigint): Promise<DueWorkflow[]> {
    const nextBlockTime = this.#d.clock.nextBlockTimestamp();
    const due: DueWorkflow[] = [];
    for (const [id, row] of this.#rows) {
      if (row.status !== Status.ACTIVE) continue;
      const slot = currentSlot(row, nextBlockTime);
      if (slot === undefined || slot > horizon) continue;
      due.push({
        id,
        triggerKind: row.kind,
        checkerKind: "NONE",
        checker: "0x0000000000000000000000000000000000000000",
        triggerData: row.triggerData,
        nextExecutionAt: slot,
        interval: row.interval,
        endTime: row.endTime,
        gasLimit: row.gasLimit,
        maxFeePerRun: row.maxFeePerRun,
        // Unknown here; CONDITION workflows wait for the index.
        runCount: 0,
      });
    }
    return due;
  }

  /** LOG runs need the index's matched logs: none come from here. */
  async dueLogs(): Promise<DueLog[]> {
    return [];
  }

  /** Drops everything read: the index has caught up, and memory goes back to it. */
  forget(): void {
    if (this.#next === this.#d.fromBlock) return;
    this.#rows = new Map();
    this.#next = this.#d.fromBlock;
    this.#full = false;
  }

  #apply(log: Awaited<ReturnType<ChainSchedule["read"]>>[number]): void {
    const id = log.args.id;
    if (log.eventName === "WorkflowStatusChanged") {
      const row = this.#rows.get(id);
      if (!row) return;
      row.status = log.args.status;
      row.anchor = log.args.nextExecutionAt;
      return;
    }
    const { spec, nextExecutionAt } = log.args;
    const kind =
      spec.trigger.kind === TriggerType.TIME ? "TIME" : spec.trigger.kind === TriggerType.CRON ? "CRON" : undefined;
    if (!kind) {
      this.#rows.delete(id); // an update to another kind of trigger
      return;
    }
    const existing = this.#rows.get(id);
    if (!existing && this.#rows.size >= MAX_WORKFLOWS) {
      if (!this.#full)
        this.#d.log.warn({ max: MAX_WORKFLOWS }, "cold start: following no more workflows from the chain");
      this.#full = true;
      return;
    }
    this.#rows.set(id, {
      kind,
      // An update keeps the status (a paused workflow can be updated); a registration is active.
      status: existing?.status ?? Status.ACTIVE,
      anchor: nextExecutionAt,
      interval: spec.trigger.interval,
      endTime: spec.endTime,
      triggerData: spec.trigger.data,
      cron: kind === "CRON" ? cronOf(spec.trigger.data) : undefined,
      gasLimit: spec.gasLimit,
      maxFeePerRun: spec.maxFeePerRun,
    });
  }
}

/** The slot a workflow owes as of `at` (see `due`); undefined when it has none left. */
function currentSlot(row: Row, at: bigint): bigint | undefined {
  const last = row.endTime === 0n ? undefined : row.endTime;
  if (row.anchor >= at || (row.kind === "TIME" && row.interval === 0n)) {
    return last !== undefined && row.anchor > last ? undefined : row.anchor;
  }
  if (row.kind === "TIME") {
    // The latest grid point at or before `at`, or before the end time (a slot due by then still runs).
    const until = last !== undefined && last < at ? last : at;
    return row.anchor + ((until - row.anchor) / row.interval) * row.interval;
  }
  // CRON: the latest tick at or before `at` within the lookback (else the first after it), so the
  // scheduler's ticks ahead start now rather than at an anchor that may be days old.
  if (!row.cron) return undefined;
  const from = row.anchor > at - CRON_LOOKBACK_S ? row.anchor : at - CRON_LOOKBACK_S;
  let slot = nextTick(row.cron, from - 1n);
  for (let tick = slot; tick !== undefined && tick <= at; tick = nextTick(row.cron, tick)) slot = tick;
  return slot === undefined || (last !== undefined && slot > last) ? undefined : slot;
}

function cronOf(data: Hex): CronSpec | undefined {
  try {
    return parseCron(hexToString(data));
  } catch {
    return undefined;
  }
}
