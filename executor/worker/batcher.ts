/**
 * Gathers ready jobs into executeBatch transactions bounded by BATCH_SIZE and a gas budget, and runs
 * each batch: simulate at the landing block's timestamp, drop what would fail or is not due, send with
 * the simulated gas plus the buffer, wait for the receipt, and report every job's outcome.
 * Batches are not serialised: the next one is sent while earlier ones wait for receipts. Errors become
 * outcomes in outcome.ts, so only a run's own revert uses up an attempt.
 */
import { type Chain, encodeFunctionData, type Hash, type Hex, type PublicClient, type Transport } from "viem";
import { actionExecutorAbi } from "../../abis/index.js";
import { checkRefOf } from "../../lib/check-ref.js";
import { logRefOf } from "../../lib/log-trigger.js";
import type { TriggerName } from "../../lib/queue.js";
import { decodeRevertReason } from "../../lib/revert-reason.js";
import { enumName, SkipReason } from "../../lib/spec.js";
import type { ChainClock, Landing } from "../chain-clock.js";
import {
  errorText,
  FeeCapError,
  RpcUnavailableError,
  RunRevertedError,
  SignerFundsError,
  TxPendingError,
  WorkflowFundsError,
} from "../errors.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { landingPrice, type RunEconomics } from "./economics.js";
import type { Fees } from "./fees.js";
import { type Outcome, outcomeOfError } from "./outcome.js";
import { eventOf, itemEvents, itemKey } from "./receipt.js";
import type { Signer, TxRequest } from "./signer.js";
import type { ItemSimulation, Simulate } from "./simulate.js";

export interface BatchItem {
  workflowId: bigint;
  dueAt: bigint;
  performData: Hex;
  gasLimit: number;
  /** CRON runs as TIME does (a slot on a grid); LOG items carry their log's reference in performData. */
  trigger: TriggerName;
  /** When the run became due, for its lateness: a condition's first yes, a log's block (see RunJobData). */
  readyAt?: bigint;
  /** Records a hash (and the signer and nonce it was sent with) on the job before it is broadcast. */
  recordTx(hash: Hash, signer: Hex, nonce: number): Promise<void>;
  /**
   * Puts the job back in the queue after it completed: a reorg undid its run and the re-send at the same
   * nonce had to leave it out (not due yet on the re-mined chain, say). Without it the run would wait for
   * the reconciler's next look, seconds after its slot.
   */
  reopen?(): Promise<void>;
}

export interface BatcherOptions {
  executor: Hex;
  batchSize: number;
  batchGasLimit: number;
  batchWaitMs: number;
  gasBufferPercent: number;
  txTimeoutMs: number;
}

export interface BatcherDeps {
  client: PublicClient<Transport, Chain>;
  signers: Signer[];
  simulate: Simulate;
  /** Decides whether a run pays its way (and refuses oversized performData) before it is sent. */
  economics: RunEconomics;
  clock: ChainClock;
  options: BatcherOptions;
  log: Logger;
  metrics: Metrics;
}

interface Pending {
  item: BatchItem;
  resolve(outcome: Outcome): void;
}

/**
 * A sent batch: the workflows whose jobs completed with it (only `reopen` brings such a run back), and
 * those handed back to their jobs since (the job owns the run again; re-sends leave it out).
 */
interface BatchState {
  completed: Set<string>;
  reopened: Set<string>;
  /** Left out by the re-send being prepared: handed back once its hash is on their jobs (see #record). */
  handBack: Map<BatchItem, Outcome>;
}

/** A mined skip as a simulation result, for the verdicts that read both. */
const NO_RUN: ItemSimulation = { skipReason: 0, success: false, gasUsed: 0n, fee: 0n, reason: "0x", dueAt: 0n };
const NOT_SENT: Outcome = { kind: "failed", message: "a mined LOG item reported a run without its event" };

