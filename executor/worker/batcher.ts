/**
 * Gathers ready jobs into executeBatch transactions bounded by BATCH_SIZE and a gas budget, and runs
 * each batch: simulate at the landing block's timestamp, drop what would fail or is not due, send with
 * the simulated gas plus the buffer, wait for the receipt, and report every job's outcome.
 * Batches are not serialised: the next one is sent while earlier ones wait for receipts. Errors become
 * outcomes in outcome.ts, so only a run's own revert uses up an attempt.
 */
import { type Chain, encodeFunctionData, type Hash, type Hex, type PublicClient, type Transport } from "viem";
import { actionExecutorAbi } from "../../abis/index.js";
import { logRefOf } from "../../lib/log-trigger.js";
import type { TriggerName } from "../../lib/queue.js";
import type { ChainClock, Landing } from "../chain-clock.js";
import { errorText, FeeCapError, SignerFundsError, TxPendingError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { landingPrice, type RunEconomics } from "./economics.js";
import type { Fees } from "./fees.js";
import { minedOutcome, type Outcome, outcomeOfError, simulatedOutcome, untilDue, type VerdictDeps } from "./outcome.js";
import { eventOf, itemEvents, itemKey } from "./receipt.js";
import type { Signer, TxRequest } from "./signer.js";
import type { Simulate } from "./simulate.js";

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

  /** What the outcome rules (outcome.ts) need from this worker. */
  readonly #v: VerdictDeps;

  constructor(deps: BatcherDeps) {
    this.#d = deps;
    this.#v = { readyAtMs: (dueAt) => deps.clock.readyAtMs(dueAt), economics: deps.economics };
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
    for (const p of this.#parked) p.resolve(untilDue(this.#v, p.item, "shutting down", "shutdown"));
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
        p.resolve(untilDue(this.#v, p.item, "an earlier slot of this workflow is in flight", "in_flight"));
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
        const verdict = simulatedOutcome(this.#v, item, sim.results[i]!, landing, price);
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
      const verdict = simulatedOutcome(this.#v, p.item, sim.results[i]!, landing, price);
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
      const minedAt = block?.timestamp ?? this.#d.clock.head.timestamp;
      const outcome = minedOutcome(this.#v, p.item, e, receipt, minedAt);
      const wlog = minedLog.child({ workflowId: String(p.item.workflowId) });
      if (outcome.kind === "executed" && e?.kind === "executed") {
        metrics.dueToMined.observe({ trigger: p.item.trigger }, Number(minedAt - (p.item.readyAt ?? e.dueAt)));
        wlog.info(
          {
            runNumber: outcome.runNumber,
            success: outcome.success,
            reason: outcome.reason,
            lateSeconds: Number(minedAt - e.dueAt),
          },
          "run mined",
        );
      } else if (outcome.kind === "skipped" && outcome.reason === "ALREADY_SERVED" && p.item.trigger !== "LOG") {
        // Due, yet skipped: another transaction served this slot first. Nothing was lost or doubled.
        wlog.info("slot already served by another transaction");
      }
      done(p, outcome);
    }
  }
}
