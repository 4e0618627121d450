/**
 * Gathers ready jobs into executeBatch transactions bounded by BATCH_SIZE and a gas budget, and runs
 * each batch: simulate at the landing block's timestamp, drop what would fail or is not due, send with
 * the simulated gas plus the buffer, wait for the receipt, and report every job's outcome.
 * Batches are not serialised: the next one is sent while earlier ones wait for receipts.
 */
import { type Chain, encodeFunctionData, type Hash, type Hex, type PublicClient, type Transport } from "viem";
import { actionExecutorAbi } from "../../abis/index.js";
import { decodeRevertReason } from "../../lib/revert-reason.js";
import { enumName, SkipReason } from "../../lib/spec.js";
import type { ChainClock } from "../chain-clock.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { Outcome } from "./outcome.js";
import { itemEvents } from "./receipt.js";
import { errorText } from "./rpc-errors.js";
import { InsufficientFundsError, type Signer } from "./signer.js";
import type { Simulate } from "./simulate.js";

export interface BatchItem {
  workflowId: bigint;
  dueAt: bigint;
  performData: Hex;
  gasLimit: number;
  /** Records a hash on the job before it is broadcast. */
  recordTx(hash: Hash, signer: Hex): Promise<void>;
}

export interface BatcherOptions {
  executor: Hex;
  batchSize: number;
  batchGasLimit: number;
  batchWaitMs: number;
  gasBufferPercent: number;
  txTimeoutMs: number;
}

interface Pending {
  item: BatchItem;
  resolve(outcome: Outcome): void;
}

/** Per-item gas the batch budget reserves: the item's limit under the 63/64 rule plus bookkeeping. */
const itemBudget = (gasLimit: number) => Math.ceil((gasLimit * 64) / 63) + 110_000;
const NOT_FUNDED_RETRY_MS = 30_000;
const NO_SIGNER_RETRY_MS = 5_000;

export class Batcher {
  #pending: Pending[] = [];
  #parked: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #parkTimer: NodeJS.Timeout | undefined;
  #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly client: PublicClient<Transport, Chain>,
    private readonly signers: Signer[],
    private readonly simulate: Simulate,
    private readonly clock: ChainClock,
    private readonly opts: BatcherOptions,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    clock.onHead(() => this.#release());
  }

  /**
   * Takes a ready job. A job may wake before the block preceding its due time exists (its ready time
   * was computed from the block phase seconds earlier); sent then, it would serve the workflow's
   * previous slot and push its own a block late. So it waits here until the next block can carry its
   * due time, released by the next head (or the clock, on chains that only mine on demand).
   */
  submit(item: BatchItem): Promise<Outcome> {
    return new Promise((resolve) => {
      const entry = { item, resolve };
      if (item.dueAt <= this.clock.nextBlockTimestamp()) this.#enqueue(entry);
      else {
        this.#parked.push(entry);
        this.#parkTimer ??= setInterval(() => this.#release(), 100);
      }
    });
  }

  #enqueue(entry: Pending): void {
    this.#pending.push(entry);
    if (this.#pending.length >= this.opts.batchSize) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.opts.batchWaitMs);
  }

