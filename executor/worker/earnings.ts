/**
 * Workers get paid: every run's fee lands in the FeeEscrow as the signer's earnings, and stays there
 * until the signer calls `claim()`. This claims it for them, on two occasions:
 * - the earnings reached AUTO_CLAIM_MIN ("threshold"): paid out in sums worth a transaction;
 * - the signer is parked for want of gas money and has earned more than the claim costs ("refill"):
 *   what it earned pays for the gas its runs wait for, so a key funded once can keep itself going.
 * Either way a claim only goes out if the earnings exceed its own worst-case gas cost: it never costs
 * more than it brings in.
 *
 * Earnings are read every CHECK_EVERY_HEADS heads (like the signer's tip and balance), and on every head
 * while a signer is parked, so the refill goes out in the block after the parking. The claim is sent
 * through the signer's own nonce authority (Signer.send), so it can never take a nonce a batch holds,
 * and it is watched and repaired like any batch (replaced when stuck, re-sent after a reorg or a loss).
 * A failure is logged (throttled) and tried again later: it never stops the worker and no job pays for it.
 */
import {
  type Address,
  type Chain,
  encodeFunctionData,
  type Hash,
  type PublicClient,
  parseEventLogs,
  type TransactionReceipt,
  type Transport,
} from "viem";
import { feeEscrowAbi } from "../../abis/index.js";
import type { ChainClock } from "../chain-clock.js";
import { errorText } from "../errors.js";
import { type Logger, throttled } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { Signer, TxRequest } from "./signer.js";

export interface EarningsOptions {
  feeEscrow: Address;
  /** Claim once earnings reach this (wei); 0n turns claiming off (the gauge is still kept). */
  autoClaimMinWei: bigint;
  /** The same headroom the batches get over their estimate (GAS_BUFFER_PERCENT). */
  gasBufferPercent: number;
}

export interface EarningsDeps {
  client: PublicClient<Transport, Chain>;
  clock: ChainClock;
  signers: Signer[];
  options: EarningsOptions;
  log: Logger;
  metrics: Metrics;
}

/** A healthy signer's earnings are read this often: they grow by a fee per run, no need to ask every block. */
const CHECK_EVERY_HEADS = 10;
const CLAIM_DATA = encodeFunctionData({ abi: feeEscrowAbi, functionName: "claim" });

type Why = "threshold" | "refill";

export class Earnings {
  readonly #d: EarningsDeps;
  #heads = 0;
  /** Signers being looked at, or with a claim in flight (at most one of either per signer): the look. */
  readonly #looks = new Map<Signer, Promise<void>>();
  readonly #failing = new Map<Signer, ReturnType<typeof throttled>>();
  readonly #unsubscribe: () => void;

  constructor(deps: EarningsDeps) {
    this.#d = deps;
    this.#unsubscribe = deps.clock.onHead(() => this.#onHead());
  }

  /**
   * Stops looking, and resolves once the looks under way are over: a claim in flight is seen through to
   * its receipt, logged and counted (the caller bounds the wait). Found by CI: a claim sent just before a
   * stop was mined after the process had exited, and no log line or metric ever said it was paid.
   */
  async stop(): Promise<void> {
    this.#unsubscribe();
    await Promise.all(this.#looks.values());
  }

  #onHead(): void {
    this.#heads += 1;
    const due = this.#heads % CHECK_EVERY_HEADS === 1;
    for (const signer of this.#d.signers) {
      if ((due || !signer.healthy) && !this.#looks.has(signer)) this.#looks.set(signer, this.#look(signer));
    }
  }

  async #look(signer: Signer): Promise<void> {
    try {
      await this.#lookAndClaim(signer);
    } catch (error) {
      const say = this.#failing.get(signer) ?? throttled();
      this.#failing.set(signer, say);
      say((heldBack) =>
        this.#d.log.warn({ signer: signer.address, err: errorText(error), heldBack }, "could not claim earnings"),
      );
    } finally {
      this.#looks.delete(signer);
    }
  }

  async #lookAndClaim(signer: Signer): Promise<void> {
    const { options, log } = this.#d;
    const earned = await this.#read(signer);
    if (earned === 0n || options.autoClaimMinWei === 0n) return;
    const why: Why | undefined =
      earned >= options.autoClaimMinWei ? "threshold" : signer.healthy ? undefined : "refill";
    if (!why) return;

    const request = await this.#request(signer);
    const cost = request.gas * signer.fees().maxFeePerGas;
    if (earned <= cost) {
      log.debug(
        { signer: signer.address, earnedWei: String(earned), costWei: String(cost), why },
        "earnings would not pay for their claim",
      );
      return;
    }
    const sent = await signer.send(
      request,
      {
        beforeBroadcast: async () => {}, // no job waits on it: a restarted worker reads the earnings afresh
        // Sent again after a reorg or a loss: claim what is there then, or close the nonce if nothing is.
        rebuild: async () => ((await this.#read(signer)) > 0n ? request : undefined),
      },
      { whileParked: true },
    );
    log.debug({ signer: signer.address, nonce: sent.nonce, earnedWei: String(earned), why }, "claiming earnings");
    const receipt = await sent.mined;
    if (receipt.status !== "success") throw new Error(`claim transaction ${receipt.transactionHash} reverted`);
    this.#claimed(signer, receipt, why);
    // A parked signer resumes now, not on its next look; and the gauge shows what is left.
    await Promise.all([signer.refreshFunds(), this.#read(signer)]);
  }

  /** The claim with its gas estimated (as the signer, so it reverts NothingToClaim if someone beat us). */
  async #request(signer: Signer): Promise<TxRequest> {
    const { client, options } = this.#d;
    const estimate = await client.estimateGas({ account: signer.address, to: options.feeEscrow, data: CLAIM_DATA });
    const gas = (estimate * BigInt(100 + options.gasBufferPercent)) / 100n;
    return { to: options.feeEscrow, data: CLAIM_DATA, gas };
  }

  async #read(signer: Signer): Promise<bigint> {
    const earned = await this.#d.client.readContract({
      address: this.#d.options.feeEscrow,
      abi: feeEscrowAbi,
      functionName: "earnings",
      args: [signer.address],
    });
    this.#d.metrics.signerEarningsUnclaimed.set({ signer: signer.address }, Number(earned));
    return earned;
  }

  /** Counts and logs what the mined claim paid, from its Claimed event (a re-send may have closed the nonce with a self-transfer). */
  #claimed(signer: Signer, receipt: TransactionReceipt, why: Why): void {
    const event = parseEventLogs({ abi: feeEscrowAbi, eventName: "Claimed", logs: receipt.logs }).find(
      (e) =>
        e.address.toLowerCase() === this.#d.options.feeEscrow.toLowerCase() &&
        e.args.worker.toLowerCase() === signer.address.toLowerCase(),
    );
    const txHash: Hash = receipt.transactionHash;
    if (!event) {
      this.#d.log.info({ signer: signer.address, txHash }, "nothing was left to claim: the nonce was closed");
      return;
    }
    const amount = event.args.amount;
    this.#d.metrics.signerEarningsClaimed.inc({ signer: signer.address }, Number(amount));
    this.#d.log.info({ signer: signer.address, amountWei: String(amount), txHash, why }, "claimed earnings");
  }
}
