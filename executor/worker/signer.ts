/**
 * One signing key: its nonce authority, the transactions it has in flight, and the watch that keeps them
 * moving. Sends are pipelined: a send takes the next nonce at once and never waits for an earlier
 * receipt. On every head the signer compares the chain with what it holds (the rule is in nonces.ts):
 * - a version is mined: the send settles once CONFIRMATIONS deep, and the record stays watched for
 *   REORG_DEPTH blocks;
 * - a reorg took a mined one away, or one vanished before it was mined (no node knows any version): it
 *   is sent again at its own nonce, its runs re-simulated first (a 0-value self-transfer when none is left
 *   to run), so the gap closes and the runs are not lost;
 * - one sits unmined past REPLACE_AFTER_MS: replaced at the same nonce with fees at least 12.5% higher,
 *   up to MAX_FEE_GWEI;
 * - the chain is stuck at a nonce we hold nothing for (a previous process's transaction): filled.
 * Because every re-send reuses the nonce, at most one version of a transaction can ever be mined.
 */
import {
  type Chain,
  type Hash,
  type Hex,
  keccak256,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
} from "viem";
import { type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import type { ChainClock, Head } from "../chain-clock.js";
import {
  errorText,
  FeeCapError,
  RpcUnavailableError,
  SignerFundsError,
  TxPendingError,
  UnexpectedError,
} from "../errors.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { SecretKey } from "../secret.js";
import { bump, type Fees, feesFor, higher, min } from "./fees.js";
import { NonceAuthority, planNonces } from "./nonces.js";
import { classifyRpcError, type RpcErrorKind } from "./rpc-errors.js";

export interface SignerOptions {
  maxFeePerGas: bigint;
  replaceAfterMs: number;
  confirmations: number;
  /** Blocks a mined transaction stays watched, so a reorg that undoes it is noticed. */
  reorgDepth: number;
}

export interface TxRequest {
  to: Hex;
  data: Hex;
  gas: bigint;
}

export interface SendHooks {
  /** Receives every hash before it is broadcast, so the job can record where a restarted worker looks. */
  beforeBroadcast(hash: Hash, nonce: number): Promise<void>;
  /**
   * What to send when the transaction must go out again after a reorg or a loss: its runs re-simulated,
   * or undefined when none of them is left to run (a self-transfer then closes the nonce).
   */
  rebuild?(): Promise<TxRequest | undefined>;
}

export interface SendOptions {
  /**
   * Lets this one transaction out while the signer is parked for want of gas money, as long as the
   * balance covers its own gas at its max fee. Only a claim of earnings uses it: that is how a parked
   * signer refills itself. It never parks or unparks the signer (that stays the runs' sends' business).
   */
  whileParked?: boolean;
}

/** A transaction in flight: every hash broadcast for its nonce (a live list), and its settled receipt. */
export interface SentTx {
  nonce: number;
  hashes: Hash[];
  mined: Promise<TransactionReceipt>;
}

/** Where a version of the transaction was mined: all that a settled record keeps of its receipt. */
interface Mined {
  blockNumber: bigint;
  transactionHash: Hash;
}

/**
 * A transaction this signer answers for. Once its send settles, the record only watches for a reorg
 * (REORG_DEPTH blocks), and keeps no more than that needs: at 200 transactions a block a signer holds
 * some 13,000 records, and with their whole receipts (every log of every run), their calldata and their
 * jobs they held 90 MiB of a 526 MiB executor (heap snapshots, batch 1 in the executor benchmark).
 */
interface TxRecord {
  nonce: number;
  /** What was last broadcast. Dropped once settled when `hooks.rebuild` makes any re-send afresh. */
  request: TxRequest | undefined;
  hooks: SendHooks;
  fees: Fees;
  /** Sent under SendOptions.whileParked: a refusal for funds does not park the signer. */
  whileParked: boolean;
  hashes: Hash[];
  lastBroadcastMs: number;
  receipt: Mined | undefined;
  /** The whole receipt, from when it is found until the send settles with it. */
  full: TransactionReceipt | undefined;
  /** Heads in a row on which the chain had used the nonce but no version of ours had a receipt. */
  usedElsewhere: number;
  /** The last re-send reason and failure logged: the same again (every head in a fee spike) is not repeated. */
  lastResend?: string;
  lastResendError?: string;
  settled: boolean;
  /** The ends of the send's `mined` promise, until it settles. */
  waiter: { resolve(receipt: TransactionReceipt): void; reject(error: Error): void } | undefined;
}

export interface SignerDeps {
  key: SecretKey;
  client: PublicClient<Transport, Chain>;
  /**
   * One client per RPC endpoint: a transaction goes to all of them at once, as keepers do, so one
   * endpoint that drops or sits on it does not hold the run back. (Just `client` when there is one.)
   */
  broadcastClients?: PublicClient<Transport, Chain>[];
  clock: ChainClock;
  options: SignerOptions;
  log: Logger;
  metrics: Metrics;
}

/**
 * Waits for every task, then throws the first failure: the head's work is over only when all of it is,
 * so the next head never starts on a transaction this one is still re-sending.
 */
async function settleAll(tasks: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(tasks)).find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
}

