/**
 * One signing key and the one nonce authority for it. Sends are pipelined: a send takes the next
 * nonce at once and never waits for an earlier receipt. A transaction that sits unmined is replaced
 * at the same nonce with fees at least 12.5% higher, up to the cap; it keeps being watched (and
 * replaced) until a version of it is mined, even after the jobs waiting on it have given up, so a
 * stuck nonce never blocks the ones after it.
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
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { SecretKey } from "../secret.js";
import { bump, currentFees, type Fees } from "./fees.js";
import { classifyRpcError, errorText } from "./rpc-errors.js";

export interface SignerOptions {
  maxFeePerGas: bigint;
  replaceAfterMs: number;
  confirmations: number;
  pollMs: number;
}

export interface TxRequest {
  to: Hex;
  data: Hex;
  gas: bigint;
}

/** A transaction in flight: every hash ever broadcast for its nonce, and its eventual receipt. */
export interface SentTx {
  nonce: number;
  hashes: Hash[];
  mined: Promise<TransactionReceipt>;
}

export class InsufficientFundsError extends Error {}

export class Signer {
  readonly account: PrivateKeyAccount;
  #nextNonce: number | undefined;
  #nonceLock: Promise<unknown> = Promise.resolve();
  #outOfFundsUntil = 0;
  inFlight = 0;

  constructor(
    key: SecretKey,
    private readonly client: PublicClient<Transport, Chain>,
    private readonly opts: SignerOptions,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    this.account = privateKeyToAccount(key.reveal());
  }

  get address(): Hex {
    return this.account.address;
  }

  /** False while parked for insufficient funds (re-checked after a minute). */
  get healthy(): boolean {
    return Date.now() >= this.#outOfFundsUntil;
  }

  /**
   * Signs and broadcasts. `beforeBroadcast` receives the hash first, so the caller can record it
   * where a restarted worker will look before sending again.
   */
  async send(request: TxRequest, beforeBroadcast: (hash: Hash) => Promise<void>): Promise<SentTx> {
    const nonce = await this.#takeNonce();
    const hashes: Hash[] = [];
    let fees: Fees;
    try {
      fees = await currentFees(this.client, this.opts.maxFeePerGas);
    } catch (error) {
      this.#nextNonce = undefined; // unused: the next send re-reads the pending count
      throw error;
    }
    for (let tries = 0; ; tries++) {
      const { hash, raw } = await this.#sign(request, nonce, fees);
      try {
        await beforeBroadcast(hash);
      } catch (error) {
        this.#nextNonce = undefined;
        throw error;
      }
      try {
        await this.client.sendRawTransaction({ serializedTransaction: raw });
        hashes.push(hash);
        this.metrics.txSent.inc({ signer: this.address });
        break;
      } catch (error) {
        const kind = classifyRpcError(error);
        this.metrics.rpcErrors.inc({ kind });
        if (kind === "already_known") {
          hashes.push(hash);
          break;
        }
        if (kind === "underpriced" && tries < 5) {
          const next = bump(fees, this.opts.maxFeePerGas);
          if (next) {
            fees = next;
            continue;
          }
        }
        if (kind === "nonce_too_low") {
          // Someone (a previous run of this process) used it; take fresh nonces from the chain.
          this.#nextNonce = undefined;
        }
        if (kind === "insufficient_funds") {
          this.#outOfFundsUntil = Date.now() + 60_000;
          this.metrics.signerOutOfFunds.set({ signer: this.address }, 1);
          this.log.error({ signer: this.address }, "signer has insufficient funds; parked for 60 s");
          throw new InsufficientFundsError(`signer ${this.address} has insufficient funds`);
        }
        // The nonce was never used: give it back so the next send does not leave a gap.
        if (kind !== "nonce_too_low") this.#nextNonce = undefined;
        throw error;
      }
    }
    this.metrics.signerOutOfFunds.set({ signer: this.address }, 0);
    this.inFlight += 1;
    const mined = this.#watch(request, nonce, fees, hashes, beforeBroadcast).finally(() => {
      this.inFlight -= 1;
    });
    mined.catch(() => {}); // observed by whoever awaits it
    return { nonce, hashes, mined };
  }

  async balance(): Promise<bigint> {
    const balance = await this.client.getBalance({ address: this.address });
    this.metrics.signerBalance.set({ signer: this.address }, Number(balance));
    return balance;
  }

  /** Nonces are handed out one at a time; the first comes from the chain's pending count. */
  #takeNonce(): Promise<number> {
    const next = this.#nonceLock.then(async () => {
      if (this.#nextNonce === undefined) {
        this.#nextNonce = await this.client.getTransactionCount({ address: this.address, blockTag: "pending" });
      }
      const nonce = this.#nextNonce;
      this.#nextNonce += 1;
      return nonce;
    });
    this.#nonceLock = next.catch(() => {});
    return next;
  }

  async #sign(request: TxRequest, nonce: number, fees: Fees): Promise<{ hash: Hash; raw: Hex }> {
    const raw = await this.account.signTransaction({
      chainId: this.client.chain.id,
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

  /** Polls for any version's receipt; replaces the transaction when it sits too long. */
  async #watch(
    request: TxRequest,
    nonce: number,
    initialFees: Fees,
    hashes: Hash[],
    beforeBroadcast: (hash: Hash) => Promise<void>,
  ): Promise<TransactionReceipt> {
    let fees = initialFees;
    let lastSend = Date.now();
    for (;;) {
      for (const hash of [...hashes].reverse()) {
        const receipt = await this.client.getTransactionReceipt({ hash }).catch(() => undefined);
        if (receipt) {
          await this.#confirm(receipt);
          this.metrics.txMined.inc({ status: receipt.status });
          return receipt;
        }
      }
      if (Date.now() - lastSend >= this.opts.replaceAfterMs) {
        lastSend = Date.now();
        const next = bump(fees, this.opts.maxFeePerGas);
        if (!next) {
          this.log.warn(
            { signer: this.address, nonce, txHash: hashes.at(-1) },
            "transaction stuck at the fee cap (MAX_FEE_GWEI)",
          );
        } else {
          const { hash, raw } = await this.#sign(request, nonce, next);
          try {
            await beforeBroadcast(hash);
            await this.client.sendRawTransaction({ serializedTransaction: raw });
            fees = next;
            hashes.push(hash);
            this.metrics.txReplaced.inc();
            this.log.info(
              {
                signer: this.address,
                nonce,
                txHash: hash,
                replaces: hashes.at(-2),
                maxFeePerGas: String(next.maxFeePerGas),
              },
              "replaced stuck transaction",
            );
          } catch (error) {
            const kind = classifyRpcError(error);
            this.metrics.rpcErrors.inc({ kind });
            // nonce too low: one of our versions was mined meanwhile; the next poll finds it.
            if (kind !== "nonce_too_low" && kind !== "already_known") {
              this.log.warn({ signer: this.address, nonce, err: errorText(error) }, "replacement failed");
            }
          }
        }
      }
      await new Promise((r) => setTimeout(r, this.opts.pollMs));
    }
  }

  async #confirm(receipt: TransactionReceipt): Promise<void> {
    if (this.opts.confirmations <= 1) return;
    const target = receipt.blockNumber + BigInt(this.opts.confirmations - 1);
    while ((await this.client.getBlockNumber({ cacheTime: 0 })) < target) {
      await new Promise((r) => setTimeout(r, this.opts.pollMs));
    }
  }
}
