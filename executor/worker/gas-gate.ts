/**
 * Limits the gas of transactions sent but not yet mined to what the next blocks can hold. Sent all at
 * once, a backlog larger than that waits in the mempool while full blocks raise the base fee (12.5% a
 * block) past the fee it was priced at, and then stalls until replaced: with WORKER_CONCURRENCY at
 * 2,000 the executor benchmark saw 2,000 runs in batches of 100 take 32 blocks instead of 5. Gated,
 * later batches go out as earlier ones are mined, priced at the base fee of their own block. Waiters
 * are served first come, first served.
 */
export class GasGate {
  #inFlight = 0n;
  #waiting: { gas: bigint; admit: () => void }[] = [];

  constructor(private readonly capacity: () => bigint) {}

  get inFlight(): bigint {
    return this.#inFlight;
  }

  /** Resolves when `gas` fits (always at once when nothing is in flight, however large it is). */
  acquire(gas: bigint): Promise<void> {
    if (this.#waiting.length === 0 && this.#fits(gas)) {
      this.#inFlight += gas;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push({ gas, admit: resolve }));
  }

  release(gas: bigint): void {
    this.#inFlight -= gas;
    while (this.#waiting.length > 0 && this.#fits(this.#waiting[0]!.gas)) {
      const next = this.#waiting.shift()!;
      this.#inFlight += next.gas;
      next.admit();
    }
  }

  #fits(gas: bigint): boolean {
    return this.#inFlight === 0n || this.#inFlight + gas <= this.capacity();
  }
}
