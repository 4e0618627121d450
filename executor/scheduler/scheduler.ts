/**
 * Turns the index's due workflows into queue jobs. One job per (chain, workflow, due slot) with a
 * deterministic id, so restarts and any number of schedulers enqueue nothing twice. TIME runs are
 * enqueued ahead as delayed jobs that become ready just after the block before their due time.
 */
import type { Cluster, Redis } from "ioredis";
import { type Hex, hexToString } from "viem";
import { type CronSpec, nextTicks, parseCron } from "../../lib/cron.js";
import { logPerformData } from "../../lib/log-trigger.js";
import { jobId, logJobId, type RunJobData, slotJob } from "../../lib/queue.js";
import type { ChainClock } from "../chain-clock.js";
import { type Logger, throttled } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { RunQueue } from "../queue.js";
import { surelyUnderpriced } from "../worker/economics.js";
import type { ChainSchedule } from "./chain-schedule.js";
import type { CheckAt, ConditionResult } from "./conditions.js";
import type { DueLog, DueWorkflow, IndexReader } from "./index-reader.js";
import type { Reconciler } from "./reconciler.js";

export interface SchedulerDeps {
  chainId: number;
  index: IndexReader;
  queue: RunQueue;
  /** A plain connection to the queue's Redis, for the epoch marker. */
  redis: Pick<Redis | Cluster, "set">;
  clock: ChainClock;
  conditions: { due(workflows: DueWorkflow[], at: CheckAt): Promise<ConditionResult[]> };
  /** How much earlier than its ready time a job should reach the worker (the worker's simulation head start). */
  releaseAdvanceMs?: () => number;
  /** Offers again what a reorg undid after its job completed (optional: tools run without it). */
  reconciler?: Reconciler;
  log: Logger;
  metrics: Metrics;
  lookaheadSeconds: number;
  pollMs: number;
  /** Blocks a log waits on top of its own before its run is offered (CONFIRMATIONS; 0 = the next block). */
  logConfirmations?: number;
  /**
   * TIME and CRON schedules from the registry's events, offered while the index is not ready or lags
   * (a cold start): without them a 1 s workflow lost every slot until Ponder caught up.
   */
  chain?: ChainSchedule;
}

/**
 * Future slots of a TIME workflow offered ahead: every slot within SCHEDULER_LOOKAHEAD_S, up to this
 * many. Slots lie on a fixed grid (start + k × interval), so they can be enqueued before the index has
 * seen the previous run: the index leaves the critical path, and the executor keeps every TIME workflow
 * running through an index outage as long as the lookahead (a killed Ponder takes 25–50 s to come back
 * here). The contract still decides what is due: a slot that an update or pause invalidated is skipped,
 * never doubled. Early wake-ups are harmless (the batcher holds a job until the next block can carry it).
 */
const MAX_SLOTS_AHEAD = 120;

/**
 * Re-offer everything due at least this often, even if nothing changed. Ids dedupe, but the burst costs
 * Redis and event-loop time that 1 s workflows feel; lost Redis data is caught sooner by the epoch key.
 */
const FULL_PASS_MS = 30_000;
const LAG_WARN_BLOCKS = 5n;
/** How often overdue workflows are checked against the chain for runs a reorg undid. */
const RECONCILE_MS = 5_000;
/**
 * Jobs handed to Redis per addBulk. A pass used to build all its jobs and add them at once: with 10,000
 * workflows due and a minute of slots ahead that was 20,000 jobs, their BullMQ Job objects and one
 * ioredis pipeline of 20,000 script calls alive together, and it took the scheduler process to 339 MiB
 * (bench: scheduler at 1M workflows). In chunks, what a pass holds no longer grows with what is due.
 */
const ENQUEUE_CHUNK = 500;

export class Scheduler {
  readonly #d: SchedulerDeps;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #stopped = false;
  #lastIndexed: bigint | undefined;
  #lastFullPass = 0;
  #lastReconcile = 0;
  #failing = throttled();
  /** Blocks the index trails the chain head, as of the last pass (for /health). */
  indexLag = 0n;
  /** The index has answered /ready (for /health: until then TIME and CRON slots come from the chain). */
  indexReady = false;
  #lastWaitLog = 0;
  #lastChainHead: bigint | undefined;
  #keptUpSince: number | undefined;
  /** Job ids this process already enqueued; forgotten when Redis loses them (see #epochKey). */
  #offered = new Set<string>();
  #epochKey: string;