/** The batch with each workflow's LOG items in log order, in the places they held; other items stay put. */
function inLogOrder(batch: Pending[]): Pending[] {
  const places = new Map<bigint, number[]>();
  batch.forEach((p, i) => {
    if (p.item.trigger === "LOG") places.set(p.item.workflowId, [...(places.get(p.item.workflowId) ?? []), i]);
  });
  const out = [...batch];
  const position = (p: Pending) => logRefOf(p.item.performData) ?? { blockNumber: 0n, logIndex: 0 };
  for (const at of places.values()) {
    const sorted = at
      .map((i) => batch[i]!)
      .sort((x, y) => {
        const [a, b] = [position(x), position(y)];
        return a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1;
      });
    at.forEach((i, k) => {
      out[i] = sorted[k]!;
    });
  }
  return out;
}

/** A CONDITION job whose slot the chain disagrees with for this long is dropped as stale. */
const STALE_AFTER_S = 60n;
/** Per-item gas the batch budget reserves: the item's limit under the 63/64 rule plus bookkeeping. */
const itemBudget = (gasLimit: number) => Math.ceil((gasLimit * 64) / 63) + 110_000;

export class Batcher {
  readonly #d: BatcherDeps;
  #pending: Pending[] = [];
  #parked: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #parkTimer: NodeJS.Timeout | undefined;
  #inFlight = new Set<Promise<void>>();
  /** Workflows with a run in a transaction this process has not seen settle. */
  #busyWorkflows = new Set<bigint>();
  #feeCapSince: number | undefined;
  #preparing = new Map<Signer, number>();
  #turn = 0;
  /** Recent simulation time (ms, exponentially weighted): how long the RPC takes to answer one. */
  #simMs = 0;