/** Refusals from most to least telling: which of several endpoints' answers a failed broadcast acts on. */
const REFUSAL_RANK: RpcErrorKind[] = [
  "nonce_too_low",
  "already_known",
  "insufficient_funds",
  "underpriced",
  "reverted",
  "other",
  "transient",
];
/** Broadcasts of one signed transaction when every endpoint fails in transit (100 ms, then 200 ms apart). */
const BROADCAST_ROUNDS = 3;
/** Tips are re-estimated every this many heads; base fees come with every head. */
const TIP_EVERY_HEADS = 10;
const DEFAULT_TIP = 1_000_000_000n;

export class Signer {
  readonly account: PrivateKeyAccount;
  readonly #d: SignerDeps;
  readonly #nonces: NonceAuthority;
  readonly #records = new Map<number, TxRecord>();
  #tip = DEFAULT_TIP;
  #heads = 0;
  #busy = false;
  #balance: bigint | undefined;
  /** Set while no send can be paid for: the amount the last refused one needed. */
  #shortOf: bigint | undefined;
  /** The chain's transaction count for the key, and since when it has stood there. */
  #latest: number | undefined;
  #latestSinceMs = Date.now();
  /** A job waits for this key's nonces below this to be used (see close). */
  #wanted: number | undefined;
  #lastWarnMs = 0;
  #lastLookMs = Date.now();
  #watchdog: NodeJS.Timeout;