  constructor(deps: SchedulerDeps) {
    this.#d = deps;
    this.#epochKey = deps.queue.toKey("scheduler-epoch");
  }

  /** Schedules at once: from the chain (TIME, CRON) until the index is ready, then from the index. */
  async start(): Promise<void> {
    this.#timer = setInterval(() => void this.tick(), this.#d.pollMs);
    await this.tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    while (this.#running) await new Promise((r) => setTimeout(r, 20));
  }

  /** Whether the index has answered /ready yet (asked on every tick until it has; logged every 10 s). */
  async #indexReady(): Promise<boolean> {
    if (this.indexReady) return true;
    const { index, log } = this.#d;
    this.indexReady = await index.ready();
    if (this.indexReady) log.info("index ready; scheduling");
    else if (Date.now() - this.#lastWaitLog >= 10_000) {
      this.#lastWaitLog = Date.now();
      const meanwhile = this.#d.chain ? "TIME and CRON slots come from the chain meanwhile" : "nothing is scheduled";
      log.info({ ponderUrl: index.ponderUrl }, `waiting for the index to be ready; ${meanwhile}`);
    }
    return this.indexReady;
  }

  /**
   * While the index is not ready or lags the head by more than LAG_WARN_BLOCKS, a pass over the chain's
   * TIME and CRON schedules (chain-schedule.ts), alongside the index's own passes once it answers. The
   * job ids are the same, so whichever offers a slot first, it is offered once. The schedules read are
   * dropped once the index has kept up for FULL_PASS_MS.
   */
  async #chainPass(indexed: bigint | undefined): Promise<void> {
    const { chain, clock } = this.#d;
    if (!chain) return;
    const head = clock.head.number;
    if (indexed !== undefined && head - indexed <= LAG_WARN_BLOCKS) {
      this.#keptUpSince ??= Date.now();
      if (Date.now() - this.#keptUpSince >= FULL_PASS_MS) chain.forget();
      return;
    }
    this.#keptUpSince = undefined;
    if (head === this.#lastChainHead) return;
    await chain.sync(head);
    this.#lastChainHead = head;
    await this.pass(head, false, chain);
  }

  /** Runs a pass when the index has a new block (or every FULL_PASS_MS); never two at once. */
  async tick(): Promise<void> {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    try {
      const indexed = (await this.#indexReady()) ? await this.#d.index.indexedBlock() : undefined;
      await this.#chainPass(indexed);
      const full = Date.now() - this.#lastFullPass >= FULL_PASS_MS;
      if (indexed !== undefined && (indexed !== this.#lastIndexed || full)) {
        this.#lastIndexed = indexed;
        await this.pass(indexed, full);
      }
    } catch (error) {
      this.#failing((heldBack) =>
        this.#d.log.error({ err: (error as Error).message, heldBack }, "scheduling pass failed"),
      );
    } finally {
      this.#running = false;
    }
  }

  /** `from`: where due work is read, the index (default) or, while it is behind, the chain's schedules. */
  async pass(
    indexedBlock: bigint,
    full = true,
    from: Pick<IndexReader, "due" | "dueLogs"> = this.#d.index,
  ): Promise<number> {
    const { clock, index, queue, conditions, log, metrics, chainId } = this.#d;
    const fromIndex = from === index;
    const head = clock.head;
    const lag = head.number > indexedBlock ? head.number - indexedBlock : 0n;
    if (fromIndex) {
      metrics.indexLag.set(Number(lag));
      this.indexLag = lag;
    }
    if (fromIndex && lag > LAG_WARN_BLOCKS)
      log.warn(
        { chainHead: String(head.number), indexedBlock: String(indexedBlock), lag: String(lag) },
        "index lags the chain",
      );

    await this.#checkEpoch();
    if (full) {
      this.#offered.clear();
      this.#lastFullPass = Date.now();
    }
    const nextBlockTime = clock.nextBlockTimestamp();
    // Both reads at once: a log's run is on the clock (it should land in the next block).
    const [due, dueLogs] = await Promise.all([
      from.due(nextBlockTime + BigInt(this.#d.lookaheadSeconds)),
      from.dueLogs(),
    ]);
    if (fromIndex && this.#d.reconciler && Date.now() - this.#lastReconcile >= RECONCILE_MS) {
      this.#lastReconcile = Date.now();
      // Overdue by a few blocks: long enough for a run in flight to have been mined and indexed.
      const grace = BigInt(Math.ceil(3 * clock.blockTimeSeconds) + 2);
      for (const id of await this.#d.reconciler.run(
        due.filter((w) => w.triggerKind !== "LOG"),
        nextBlockTime,
        grace,
      ))
        this.#offered.delete(id);
    }
    // CRON slots are ticks on a fixed schedule too, offered ahead the same way.
    const timeJobs = due.filter((w) => w.triggerKind === "TIME" || w.triggerKind === "CRON");
    const conditionCandidates = due.filter((w) => w.triggerKind === "CONDITION" && w.nextExecutionAt <= nextBlockTime);
    const fresh = (w: DueWorkflow, slot = w.nextExecutionAt) => !this.#offered.has(jobId(chainId, w.id, slot));
    // Checkers answer as of a block at least as new as the index's view of the workflows. Asked at an
    // older block (our head poll can lag the index when the RPC hangs), a checker would still want the
    // run the index already shows done, under the new slot's job id: a perform twice. Found by the
    // chaos suite's request-timeout fault, 3 tickets of an unguarded upkeep performed twice.
    const checkedAt = head.number > indexedBlock ? head.number : indexedBlock;
    // A log is offered once it has CONFIRMATIONS blocks on top: its run lands in the block after that.
    // Its jobs go in first: a slow checker must not make a log miss the next block.
    const confirmed = checkedAt - BigInt(this.#d.logConfirmations ?? 0);
    const logJobs = dueLogs
      .filter((l) => l.blockNumber <= confirmed)
      .map((l) => this.#logJob(l))
      .filter((job) => !this.#offered.has(job.opts.jobId));
    for (let i = 0; i < logJobs.length; i += ENQUEUE_CHUNK) {
      const chunk = logJobs.slice(i, i + ENQUEUE_CHUNK);
      await queue.addBulk(chunk);
      for (const job of chunk) this.#offered.add(job.opts.jobId);
      metrics.jobsEnqueued.inc({ trigger: "LOG" }, chunk.length);
    }
    const conditionHits = await conditions.due(
      conditionCandidates.filter((w) => fresh(w)),
      checkedAt === head.number ? { number: checkedAt, hash: head.hash } : { number: checkedAt },
    );

    const advance = this.#d.releaseAdvanceMs?.() ?? 0;
    const horizon = nextBlockTime + BigInt(this.#d.lookaheadSeconds);
    // A workflow that surely cannot pay a run at today's base fee gets its next slot only, not a minute of
    // slots ahead: that one job waits as underpriced (worker/economics.ts), and a thousand such workflows
    // cost a thousand jobs, not sixty thousand (found by the chaos suite's "many cheap workflows": 30,000
    // jobs of 1 gwei workflows held honest runs up to 3 blocks late).
    const baseFee = head.baseFeePerGas ?? 0n;
    // Built and added a chunk at a time (ENQUEUE_CHUNK). A TIME job's delay counts from when its chunk is
    // added (BullMQ stamps a job when it is added), so each chunk takes the time afresh.
    let chunk: { w: DueWorkflow; slot: bigint; performData: Hex; checkedAt?: bigint }[] = [];
    let offered = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      const now = Date.now();
      const jobs = chunk.map(({ w, slot, performData, checkedAt }) =>
        checkedAt === undefined
          ? this.#job(w, slot, performData, Math.max(0, clock.readyAtMs(slot) - advance - now))
          : this.#job(w, slot, performData, 0, checkedAt),
      );
      chunk = [];
      await queue.addBulk(jobs);
      const byTrigger = new Map<string, number>();
      for (const job of jobs) {
        this.#offered.add(job.opts.jobId);
        const trigger = job.data.trigger ?? "TIME";
        byTrigger.set(trigger, (byTrigger.get(trigger) ?? 0) + 1);
      }
      for (const [trigger, n] of byTrigger) metrics.jobsEnqueued.inc({ trigger }, n);
      offered += jobs.length;
    };
    for (const w of timeJobs) {
      for (const slot of surelyUnderpriced(w.maxFeePerRun, baseFee) ? [w.nextExecutionAt] : slotsOf(w, horizon)) {
        if (!fresh(w, slot)) continue;
        chunk.push({ w, slot, performData: "0x" });
        if (chunk.length >= ENQUEUE_CHUNK) await flush();
      }
    }
    for (const hit of conditionHits) {
      chunk.push({
        w: hit.workflow,
        slot: hit.workflow.nextExecutionAt,
        // Tied to its check: the chain runs it only as the run after those the check saw (conditions.ts).
        performData: hit.performData,
        checkedAt: head.timestamp,
      });
      if (chunk.length >= ENQUEUE_CHUNK) await flush();
    }
    await flush();
    if (offered > 0) log.debug({ offered, due: due.length, indexedBlock: String(indexedBlock) }, "scheduled");
    return offered + logJobs.length;
  }

  /** `checkedAt`: CONDITION, the timestamp of the block whose check said yes (the run is late from it). */
  #job(w: DueWorkflow, slot: bigint, performData: Hex, delay: number, checkedAt?: bigint) {
    const { jobId, data } = slotJob(this.#d.chainId, w, slot, performData, checkedAt);
    return { name: "run", data, opts: { jobId, delay } };
  }

  /** One log's run: its performData starts with the log's reference, which the chain checks and guards. */
  #logJob(l: DueLog) {
    const data: RunJobData = {
      chainId: this.#d.chainId,
      workflowId: l.workflowId.toString(),
      dueAt: l.blockTime.toString(),
      readyAt: l.blockTime.toString(),
      performData: logPerformData(l, l.performData ?? "0x"),
      gasLimit: l.gasLimit,
      trigger: "LOG",
    };
    return {
      name: "run",
      data,
      opts: { jobId: logJobId(this.#d.chainId, l.workflowId, l.blockHash, l.logIndex), delay: 0 },
    };
  }

  /** If Redis lost its data (FLUSHALL, failover), forget what we offered so the next pass rebuilds it. */
  async #checkEpoch(): Promise<void> {
    const created = await this.#d.redis.set(this.#epochKey, String(Date.now()), "NX");
    if (created === "OK" && this.#offered.size > 0) {
      this.#d.log.warn("queue state was lost (Redis flushed?); re-enqueueing everything due from the index");
      this.#offered.clear();
    }
  }
}

/** Parsed CRON expressions by trigger data (the registry parsed them too; this mirrors lib/cron.ts). */
const cronSpecs = new Map<Hex, CronSpec | undefined>();

function cronOf(triggerData: Hex): CronSpec | undefined {
  if (!cronSpecs.has(triggerData)) {
    let spec: CronSpec | undefined;
    try {
      spec = parseCron(hexToString(triggerData));
    } catch {
      spec = undefined; // the registry refused it then; only the next slot (from the index) is offered
    }
    if (cronSpecs.size > 10_000) cronSpecs.clear();
    cronSpecs.set(triggerData, spec);
  }
  return cronSpecs.get(triggerData);
}

/** The workflow's next slot and those after it within the horizon and its end time (MAX_SLOTS_AHEAD at most). */
export function slotsOf(w: DueWorkflow, horizon: bigint): bigint[] {
  const slots = [w.nextExecutionAt];
  if (w.triggerKind === "CRON") {
    const cron = cronOf(w.triggerData);
    if (!cron) return slots;
    const ahead = nextTicks(cron, w.nextExecutionAt, MAX_SLOTS_AHEAD);
    return [...slots, ...ahead.filter((t) => t <= horizon && (w.endTime === 0n || t <= w.endTime))];
  }
  if (w.interval === 0n) return slots;
  for (let k = 1n; k <= BigInt(MAX_SLOTS_AHEAD); k++) {
    const slot = w.nextExecutionAt + k * w.interval;
    if (slot > horizon || (w.endTime !== 0n && slot > w.endTime)) break;
    slots.push(slot);
  }
  return slots;
}
