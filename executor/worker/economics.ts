/**
 * Worker economics: a run is sent only when what it pays covers what it costs the worker. Anyone can
 * register a workflow, so its fee cap, its gas and its performData are untrusted input. The contract
 * charges a run its gas (measured, plus its calldata and its share of the transaction) at the
 * transaction's price, capped at the owner's maxFeePerRun; the cap is the one place a run can be paid
 * below cost. So each run is simulated at the most its transaction can pay per gas, and a run whose
 * capped fee is below its gas at that price is not sent. It waits (the price may fall, the owner may raise
 * the cap), is shown as underpriced, and uses no attempt.
 *
 * One job per workflow waits; later slots' jobs of an underpriced workflow complete as UNDERPRICED (the
 * waiting job serves the workflow's next run, and the contract skips slots missed meanwhile). A workflow
 * found underpriced is remembered with its break-even price, so its jobs wait without a simulation while
 * the price stays above it: a thousand underpaying workflows cost the worker a memory lookup each, not an
 * eth_call.
 */

import { size } from "viem";
import { UnderpricedError, type UnderpricedRun } from "../errors.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { BatchItem } from "./batcher.js";
import type { Fees } from "./fees.js";
import { type Outcome, outcomeOfError, UNDERPRICED_WAIT_MS } from "./outcome.js";
import type { ItemSimulation } from "./simulate.js";

/**
 * Less than any run can cost: the contract's own charge after a run (RUN_OVERHEAD_GAS, 11,500), an
 * item's calldata (1,536) and the registry's bookkeeping. A workflow whose maxFeePerRun is below this
 * much gas at the base fee surely cannot pay a run, with no simulation needed.
 */
export const MIN_RUN_GAS = 20_000n;

/** True when `maxFeePerRun` cannot pay any run at `baseFeePerGas` (see MIN_RUN_GAS). */
export const surelyUnderpriced = (maxFeePerRun: bigint, baseFeePerGas: bigint) =>
  maxFeePerRun < MIN_RUN_GAS * baseFeePerGas;

/**
 * The most a transaction sent now can pay per gas in the block it is sent for: the base fee may rise
 * 12.5% in one block (EIP-1559), plus the tip, and never more than the fees it is signed with.
 */
export function landingPrice(baseFeePerGas: bigint, fees: Fees): bigint {
  const worstBase = (baseFeePerGas * 9n + 7n) / 8n;
  const price = worstBase + fees.maxPriorityFeePerGas;
  return price < fees.maxFeePerGas ? price : fees.maxFeePerGas;
}

interface Known {
  /** The slot the workflow's waiting job serves. */
  slot: bigint;
  feeWei: bigint;
  gasUsed: bigint;
  checkedAtMs: number;
}

/** Forgotten after this long without a look (a workflow cancelled or paused while underpriced). */
const FORGET_AFTER_MS = 10 * 60_000;

export interface EconomicsDeps {
  maxPerformDataBytes: number;
  log: Logger;
  metrics: Metrics;
}

export class RunEconomics {
  readonly #d: EconomicsDeps;
  readonly #underpriced = new Map<bigint, Known>();

  constructor(deps: EconomicsDeps) {
    this.#d = deps;
  }

  /**
   * Before simulating: an outcome for a run that must not be sent, or undefined. A performData over
   * MAX_PERFORM_DATA_BYTES is refused for good; a workflow known to be underpriced at this price waits.
   */
  screen(item: BatchItem, price: bigint, now = Date.now()): Outcome | undefined {
    const bytes = size(item.performData);
    if (bytes > this.#d.maxPerformDataBytes) {
      this.#d.log.warn(
        { workflowId: String(item.workflowId), bytes, max: this.#d.maxPerformDataBytes },
        "performData over MAX_PERFORM_DATA_BYTES: run refused",
      );
      return { kind: "skipped", reason: "PERFORM_DATA_TOO_LARGE", txHash: null };
    }
    const known = this.#underpriced.get(item.workflowId);
    if (!known || now - known.checkedAtMs >= UNDERPRICED_WAIT_MS) return undefined;
    const costWei = known.gasUsed * price;
    if (known.feeWei >= costWei) return undefined; // the price fell: simulate and see
    const run = { feeWei: known.feeWei, costWei, gasUsed: known.gasUsed, gasPriceWei: price };
    return this.#wait(item, known.slot, run, now);
  }

  /**
   * After simulating a run that would succeed at `price`: undefined when its fee covers its cost, else
   * the outcome of an underpriced run.
   */
  judge(item: BatchItem, r: ItemSimulation, price: bigint, now = Date.now()): Outcome | undefined {
    const costWei = r.gasUsed * price;
    const id = item.workflowId;
    if (r.fee >= costWei) {
      if (this.#underpriced.delete(id)) {
        this.#d.log.info({ workflowId: String(id), feeWei: String(r.fee) }, "workflow no longer underpriced");
        this.#gauge();
      }
      return undefined;
    }
    const before = this.#underpriced.get(id);
    this.#underpriced.set(id, { slot: r.dueAt, feeWei: r.fee, gasUsed: r.gasUsed, checkedAtMs: now });
    const run = { feeWei: r.fee, costWei, gasUsed: r.gasUsed, gasPriceWei: price };
    if (!before) {
      this.#d.log.warn(
        {
          workflowId: String(id),
          slot: String(r.dueAt),
          feeWei: String(r.fee),
          costWei: String(costWei),
          gasUsed: String(r.gasUsed),
          gasPriceWei: String(price),
        },
        "run underpriced: its fee does not cover its cost; it waits for the price to fall",
      );
      this.#prune(now);
      this.#gauge();
    }
    return this.#wait(item, r.dueAt, run, now);
  }

  /** The waiting job waits; a later slot's job completes (the waiting one serves the workflow's next run). */
  #wait(item: BatchItem, slot: bigint, run: UnderpricedRun, now: number): Outcome {
    const slotted = item.trigger === "TIME" || item.trigger === "CRON";
    if (slotted && item.dueAt > slot) return { kind: "skipped", reason: "UNDERPRICED", txHash: null };
    return outcomeOfError(new UnderpricedError(run), now);
  }

  /** The workflow no longer runs (cancelled, completed, gone): it is no longer counted as underpriced. */
  forget(workflowId: bigint): void {
    if (this.#underpriced.delete(workflowId)) this.#gauge();
  }

  #prune(now: number): void {
    for (const [id, k] of this.#underpriced) if (now - k.checkedAtMs > FORGET_AFTER_MS) this.#underpriced.delete(id);
  }

  #gauge(): void {
    this.#d.metrics.workflowsUnderpriced.set(this.#underpriced.size);
  }
}