  constructor(deps: BatcherDeps) {
    this.#d = deps;
    deps.clock.onHead(() => this.#release());
  }

  /** True while the base fee is at or above MAX_FEE_GWEI (runs wait). */
  get feeCapped(): boolean {
    return this.#feeCapSince !== undefined;
  }

  /**
   * How much earlier than "the block before its due time is mined" a job is taken up: the time a
   * simulation takes here (1.5 × its recent average), so that on a slow RPC the transaction still goes
   * out just after that block rather than a round trip later. The send itself waits for that block
   * (see #run), so taking a job early never sends it early. At most most of a block.
   */
  advanceMs(): number {
    return Math.min(0.8 * this.#blockMs(), 1.5 * this.#simMs + 50);
  }

  /**
   * Takes a ready job. A job may wake before the block preceding its due time exists (its ready time
   * was computed from the block phase seconds earlier); sent then, it would serve the workflow's
   * previous slot and push its own a block late. So it waits here until the next block can carry its
   * due time (less the simulation's head start), released by the next head or the clock.
   */
  submit(item: BatchItem): Promise<Outcome> {
    return new Promise((resolve) => {
      const entry = { item, resolve };
      if (this.#releasable(item)) this.#enqueue(entry);
      else {
        this.#parked.push(entry);
        this.#parkTimer ??= setInterval(() => this.#release(), 100);
      }
    });
  }

  #enqueue(entry: Pending): void {
    this.#pending.push(entry);
    if (this.#pending.length >= this.#d.options.batchSize) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.#d.options.batchWaitMs);
  }

  #releasable(item: BatchItem): boolean {
    return item.dueAt <= this.#d.clock.nextBlockTimestamp(Date.now() + this.advanceMs());
  }

  /** Moves parked items whose due time the next block reaches into the batch. */
  #release(): void {
    const still: Pending[] = [];
    for (const entry of this.#parked) {
      if (this.#releasable(entry.item)) this.#enqueue(entry);
      else still.push(entry);
    }
    this.#parked = still;
    if (still.length === 0) {
      clearInterval(this.#parkTimer);
      this.#parkTimer = undefined;
    }
  }

  /** Sends everything gathered so far (in as many batches as the limits require). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#pending.length > 0) {
      const batch = this.#take();
      if (batch.length === 0) continue;
      const run = this.#run(batch).catch((error: unknown) => {
        this.#d.log.error({ err: errorText(error) }, "batch failed unexpectedly");
        for (const p of batch) p.resolve(outcomeOfError(error));
      });
      this.#inFlight.add(run);
      void run.finally(() => this.#inFlight.delete(run));
    }
  }

  /** Waits for every batch in flight (graceful shutdown). */
  async drain(): Promise<void> {
    for (const p of this.#parked) p.resolve(this.#delayUntilDue(p.item, "shutting down", "shutdown"));
    this.#parked = [];
    this.flush();
    await Promise.all(this.#inFlight);
  }

  /**
   * The next batch: at most BATCH_SIZE items and the gas budget, one slot per workflow. LOG items are the
   * exception: each is its own log (the chain guards each), so a burst of one workflow's logs fills whole
   * batches, and every LOG item of a batch belongs to one signer (logSigner), whose nonces keep a
   * workflow's logs in order even when several of its batches land in one block.
   */
  #take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const seen = new Set<bigint>();
    const next = this.#d.clock.nextBlockTimestamp();
    let gas = 0;
    let lane: number | undefined;
    for (const p of this.#pending) {
      const cost = itemBudget(p.item.gasLimit);
      const fits =
        batch.length < this.#d.options.batchSize && (batch.length === 0 || gas + cost <= this.#d.options.batchGasLimit);
      if (p.item.trigger === "LOG") {
        const own = this.#lane(p.item.workflowId);
        if (fits && (lane === undefined || lane === own)) {
          lane = own;
          batch.push(p);
          gas += cost;
        } else rest.push(p);
        continue;
      }
      if (seen.has(p.item.workflowId)) {
        // Two slots of one workflow never share a block: the later one waits for its own due time.
        p.resolve(this.#delayUntilDue(p.item, "an earlier slot of this workflow is in flight", "in_flight"));
      } else if (
        this.#busyWorkflows.has(p.item.workflowId) &&
        (p.item.trigger === "CONDITION" || p.item.dueAt < next)
      ) {
        // A run of this workflow is in a transaction not yet settled: wait for it, then simulate against
        // the state it leaves. A condition run might otherwise perform twice (its job may be a copy made
        // after Redis lost the first). An overdue TIME slot would only be passed over by the contract
        // once the run in flight lands (a burst of stale slots after an outage, each a wasted send). A
        // TIME slot due in the next block goes out at once: the contract refuses a slot twice, and
        // holding it back would make a 1 s workflow late.
        p.resolve({
          kind: "delay",
          untilMs: Date.now() + this.#blockMs(),
          why: "a run of this workflow is in flight",
          reason: "in_flight",
        });
      } else if (fits) {
        batch.push(p);
        seen.add(p.item.workflowId);
        gas += cost;
      } else {
        rest.push(p);
      }
    }
    this.#pending = rest;
    // A workflow's logs go out in log order (jobs reach the batcher in the order their workers took them).
    return inLogOrder(batch);
  }

  /** The signer lane of a LOG workflow: all its logs go through one signer, in nonce order. */
  #lane(workflowId: bigint): number {
    return Number(workflowId % BigInt(Math.max(1, this.#d.signers.length)));
  }

  /**
   * The healthy signer with the least work: transactions in flight plus batches it has been given and
   * not yet sent (a batch spends a simulation and a hold before it counts as in flight). Ties go round.
   */
  #pickSigner(batch: Pending[]): Signer | undefined {
    const log = batch.find((p) => p.item.trigger === "LOG");
    const own = log ? this.#d.signers[this.#lane(log.item.workflowId)] : undefined;
    if (own?.healthy) {
      this.#preparing.set(own, (this.#preparing.get(own) ?? 0) + 1);
      return own;
    }
    // Its own signer is out of gas money or failing: the logs go out with another (order may then differ).
    const healthy = this.#d.signers.filter((s) => s.healthy);
    if (healthy.length === 0) return undefined;
    const load = (s: Signer) => s.inFlight + (this.#preparing.get(s) ?? 0);
    const start = this.#turn++ % healthy.length;
    const order = [...healthy.slice(start), ...healthy.slice(0, start)];
    const signer = order.reduce((best, s) => (load(s) < load(best) ? s : best));
    this.#preparing.set(signer, (this.#preparing.get(signer) ?? 0) + 1);
    return signer;
  }

  #donePreparing(signer: Signer): void {
    this.#preparing.set(signer, (this.#preparing.get(signer) ?? 1) - 1);
  }

  #blockMs(): number {
    return Math.round(this.#d.clock.blockTimeSeconds * 1000);
  }

  #delayUntilDue(item: BatchItem, why: string, reason: "not_due" | "in_flight" | "shutdown" = "not_due"): Outcome {
    const at = Math.max(Date.now() + 200, this.#d.clock.readyAtMs(item.dueAt));
    return { kind: "delay", untilMs: at, why, reason };
  }

  /** Says once when fees cross the cap, and once when they are back under it. */
  #noteFees(over: FeeCapError | undefined): void {
    if (over && this.#feeCapSince === undefined) {
      this.#feeCapSince = Date.now();
      this.#d.metrics.feeCapExceeded.set(1);
      this.#d.log.warn({ err: over.message }, "base fee above MAX_FEE_GWEI: runs wait for it to fall");
    } else if (!over && this.#feeCapSince !== undefined) {
      this.#d.log.info(
        { waitedMs: Date.now() - this.#feeCapSince },
        "base fee back under MAX_FEE_GWEI: sending resumes",
      );
      this.#feeCapSince = undefined;
      this.#d.metrics.feeCapExceeded.set(0);
    }
  }

  /**
   * What one simulated item means for its job: undefined when it should be sent, else its outcome.
   * `landing` is the block the simulation ran as (its number and timestamp), `price` the gas price its
   * fees were computed at.
   */
  #verdict(item: BatchItem, r: ItemSimulation, landing: Landing, price: bigint): Outcome | undefined {
    const target = landing.timestamp;
    if (item.trigger === "LOG") return this.#logVerdict(item, r, target, price);
    if (r.skipReason === SkipReason.NONE) {
      if (!r.success) {
        return outcomeOfError(
          new RunRevertedError(`action would revert: ${decodeRevertReason(r.reason) ?? "no reason"}`),
        );
      }
      if (item.trigger === "CONDITION" && r.dueAt !== item.dueAt) {
        // A condition answered for an earlier schedule: the workflow has run since (maybe for a lost copy
        // of this job). Running it again could perform twice; the scheduler asks the checker afresh.
        // (Or one too old to matter: a reorg moved the schedule back for good.)
        if (r.dueAt > item.dueAt || target > item.dueAt + STALE_AFTER_S) {
          return { kind: "skipped", reason: "STALE_CHECK", txHash: null };
        }
        // The node answered from before the run the index already showed (a lagging endpoint): ask again.
        return outcomeOfError(new RpcUnavailableError("the node's state is older than the index's"));
      }
      // It would run, and run well: sent only if its fee covers what it costs the worker.
      return this.#d.economics.judge(item, r, price);
    }
    if (r.skipReason === SkipReason.STALE_CHECK) {
      // Checked at a block our clock has not seen (the index ran ahead of a slow head poll): simulated as
      // of an older block, the check's block is "not mined yet". Asked again once the head moves on.
      const ref = checkRefOf(item.performData);
      if (ref && ref.blockNumber >= landing.number)
        return outcomeOfError(new RpcUnavailableError("the check's block is newer than the node's head"));
      // The workflow ran since its check, or a reorg replaced the block it was asked at (the chain refuses
      // such an answer: lib/check-ref.ts). The scheduler asks afresh.
      return { kind: "skipped", reason: "STALE_CHECK", txHash: null };
    }
    if (r.skipReason === SkipReason.NOT_DUE && item.dueAt <= target) {
      // Its slot is due, yet the chain says not due: the slot was already served (or skipped as missed).
      return { kind: "skipped", reason: "ALREADY_SERVED", txHash: null };
    }
    if (r.skipReason === SkipReason.NOT_DUE) return this.#delayUntilDue(item, "not due in the next block");
    if (r.skipReason === SkipReason.NOT_FUNDED)
      return outcomeOfError(new WorkflowFundsError("workflow cannot pay a run"));
    // Not active, expired or unknown: it will not run again, underpriced or not.
    this.#d.economics.forget(item.workflowId);
    return { kind: "skipped", reason: enumName(SkipReason, r.skipReason), txHash: null };
  }

  /** A LOG item's verdict: each log is its own run, guarded on chain, so no slot bookkeeping applies. */
  #logVerdict(item: BatchItem, r: ItemSimulation, target: bigint, price: bigint): Outcome | undefined {
    switch (r.skipReason) {
      case SkipReason.NONE:
        if (!r.success) {
          return outcomeOfError(
            new RunRevertedError(`action would revert: ${decodeRevertReason(r.reason) ?? "no reason"}`),
          );
        }
        return this.#d.economics.judge(item, r, price);
      case SkipReason.LOG_ALREADY_SERVED:
        return { kind: "skipped", reason: "ALREADY_SERVED", txHash: null };
      case SkipReason.LOG_NOT_CANONICAL:
        // Reorged out (the index drops it too), or a node behind the index: asked again for a while.
        if (target > item.dueAt + STALE_AFTER_S) return { kind: "skipped", reason: "LOG_NOT_CANONICAL", txHash: null };
        return outcomeOfError(new RpcUnavailableError("the log's block is not on the node's chain (yet)"));
      case SkipReason.NOT_DUE:
        return { kind: "delay", untilMs: Date.now() + 5_000, why: "the workflow has not started", reason: "not_due" };
      case SkipReason.NOT_FUNDED:
        return outcomeOfError(new WorkflowFundsError("workflow cannot pay a run"));
      default:
        this.#d.economics.forget(item.workflowId);
        return { kind: "skipped", reason: enumName(SkipReason, r.skipReason), txHash: null };
    }
  }

  /** Simulates `items` as one batch sent by `signer`, landing in `landing`. */
  #simulate(signer: Signer, items: BatchItem[], landing: Landing, price: bigint) {
    return this.#d.simulate(
      signer.address,
      items.map((i) => i.workflowId),
      items.map((i) => i.performData),
      landing,
      price,
    );
  }

  /** The executeBatch transaction for `items`, with the simulated gas plus what simulation cannot see. */
  #request(items: BatchItem[], gasRequired: bigint): TxRequest {
    const data = encodeFunctionData({
      abi: actionExecutorAbi,
      functionName: "executeBatch",
      args: [items.map((i) => i.workflowId), items.map((i) => i.performData)],
    });
    const calldataGas = BigInt(((data.length - 2) / 2) * 16);
    const gas = ((gasRequired + 21_000n + calldataGas) * BigInt(100 + this.#d.options.gasBufferPercent)) / 100n;
    return { to: this.#d.options.executor, data, gas };
  }

  /**
   * For a re-send after a reorg or a loss: the same runs simulated again at the next block, keeping those
   * that still run (and still answer the check they were made for); undefined when none is left.
   * A run left out whose job has already completed is handed back to its job (see `reopen`); one whose
   * job still waits learns from the mined version that it was left out, and goes round again.
   */
  #rebuild(signer: Signer, sent: BatchItem[], state: BatchState) {
    return async (): Promise<TxRequest | undefined> => {
      // A run handed back to its job is the job's again: this transaction never carries it after that.
      const items = sent.filter((i) => !state.reopened.has(itemKey(i)));
      if (items.length === 0) return undefined;
      const landing = this.#d.clock.nextBlock();
      const price = this.#price(signer.safeFees());
      const sim = await this.#simulate(signer, items, landing, price);
      const keep: BatchItem[] = [];
      items.forEach((item, i) => {
        const verdict = this.#verdict(item, sim.results[i]!, landing, price);
        if (verdict === undefined) keep.push(item);
        // Skipped runs were served or are stale: nothing to bring back. The rest still owe a run.
        else if (verdict.kind !== "skipped" && state.completed.has(itemKey(item))) {
          state.reopened.add(itemKey(item));
          state.handBack.set(item, verdict);
        }
      });
      if (keep.length === 0) return undefined;
      if (keep.length === items.length) return this.#request(keep, sim.gasRequired);
      // Fewer items need less gas; simulate the survivors alone for an honest figure.
      const again = await this.#simulate(signer, keep, landing, price);
      return this.#request(keep, again.gasRequired);
    };
  }

  /**
   * Records a broadcast on the jobs whose runs the transaction carries, and on those its re-send is about
   * to leave out; then hands the latter back. A job handed back looks at its recorded transactions before
   * sending, so it must find the re-send there: mined without its run, it sends at once.
   */
  async #record(items: BatchItem[], state: BatchState, hash: Hash, signer: Hex, nonce: number): Promise<void> {
    const handBack = new Map(state.handBack);
    state.handBack.clear();
    const record = items.filter((i) => !state.reopened.has(itemKey(i)) || handBack.has(i));
    try {
      await Promise.all(record.map((i) => i.recordTx(hash, signer, nonce)));
    } finally {
      for (const [item, verdict] of handBack) void this.#reopen(item, verdict);
    }
  }

  async #reopen(item: BatchItem, verdict: Outcome): Promise<void> {
    const { log, metrics } = this.#d;
    const wlog = log.child({ workflowId: String(item.workflowId), slot: String(item.dueAt) });
    try {
      await item.reopen?.();
      metrics.runsReoffered.inc({ trigger: item.trigger });
      const why = verdict.kind === "delay" ? verdict.why : verdict.kind === "failed" ? verdict.message : verdict.kind;
      wlog.warn({ why }, "a reorg undid a completed run and its re-send left it out: its job goes back in the queue");
    } catch (error) {
      // The reconciler finds it (the chain still waits for the slot), a few seconds later.
      wlog.warn({ err: errorText(error) }, "could not put an undone run back in the queue");
    }
  }