  /** Moves parked items whose due time the next block reaches into the batch. */
  #release(): void {
    const next = this.clock.nextBlockTimestamp();
    const still: Pending[] = [];
    for (const entry of this.#parked) {
      if (entry.item.dueAt <= next) this.#enqueue(entry);
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
      const run = this.#run(batch).catch((error: unknown) => {
        this.log.error({ err: errorText(error) }, "batch failed unexpectedly");
        for (const p of batch) p.resolve({ kind: "failed", message: errorText(error) });
      });
      this.#inFlight.add(run);
      void run.finally(() => this.#inFlight.delete(run));
    }
  }

  /** Waits for every batch in flight (graceful shutdown). */
  async drain(): Promise<void> {
    for (const p of this.#parked) p.resolve(this.#delayUntilDue(p.item, "shutting down"));
    this.#parked = [];
    this.flush();
    await Promise.all(this.#inFlight);
  }

  /** The next batch: at most BATCH_SIZE items and the gas budget, one slot per workflow. */
  #take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const seen = new Set<bigint>();
    let gas = 0;
    for (const p of this.#pending) {
      const cost = itemBudget(p.item.gasLimit);
      if (seen.has(p.item.workflowId)) {
        // Two slots of one workflow never share a block: the later one waits for its own due time.
        p.resolve(this.#delayUntilDue(p.item, "an earlier slot of this workflow is in flight"));
      } else if (batch.length < this.opts.batchSize && (batch.length === 0 || gas + cost <= this.opts.batchGasLimit)) {
        batch.push(p);
        seen.add(p.item.workflowId);
        gas += cost;
      } else {
        rest.push(p);
      }
    }
    this.#pending = rest;
    return batch;
  }

  #pickSigner(): Signer | undefined {
    const healthy = this.signers.filter((s) => s.healthy);
    return healthy.sort((a, b) => a.inFlight - b.inFlight)[0];
  }

  #delayUntilDue(item: BatchItem, why: string): Outcome {
    const at = Math.max(Date.now() + 200, this.clock.readyAtMs(item.dueAt));
    return { kind: "delay", untilMs: at, why };
  }

  async #run(batch: Pending[]): Promise<void> {
    const signer = this.#pickSigner();
    if (!signer) {
      for (const p of batch)
        p.resolve({ kind: "delay", untilMs: Date.now() + NO_SIGNER_RETRY_MS, why: "no signer with funds" });
      return;
    }
    const target = this.clock.nextBlockTimestamp();
    const ids = batch.map((p) => p.item.workflowId);
    const sim = await this.simulate(
      signer.address,
      ids,
      batch.map((p) => p.item.performData),
      target,
    );

    const send: Pending[] = [];
    batch.forEach((p, i) => {
      const r = sim.results[i]!;
      if (r.skipReason === SkipReason.NONE) {
        if (r.success) send.push(p);
        else
          p.resolve({ kind: "failed", message: `action would revert: ${decodeRevertReason(r.reason) ?? "no reason"}` });
      } else if (r.skipReason === SkipReason.NOT_DUE && p.item.dueAt <= target) {
        // Its slot is due, yet the chain says not due: the slot was already served (or skipped as missed).
        p.resolve({ kind: "skipped", reason: "ALREADY_SERVED", txHash: null });
      } else if (r.skipReason === SkipReason.NOT_DUE) {
        p.resolve(this.#delayUntilDue(p.item, "not due in the next block"));
      } else if (r.skipReason === SkipReason.NOT_FUNDED) {
        p.resolve({ kind: "delay", untilMs: Date.now() + NOT_FUNDED_RETRY_MS, why: "workflow cannot pay a run" });
      } else {
        p.resolve({ kind: "skipped", reason: enumName(SkipReason, r.skipReason), txHash: null });
      }
    });
    if (send.length === 0) return;

    const sendIds = send.map((p) => p.item.workflowId);
    const data = encodeFunctionData({
      abi: actionExecutorAbi,
      functionName: "executeBatch",
      args: [sendIds, send.map((p) => p.item.performData)],
    });
    // Simulated need, plus the intrinsic cost the simulation cannot see, plus the buffer.
    const calldataGas = BigInt(((data.length - 2) / 2) * 16);
    const gas = ((sim.gasRequired + 21_000n + calldataGas) * BigInt(100 + this.opts.gasBufferPercent)) / 100n;

    let sent: Awaited<ReturnType<Signer["send"]>>;
    try {
      sent = await signer.send({ to: this.opts.executor, data, gas }, (hash) =>
        Promise.all(send.map((p) => p.item.recordTx(hash, signer.address))).then(() => {}),
      );
    } catch (error) {
      const outcome: Outcome =
        error instanceof InsufficientFundsError
          ? { kind: "delay", untilMs: Date.now() + NO_SIGNER_RETRY_MS, why: error.message }
          : { kind: "failed", message: `send failed: ${errorText(error)}` };
      for (const p of send) p.resolve(outcome);
      return;
    }
    const log = this.log.child({ txHash: sent.hashes[0], signer: signer.address, nonce: sent.nonce });
    log.info({ workflowIds: sendIds.map(String), gas: String(gas) }, "batch sent");

    let timeout: NodeJS.Timeout | undefined;
    const receipt = await Promise.race([
      sent.mined,
      new Promise<undefined>((resolve) => {
        timeout = setTimeout(() => resolve(undefined), this.opts.txTimeoutMs);
      }),
    ]).finally(() => clearTimeout(timeout));
    if (!receipt) {
      log.warn({ workflowIds: sendIds.map(String) }, "transaction not mined within TX_TIMEOUT_MS");
      for (const p of send)
        p.resolve({
          kind: "failed",
          message: `transaction ${sent.hashes.at(-1)} not mined in ${this.opts.txTimeoutMs} ms`,
        });
      return;
    }
    if (receipt.status !== "success") {
      log.error({ workflowIds: sendIds.map(String) }, "batch transaction reverted");
      for (const p of send)
        p.resolve({ kind: "failed", message: `batch transaction ${receipt.transactionHash} reverted` });
      return;
    }

    const block = await this.client.getBlock({ blockNumber: receipt.blockNumber });
    const events = itemEvents(receipt, this.opts.executor);
    // The mined version may be a replacement: log its hash, not the first broadcast's.
    const minedLog = this.log.child({ txHash: receipt.transactionHash, signer: signer.address, nonce: sent.nonce });
    for (const p of send) {
      const e = events.get(p.item.workflowId);
      const wlog = minedLog.child({ workflowId: String(p.item.workflowId) });
      if (!e) {
        p.resolve({
          kind: "failed",
          message: `no event for workflow ${p.item.workflowId} in ${receipt.transactionHash}`,
        });
      } else if (e.kind === "executed" && e.dueAt < p.item.dueAt) {
        // This transaction served an earlier slot of the workflow; this job's own slot is still to come.
        p.resolve(this.#delayUntilDue(p.item, "an earlier slot ran in its place"));
      } else if (e.kind === "executed") {
        this.metrics.dueToMined.observe(Number(block.timestamp - e.dueAt));
        const reason = e.success ? null : decodeRevertReason(e.reason);
        wlog.info(
          {
            runNumber: String(e.runNumber),
            success: e.success,
            reason,
            lateSeconds: Number(block.timestamp - e.dueAt),
          },
          "run mined",
        );
        p.resolve({
          kind: "executed",
          success: e.success,
          txHash: receipt.transactionHash,
          runNumber: String(e.runNumber),
          blockNumber: String(receipt.blockNumber),
          reason,
        });
      } else if (e.reason === SkipReason.NOT_DUE && block.timestamp >= p.item.dueAt) {
        // Due, yet skipped: another worker served this slot first. Nothing was lost or doubled.
        wlog.info("slot already served by another transaction");
        p.resolve({ kind: "skipped", reason: "ALREADY_SERVED", txHash: receipt.transactionHash });
      } else if (e.reason === SkipReason.NOT_DUE) {
        p.resolve(this.#delayUntilDue(p.item, "landed before its due time"));
      } else if (e.reason === SkipReason.NOT_FUNDED) {
        p.resolve({ kind: "delay", untilMs: Date.now() + NOT_FUNDED_RETRY_MS, why: "workflow cannot pay a run" });
      } else {
        p.resolve({ kind: "skipped", reason: enumName(SkipReason, e.reason), txHash: receipt.transactionHash });
      }
    }
  }
}
