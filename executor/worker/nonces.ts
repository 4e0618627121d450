/**
 * A signer's nonces: the one authority that hands them out, and the rule that compares what the chain
 * says with what the signer has in flight, on every head.
 *
 * The chain can disagree with the signer in three ways, and each leaves a gap that stops every later
 * transaction of the key until it is filled:
 * - a reorg removed a block holding one of ours: the chain's nonce goes back below a nonce we saw mined;
 * - a transaction vanished before it was mined (an RPC accepted it and never passed it on, a node
 *   dropped it from its pool): the chain's nonce stays at it, and no node knows its hash;
 * - a nonce below everything we hold is open (a previous process of this key sent it, and it is lost):
 *   the chain is stuck there and we have nothing to re-send.
 */

/**
 * Hands nonces out one at a time; the first (and the first after a resync) comes from the chain, but
 * never one the signer still holds a transaction at. The chain does not count a transaction of ours that
 * vanished and waits to be sent again at its own nonce (a re-send the node refused, say for lack of gas
 * money): found by the chaos suite, a send refused during "signer out of funds" resynced to the chain's
 * count, the next batch took the vanished one's nonce, and the vanished one's runs, no longer watched,
 * waited out TX_TIMEOUT_MS (two CONDITION workflows stalled for two minutes).
 */
export class NonceAuthority {
  #next: number | undefined;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pendingCount: () => Promise<number>,
    private readonly held: (nonce: number) => boolean = () => false,
  ) {}

  /** The next nonce this signer would use, once known. */
  get next(): number | undefined {
    return this.#next;
  }

  take(): Promise<number> {
    const taken = this.#lock.then(async () => {
      if (this.#next === undefined) this.#next = await this.pendingCount();
      while (this.held(this.#next)) this.#next += 1;
      const nonce = this.#next;
      this.#next += 1;
      return nonce;
    });
    this.#lock = taken.catch(() => {});
    return taken;
  }

  /**
   * Forget where we are: the next take asks the chain. After a nonce we took was never used (the node
   * refused the transaction) or was used by someone else.
   */
  resync(): void {
    this.#next = undefined;
  }

  /** Makes sure nonces up to and including `nonce` are never handed out again (we filled it ourselves). */
  passed(nonce: number): void {
    if (this.#next !== undefined && this.#next <= nonce) this.#next = nonce + 1;
  }
}

/** What the signer knows of one of its transactions when it looks at the chain. */
export interface TrackedNonce {
  nonce: number;
  /** We have seen a receipt for one of its versions. */
  mined: boolean;
  /** Milliseconds since a version was last broadcast. */
  sinceBroadcastMs: number;
}

export interface NonceFacts {
  /** The chain's transaction count for the key at the latest block. */
  latest: number;
  /** Our transactions not yet forgotten, any order. */
  tracked: TrackedNonce[];
  /**
   * The next nonce the authority would hand out (undefined before the first take), or higher when a job
   * waits for an older nonce of this key to be used (see Signer.close).
   */
  next: number | undefined;
  /** How long the chain's count has stayed at `latest`. */
  stuckForMs: number;
  /** Below this, a transaction may still be on its way through the network: do not call it lost. */
  graceMs: number;
}

export interface NoncePlan {
  /** Seen mined, but the chain's count is back at or below them: a reorg took them away. */
  reorged: number[];
  /** Not mined, and old enough that a node should know them: ask whether one does (lost if none). */
  checkKnown: number[];
  /**
   * The open nonce the chain is stuck at when we hold nothing for it (a previous process's transaction,
   * lost or stuck): fill it with a 0-value self-transfer priced to replace whatever may sit there.
   */
  fill: number | undefined;
}

/** The rule itself, apart from the RPC calls, so it can be tested on its own. */
export function planNonces(facts: NonceFacts): NoncePlan {
  const { latest, tracked, next, stuckForMs, graceMs } = facts;
  const reorged = tracked.filter((t) => t.mined && t.nonce >= latest).map((t) => t.nonce);
  const checkKnown = tracked.filter((t) => !t.mined && t.nonce >= latest && t.sinceBroadcastMs >= graceMs);
  const held = new Set(tracked.map((t) => t.nonce));
  const above = Math.max(next ?? latest, ...tracked.map((t) => t.nonce + 1));
  // Only the nonce that blocks the rest, and only once the chain has stood still long enough that
  // whatever sits there would have been mined: filling it may cancel a stranger's stuck transaction.
  const blocked = latest < above && !held.has(latest) && stuckForMs >= 2 * graceMs;
  return {
    reorged: reorged.sort((a, b) => a - b),
    checkKnown: checkKnown.map((t) => t.nonce).sort((a, b) => a - b),
    fill: blocked ? latest : undefined,
  };
}