  constructor(deps: SignerDeps) {
    this.#d = deps;
    this.account = privateKeyToAccount(deps.key.reveal());
    this.#nonces = new NonceAuthority(
      () => deps.client.getTransactionCount({ address: this.address, blockTag: "pending" }),
      (nonce) => this.#records.has(nonce),
    );
    deps.clock.onHead((head) => void this.#onHead(head));
    // A chain that stops producing blocks produces no heads either, and a transaction stuck then (too
    // cheap for the block builder, or a halted sequencer) must still be replaced: look on a timer too.
    this.#watchdog = setInterval(() => {
      const quiet = Date.now() - this.#lastLookMs > 2 * deps.clock.blockTimeSeconds * 1000;
      if (quiet && this.#records.size > 0) void this.#onHead(deps.clock.head);
    }, 1000);
    this.#watchdog.unref();
  }

  /** Stops the timer (the clock's heads stop with the clock). */
  stop(): void {
    clearInterval(this.#watchdog);
  }

  get address(): Hex {
    return this.account.address;
  }

  /** False while the key cannot pay for gas; re-checked on every head. */
  get healthy(): boolean {
    return this.#shortOf === undefined;
  }

  /** Transactions sent and not yet settled. */
  get inFlight(): number {
    let n = 0;
    for (const r of this.#records.values()) if (!r.settled) n += 1;
    return n;
  }

  /** Fees for a transaction sent now: from the head's base fee; FeeCapError when it is at the cap. */
  fees(): Fees {
    return feesFor(this.#d.clock.head.baseFeePerGas ?? 0n, this.#tip, this.#d.options.maxFeePerGas);
  }

  /**
   * Signs and broadcasts at the next nonce. Once this returns, the nonce is this transaction's until a
   * version of it is mined: every later fault (a reorg, a lost transaction, an RPC that fails after
   * accepting it) is repaired at the same nonce, and `mined` settles with whichever version made it.
   */
  async send(request: TxRequest, hooks: SendHooks, options: SendOptions = {}): Promise<SentTx> {
    const fees = this.fees();
    const whileParked = options.whileParked === true;
    this.#assertFunds(request.gas * fees.maxFeePerGas, whileParked);
    const nonce = await this.#nonces.take();
    const { record, mined } = this.#track(nonce, request, hooks, fees, whileParked);
    let result: "sent" | "nonce_used";
    try {
      result = await this.#broadcast(record, request, fees, { first: true });
    } catch (error) {
      this.#records.delete(nonce);
      // The node refused it, so the nonce is unused: ask the chain where to continue.
      this.#nonces.resync();
      throw error;
    }
    if (result === "sent") return { nonce, hashes: record.hashes, mined };
    // The chain used the nonce and no receipt of ours shows (yet). It may still be ours, mined on a node
    // that has not told us: the runs must not go out again at another nonce. The jobs look again (their
    // recorded hash and nonce), and only send afresh once the chain shows it was not theirs.
    this.#records.delete(nonce);
    this.#nonces.resync();
    throw new TxPendingError(`nonce ${nonce} of ${this.address} is used; looking for the transaction that used it`);
  }

  /**
   * A job holds a transaction of this key at `nonce` that no process is watching (its sender restarted).
   * Makes sure the nonce gets used: if nothing of ours or anyone's is mined there, it is filled, and the
   * job can then safely send its run again.
   */
  close(nonce: number): void {
    this.#wanted = Math.max(this.#wanted ?? 0, nonce + 1);
  }

  async balance(): Promise<bigint> {
    const balance = await this.#d.client.getBalance({ address: this.address });
    this.#balance = balance;
    this.#d.metrics.signerBalance.set({ signer: this.address }, Number(balance));
    return balance;
  }

  /**
   * Reads the balance and, if the signer is parked and can now pay for what it was refused, resumes
   * sending. Every head does this while parked; a claim of earnings calls it as soon as it is mined.
   */
  async refreshFunds(): Promise<bigint> {
    const balance = await this.balance();
    if (this.#shortOf !== undefined && balance >= this.#shortOf) {
      this.#d.log.info({ signer: this.address, balanceWei: String(balance) }, "signer funded again: sending resumes");
      this.#shortOf = undefined;
      this.#d.metrics.signerOutOfFunds.set({ signer: this.address }, 0);
    }
    return balance;
  }

  #assertFunds(cost: bigint, whileParked: boolean): void {
    if (whileParked) {
      // Parked or not, this one goes out if the balance we last read pays for it (the node has the last word).
      if (this.#balance !== undefined && this.#balance < cost) {
        throw new SignerFundsError(`signer ${this.address} cannot pay for this transaction's gas`);
      }
      return;
    }
    if (this.#shortOf !== undefined) {
      throw new SignerFundsError(`signer ${this.address} cannot pay for gas; waiting to be funded`);
    }
    if (this.#balance !== undefined && this.#balance < cost) this.#park(cost);
  }

  #park(cost: bigint): never {
    if (this.#shortOf === undefined) {
      this.#d.log.error(
        { signer: this.address, balanceWei: String(this.#balance ?? "unknown"), needWei: String(cost) },
        "signer cannot pay for gas: runs wait until it is funded",
      );
    }
    this.#shortOf = cost;
    this.#d.metrics.signerOutOfFunds.set({ signer: this.address }, 1);
    throw new SignerFundsError(`signer ${this.address} cannot pay for gas; waiting to be funded`);
  }

  #track(nonce: number, request: TxRequest, hooks: SendHooks, fees: Fees, whileParked = false) {
    let waiter!: TxRecord["waiter"] & {};
    const mined = new Promise<TransactionReceipt>((resolve, reject) => {
      waiter = { resolve, reject };
    });
    mined.catch(() => {}); // observed by whoever awaits it
    const record: TxRecord = {
      nonce,
      request,
      hooks,
      fees,
      whileParked,
      hashes: [],
      lastBroadcastMs: Date.now(),
      receipt: undefined,
      full: undefined,
      usedElsewhere: 0,
      settled: false,
      waiter,
    };
    this.#records.set(nonce, record);
    return { record, mined };
  }

  /** A version of the record's transaction is mined with this receipt. */
  #found(record: TxRecord, receipt: TransactionReceipt): void {
    record.receipt = { blockNumber: receipt.blockNumber, transactionHash: receipt.transactionHash };
    record.full = record.settled ? undefined : receipt;
  }

  /** The send is over (mined deep enough, or given up): from now on the record only watches for a reorg. */
  #settle(record: TxRecord, outcome?: { receipt: TransactionReceipt } | { error: Error }): void {
    record.settled = true;
    const waiter = record.waiter;
    record.waiter = undefined;
    record.full = undefined;
    // A re-send rebuilds its request from the runs (see SendHooks.rebuild): the calldata is not needed.
    if (record.hooks.rebuild) record.request = undefined;
    if (outcome && "receipt" in outcome) waiter?.resolve(outcome.receipt);
    else if (outcome) waiter?.reject(outcome.error);
  }

  async #sign(request: TxRequest, nonce: number, fees: Fees): Promise<{ hash: Hash; raw: Hex }> {
    const raw = await this.account.signTransaction({
      chainId: this.#d.client.chain.id,
      type: "eip1559",
      to: request.to,
      data: request.data,
      gas: request.gas,
      nonce,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    return { hash: keccak256(raw), raw };
  }

  /**
   * Signs `request` at the record's nonce and broadcasts it. "sent" means a version is (or may be) with
   * the node and the record now owns the nonce; "nonce_used" means the chain used the nonce for something
   * that is not ours. Errors that leave nothing at the node are thrown.
   */
  async #broadcast(
    record: TxRecord,
    request: TxRequest,
    initialFees: Fees,
    { first }: { first: boolean },
  ): Promise<"sent" | "nonce_used"> {
    const { metrics, options } = this.#d;
    let fees = initialFees;
    for (let bumps = 0; ; bumps++) {
      const { hash, raw } = await this.#sign(request, record.nonce, fees);
      try {
        await record.hooks.beforeBroadcast(hash, record.nonce);
      } catch (error) {
        // A first send must be recorded before it leaves (a restarted worker looks there). A re-send
        // closes a gap that blocks every later transaction, so it goes out even if its jobs are gone.
        if (first) throw new RpcUnavailableError(`could not record the transaction: ${errorText(error)}`);
      }
      record.hashes.push(hash);
      record.lastBroadcastMs = Date.now();
      try {
        await this.#sendEverywhere(raw);
        record.fees = fees;
        record.request = request;
        metrics.txSent.inc({ signer: this.address });
        return "sent";
      } catch (error) {
        const kind = classifyRpcError(error);
        metrics.rpcErrors.inc({ kind });
        switch (kind) {
          case "already_known":
          case "transient":
            // Already there, or maybe: the next heads find out (a receipt, a node that knows it, or a loss).
            record.fees = fees;
            record.request = request;
            return "sent";
          case "nonce_too_low": {
            // Often our own earlier version was mined while the answer was lost: look now, not next attempt.
            const receipt = await this.#receiptOf(record);
            if (receipt) {
              this.#found(record, receipt);
              return "sent";
            }
            return "nonce_used";
          }
          case "underpriced": {
            const next = bump(fees, options.maxFeePerGas);
            if (next && bumps < 5) {
              fees = next;
              continue;
            }
            throw new FeeCapError(`fees needed for nonce ${record.nonce} exceed MAX_FEE_GWEI`);
          }
          case "insufficient_funds":
            if (record.whileParked) {
              throw new SignerFundsError(`signer ${this.address} cannot pay for this transaction's gas`);
            }
            return this.#park(request.gas * fees.maxFeePerGas);
          default:
            throw new UnexpectedError(`node refused the transaction: ${errorText(error)}`, { cause: error });
        }
      }
    }
  }

  /**
   * Sends to every endpoint at once. Accepted by any: sent. Refused by all: the most telling refusal
   * (a used nonce or a fee problem says more than a timeout), thrown for #broadcast to act on. When every
   * endpoint failed in transit (a 429 or 5xx burst, a reset), the same signed bytes go again at once, a
   * few times: they can only ever be this one transaction, and waiting to call it lost costs blocks.
   */
  async #sendEverywhere(raw: Hex): Promise<void> {
    const clients = this.#d.broadcastClients?.length ? this.#d.broadcastClients : [this.#d.client];
    for (let round = 1; ; round++) {
      const results = await Promise.allSettled(
        clients.map((c) => c.sendRawTransaction({ serializedTransaction: raw })),
      );
      if (results.some((r) => r.status === "fulfilled")) return;
      const errors = results.map((r) => (r as PromiseRejectedResult).reason as unknown);
      errors.sort((a, b) => REFUSAL_RANK.indexOf(classifyRpcError(a)) - REFUSAL_RANK.indexOf(classifyRpcError(b)));
      if (round >= BROADCAST_ROUNDS || classifyRpcError(errors[0]) !== "transient") throw errors[0];
      this.#d.metrics.rpcErrors.inc({ kind: "transient" });
      await new Promise((r) => setTimeout(r, 100 * 2 ** (round - 1)));
    }
  }

  async #receiptOf(record: TxRecord): Promise<TransactionReceipt | undefined> {
    for (const hash of [...record.hashes].reverse()) {
      const receipt = await this.#d.client.getTransactionReceipt({ hash }).catch(() => undefined);
      if (receipt) return receipt;
    }
    return undefined;
  }

  /** Whether any node we reach still knows a version of it (pending or mined). */
  async #known(record: TxRecord): Promise<boolean> {
    for (const hash of [...record.hashes].reverse()) {
      const tx = await this.#d.client.getTransaction({ hash }).catch((error: unknown) => {
        // "not found" is an answer; a failed request is not, and must not make a live transaction look lost.
        if (classifyRpcError(error) === "transient") throw error;
        return undefined;
      });
      if (tx) return true;
    }
    return false;
  }

  async #onHead(head: Head): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    this.#lastLookMs = Date.now();
    try {
      this.#heads += 1;
      if (this.#heads % TIP_EVERY_HEADS === 1) {
        this.#tip = await this.#d.client.estimateMaxPriorityFeePerGas().catch(() => this.#tip);
      }
      if (this.#shortOf !== undefined || this.#heads % TIP_EVERY_HEADS === 1) await this.refreshFunds();
      if (this.#records.size > 0 || this.#wanted !== undefined) await this.#reconcile(head);
    } catch (error) {
      // The RPC is away: the next head tries again. Said at most every 10 s, not on every head.
      if (Date.now() - this.#lastWarnMs > 10_000) {
        this.#lastWarnMs = Date.now();
        this.#d.log.warn({ signer: this.address, err: errorText(error) }, "could not compare nonces with the chain");
      }
    } finally {
      this.#busy = false;
    }
  }

  async #reconcile(head: Head): Promise<void> {
    const { client, log, metrics, options } = this.#d;
    const latest = await client.getTransactionCount({ address: this.address, blockTag: "latest" });
    if (latest !== this.#latest) {
      this.#latest = latest;
      this.#latestSinceMs = Date.now();
    }
    if (this.#wanted !== undefined && latest >= this.#wanted) this.#wanted = undefined;

    // The chain used these nonces: find which version made it (all at once: on a slow RPC, one by one
    // would hold every settled run back by a round trip per transaction).
    const used = [...this.#records.values()].filter((r) => r.nonce < latest && !r.receipt);
    const receipts = await Promise.all(used.map((r) => this.#receiptOf(r)));
    used.forEach((r, i) => {
      const receipt = receipts[i];
      if (receipt) {
        this.#found(r, receipt);
        r.usedElsewhere = 0;
        metrics.txMined.inc({ status: receipt.status });
      } else if (++r.usedElsewhere >= 3) {
        // Three heads in a row (so not a node that lags behind the count): something else used the nonce.
        log.warn({ signer: this.address, nonce: r.nonce }, "nonce used by a transaction this signer did not send");
        this.#forget(r, new TxPendingError(`nonce ${r.nonce} was used by another transaction`));
      }
    });

    const now = Date.now();
    const grace = this.#graceMs();
    const plan = planNonces({
      latest,
      tracked: [...this.#records.values()].map((r) => ({
        nonce: r.nonce,
        mined: r.receipt !== undefined,
        sinceBroadcastMs: now - r.lastBroadcastMs,
      })),
      next: Math.max(this.#nonces.next ?? 0, this.#wanted ?? 0) || undefined,
      stuckForMs: now - this.#latestSinceMs,
      graceMs: grace,
    });

    // Every question below is one round trip per transaction: asked of all of them at once, so a slow RPC
    // costs one round trip per head, not one per transaction in flight. (Found by the chaos suite: under
    // 500 ms per request, 15 transactions in flight made each look at the chain take 8 s, and a lost one
    // blocked every later nonce for that long.) A failed lookup leaves its transaction for the next head.
    const reorged = plan.reorged.map((nonce) => this.#records.get(nonce)!);
    await settleAll(
      reorged.map(async (r) => {
        // A count from a node that lags behind looks like a reorg: believe it only if the receipt is gone too.
        if (await this.#receiptOf(r)) return;
        log.warn(
          {
            signer: this.address,
            nonce: r.nonce,
            txHash: r.receipt?.transactionHash,
            block: String(r.receipt?.blockNumber),
          },
          "a reorg removed this transaction from the chain",
        );
        metrics.txReorged.inc();
        r.receipt = undefined;
        r.full = undefined;
        // A node may put it back in its pool (geth does); anvil and many others do not.
        if (!(await this.#known(r))) await this.#resend(r, "reorged out");
      }),
    );
    const unmined = plan.checkKnown
      .map((nonce) => this.#records.get(nonce))
      .filter((r): r is TxRecord => r !== undefined && !r.receipt);
    await settleAll(
      unmined.map(async (r) => {
        if (!(await this.#known(r))) {
          log.warn(
            { signer: this.address, nonce: r.nonce, txHash: r.hashes.at(-1) },
            "transaction vanished before it was mined",
          );
          metrics.txLost.inc();
          await this.#resend(r, "lost");
        } else if (Date.now() - r.lastBroadcastMs >= options.replaceAfterMs) {
          await this.#replace(r);
        }
      }),
    );
    if (plan.fill !== undefined) await this.#fill(plan.fill);

    for (const r of [...this.#records.values()]) {
      if (!r.receipt) continue;
      const depth = head.number - r.receipt.blockNumber + 1n;
      if (!r.settled && depth >= BigInt(options.confirmations) && r.full) this.#settle(r, { receipt: r.full });
      if (r.settled && depth > BigInt(options.reorgDepth)) this.#records.delete(r.nonce);
    }
  }

  /**
   * How long a broadcast may take to show up at a node before it counts as lost: the node we sent it to
   * knows it at once, another behind the same RPC_URLS within about a block. Calling one lost too early
   * costs a re-send at the same nonce (12.5% dearer), never a double.
   */
  #graceMs(): number {
    return Math.max(1_000, 1.5 * this.#d.clock.blockTimeSeconds * 1000);
  }

  /** Sends the record again at its nonce: its runs re-simulated, or a self-transfer when none is left. */
  async #resend(record: TxRecord, why: string): Promise<void> {
    let request: TxRequest | undefined = record.request;
    if (record.hooks.rebuild) request = await record.hooks.rebuild();
    request ??= this.#selfTransfer();
    // Above the last version's fees, in case a node still holds it, and at least what the chain asks now.
    const fees = higher(bump(record.fees, this.#d.options.maxFeePerGas) ?? record.fees, this.safeFees());
    if (record.lastResend !== why) {
      this.#d.log.info(
        { signer: this.address, nonce: record.nonce, why, selfTransfer: request.to === this.address },
        "sending again at the same nonce",
      );
    }
    record.lastResend = why;
    await this.#rebroadcast(record, request, fees);
  }

  async #replace(record: TxRecord): Promise<void> {
    // Settled, reorged out and back in a node's pool (geth does that): its runs are simulated afresh.
    if (!record.request) return this.#resend(record, "stuck after a reorg");
    const next = bump(record.fees, this.#d.options.maxFeePerGas);
    if (!next) {
      this.#d.log.warn(
        { signer: this.address, nonce: record.nonce, txHash: record.hashes.at(-1) },
        "transaction stuck at the fee cap (MAX_FEE_GWEI)",
      );
      record.lastBroadcastMs = Date.now();
      return;
    }
    const replaces = record.hashes.at(-1);
    await this.#rebroadcast(record, record.request, next);
    this.#d.metrics.txReplaced.inc();
    this.#d.log.info(
      {
        signer: this.address,
        nonce: record.nonce,
        txHash: record.hashes.at(-1),
        replaces,
        maxFeePerGas: String(next.maxFeePerGas),
      },
      "replaced stuck transaction",
    );
  }

  /** A gap nobody will fill: a 0-value self-transfer, priced to replace whatever may sit at the nonce. */
  async #fill(nonce: number): Promise<void> {
    const fees = this.safeFees();
    const doubled = { maxFeePerGas: fees.maxFeePerGas * 2n, maxPriorityFeePerGas: fees.maxPriorityFeePerGas * 2n };
    const request = this.#selfTransfer();
    const { record } = this.#track(nonce, request, { beforeBroadcast: async () => {} }, doubled);
    this.#settle(record); // no job waits on it
    this.#nonces.passed(nonce);
    this.#d.log.warn({ signer: this.address, nonce }, "chain is stuck at a nonce nobody holds: filling it");
    this.#d.metrics.txGapFilled.inc();
    await this.#rebroadcast(record, request, doubled);
  }

  async #rebroadcast(record: TxRecord, request: TxRequest, fees: Fees): Promise<void> {
    const result = await this.#broadcast(record, request, fees, { first: false }).catch((error: unknown) => {
      const err = errorText(error);
      if (record.lastResendError !== err) {
        this.#d.log.warn({ signer: this.address, nonce: record.nonce, err }, "re-send failed");
      }
      record.lastResendError = err;
      return "sent" as const; // tried again on a later head
    });
    if (result === "nonce_used") record.usedElsewhere += 1;
  }

  #selfTransfer(): TxRequest {
    return { to: this.address, data: "0x", gas: 21_000n };
  }

  /**
   * Current fees, or the cap when the base fee is above it: what a re-send goes out with (a gap must
   * close even in a fee spike).
   */
  safeFees(): Fees {
    try {
      return this.fees();
    } catch {
      const cap = this.#d.options.maxFeePerGas;
      return { maxFeePerGas: cap, maxPriorityFeePerGas: min(this.#tip, cap) };
    }
  }

  #forget(record: TxRecord, error: Error): void {
    this.#records.delete(record.nonce);
    if (!record.settled) this.#settle(record, { error });
  }
}