  /** The gas price a batch sent with `fees` is judged at (economics.ts). */
  #price(fees: Fees): bigint {
    return landingPrice(this.#d.clock.head.baseFeePerGas ?? 0n, fees);
  }

  async #run(batch: Pending[]): Promise<void> {
    const signer = this.#pickSigner(batch);
    if (!signer) {
      for (const p of batch) p.resolve(outcomeOfError(new SignerFundsError("no signer can pay for gas")));
      return;
    }
    let prepared = false;
    const sent = () => {
      if (!prepared) this.#donePreparing(signer);
      prepared = true;
    };
    try {
      await this.#prepareAndSend(batch, signer, sent);
    } finally {
      sent();
    }
  }

  /** Simulates, holds until the block ahead is mined, sends (then calls `sent`) and settles the batch. */
  async #prepareAndSend(taken: Pending[], signer: Signer, sent: () => void): Promise<void> {
    const { clock, metrics, economics } = this.#d;
    let fees: Fees;
    try {
      fees = signer.fees();
      this.#noteFees(undefined);
    } catch (error) {
      if (error instanceof FeeCapError) this.#noteFees(error);
      for (const p of taken) p.resolve(outcomeOfError(error));
      return;
    }
    // Runs that must not go out whatever the simulation says: known underpriced, oversized performData.
    const price = this.#price(fees);
    const batch: Pending[] = [];
    for (const p of taken) {
      const refused = economics.screen(p.item, price);
      if (refused) p.resolve(refused);
      else batch.push(p);
    }
    if (batch.length === 0) return;
    // The block the transaction will go out for: the simulation may start a little before the block
    // ahead of it is mined (advanceMs), and runs as of that block's number and timestamp. The number
    // matters to LOG runs: simulated as of the head itself, a log in the head's block is "not mined yet"
    // (and its blockhash unknown), and every log's run waited a second and landed a block late (found
    // by the log benchmark: p50 2 blocks).
    const landing = clock.nextBlock(Date.now() + this.advanceMs());
    const target = landing.timestamp;
    let sim: Awaited<ReturnType<Simulate>>;
    const simStarted = Date.now();
    try {
      sim = await this.#simulate(
        signer,
        batch.map((p) => p.item),
        landing,
        price,
      );
      this.#simMs = this.#simMs === 0 ? Date.now() - simStarted : 0.8 * this.#simMs + 0.2 * (Date.now() - simStarted);
    } catch (error) {
      metrics.rpcErrors.inc({ kind: "simulate" });
      for (const p of batch) p.resolve(outcomeOfError(error));
      return;
    }

    const send: Pending[] = [];
    batch.forEach((p, i) => {
      const verdict = this.#verdict(p.item, sim.results[i]!, landing, price);
      if (verdict) p.resolve(verdict);
      else send.push(p);
    });
    if (send.length === 0) return;

    const items = send.map((p) => p.item);
    const request = this.#request(items, sim.gasRequired);
    // Never out before the block ahead of `target` is mined: it would land there, before its due time.
    const hold = clock.readyAtMs(target) - Date.now();
    if (hold > 0) await new Promise((r) => setTimeout(r, hold));
    // Logs are guarded one by one on chain: a workflow's other logs need not wait for these.
    const ids = items.filter((i) => i.trigger !== "LOG").map((i) => i.workflowId);
    for (const id of ids) this.#busyWorkflows.add(id);
    try {
      const timing = {
        target: String(target),
        simMs: Date.now() - simStarted - Math.max(0, hold),
        holdMs: Math.max(0, hold),
      };
      await this.#sendAndSettle(signer, send, request, timing, sent);
    } finally {
      for (const id of ids) this.#busyWorkflows.delete(id);
    }
  }

  /** `timing` goes into the "batch sent" line: where the time went between taking the jobs and sending. */
  async #sendAndSettle(
    signer: Signer,
    send: Pending[],
    request: TxRequest,
    timing: Record<string, string | number>,
    onSent: () => void,
  ): Promise<void> {
    const { client, log, metrics, options } = this.#d;
    const items = send.map((p) => p.item);
    const sendIds = items.map((i) => i.workflowId);
    const state: BatchState = { completed: new Set(), reopened: new Set(), handBack: new Map() };
    let sent: Awaited<ReturnType<Signer["send"]>>;
    const sendStarted = Date.now();
    try {
      sent = await signer.send(request, {
        beforeBroadcast: (hash, nonce) => this.#record(items, state, hash, signer.address, nonce),
        rebuild: this.#rebuild(signer, items, state),
      });
    } catch (error) {
      for (const p of send) p.resolve(outcomeOfError(error));
      return;
    } finally {
      onSent();
    }
    const txLog = log.child({ txHash: sent.hashes[0], signer: signer.address, nonce: sent.nonce });
    txLog.info(
      { workflowIds: sendIds.map(String), gas: String(request.gas), ...timing, sendMs: Date.now() - sendStarted },
      "batch sent",
    );

    let timeout: NodeJS.Timeout | undefined;
    let receipt: Awaited<typeof sent.mined> | undefined;
    try {
      receipt = await Promise.race([
        sent.mined,
        new Promise<undefined>((resolve) => {
          timeout = setTimeout(() => resolve(undefined), options.txTimeoutMs);
        }),
      ]);
    } catch (error) {
      for (const p of send) p.resolve(outcomeOfError(error));
      return;
    } finally {
      clearTimeout(timeout);
    }
    if (!receipt) {
      // The signer keeps watching (and repairing) the transaction; the job looks again soon.
      txLog.warn({ workflowIds: sendIds.map(String) }, "transaction not mined within TX_TIMEOUT_MS");
      for (const p of send)
        p.resolve(
          outcomeOfError(
            new TxPendingError(`transaction at nonce ${sent.nonce} not mined in ${options.txTimeoutMs} ms`),
          ),
        );
      return;
    }
    if (receipt.status !== "success") {
      txLog.error({ workflowIds: sendIds.map(String) }, "batch transaction reverted");
      for (const p of send)
        p.resolve({ kind: "failed", message: `batch transaction ${receipt.transactionHash} reverted` });
      return;
    }

    const block = await client.getBlock({ blockNumber: receipt.blockNumber }).catch(() => undefined);
    const events = itemEvents(receipt, options.executor);
    // The mined version may be a replacement or a re-send: log its hash, not the first broadcast's.
    const minedLog = log.child({ txHash: receipt.transactionHash, signer: signer.address, nonce: sent.nonce });
    // A run whose job completes here can only come back through `reopen` (see #rebuild).
    const done = (p: Pending, outcome: Outcome) => {
      if (outcome.kind === "executed" || outcome.kind === "skipped") state.completed.add(itemKey(p.item));
      p.resolve(outcome);
    };
    for (const p of send) {
      const e = eventOf(events, p.item);
      const wlog = minedLog.child({ workflowId: String(p.item.workflowId) });
      const minedAt = block?.timestamp ?? this.#d.clock.head.timestamp;
      if (!e) {
        // The version that was mined was re-simulated without this run (not due yet on a re-mined chain,
        // say): the job comes back at its due time and looks at the chain again before sending.
        done(p, this.#delayUntilDue(p.item, `run not in the mined version ${receipt.transactionHash}`));
      } else if (p.item.trigger === "LOG" && e.kind === "skipped") {
        done(p, this.#logVerdict(p.item, { ...NO_RUN, skipReason: e.reason }, minedAt, 0n) ?? NOT_SENT);
      } else if (e.kind === "executed" && p.item.trigger !== "LOG" && e.dueAt < p.item.dueAt) {
        // This transaction served an earlier slot of the workflow; this job's own slot is still to come.
        done(p, this.#delayUntilDue(p.item, "an earlier slot ran in its place"));
      } else if (e.kind === "executed") {
        metrics.dueToMined.observe({ trigger: p.item.trigger }, Number(minedAt - (p.item.readyAt ?? e.dueAt)));
        const reason = e.success ? null : decodeRevertReason(e.reason);
        wlog.info(
          { runNumber: String(e.runNumber), success: e.success, reason, lateSeconds: Number(minedAt - e.dueAt) },
          "run mined",
        );
        done(p, {
          kind: "executed",
          success: e.success,
          txHash: receipt.transactionHash,
          runNumber: String(e.runNumber),
          blockNumber: String(receipt.blockNumber),
          reason,
        });
      } else if (e.reason === SkipReason.NOT_DUE && minedAt >= p.item.dueAt) {
        // Due, yet skipped: another transaction served this slot first. Nothing was lost or doubled.
        wlog.info("slot already served by another transaction");
        done(p, { kind: "skipped", reason: "ALREADY_SERVED", txHash: receipt.transactionHash });
      } else if (e.reason === SkipReason.NOT_DUE) {
        done(p, this.#delayUntilDue(p.item, "landed before its due time"));
      } else if (e.reason === SkipReason.NOT_FUNDED) {
        done(p, outcomeOfError(new WorkflowFundsError("workflow cannot pay a run")));
      } else {
        done(p, { kind: "skipped", reason: enumName(SkipReason, e.reason), txHash: receipt.transactionHash });
      }
    }
  }
}
