/**
 * Chain time as the executor needs it: the latest block, an estimate of the block interval, the chain's
 * clock against ours, and when (in wall-clock time) a job due at chain time T should be sent so it lands
 * in the first block whose timestamp reaches T: just after the block before it.
 *
 * The chain's clock is read from when blocks are first seen: (seen at − timestamp) over recent heads. The
 * smallest of these is the chain's offset from our clock plus the quickest we have seen a block; a slow
 * or jittery RPC only adds to the others. So a run is released when the block before it is mined, not
 * when a slow poll happens to show it.
 */
import type { Chain, PublicClient, Transport } from "viem";

export interface Head {
  number: bigint;
  hash: `0x${string}`;
  timestamp: bigint;
  /** The block's base fee (undefined before EIP-1559): what the next transaction's fees start from. */
  baseFeePerGas: bigint | undefined;
  observedAtMs: number;
}

/** Block intervals the estimate keeps (a median of these), and how many it learns from history at start. */
const MAX_SAMPLES = 20;
const RECENT_BLOCKS = 10;
/** Head polls allowed in flight at once: one hung request must not blind the clock, a dead RPC must not pile up. */
const MAX_POLLS = 3;
/** Recent (seen at − timestamp) samples kept; the offset is their minimum. */
const LAG_SAMPLES = 10;
/** Samples this far above the offset, three in a row, mean the chain's clock moved back against ours. */
const CLOCK_SHIFT_MS = 2_500;

/** The block a transaction is expected to land in. */
export interface Landing {
  number: bigint;
  timestamp: bigint;
}

export class ChainClock {
  #head: Head | undefined;
  #intervals: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #listeners = new Set<(head: Head) => void>();
  #polling = 0;
  #lags: number[] = [];

  constructor(
    private readonly client: PublicClient<Transport, Chain>,
    private readonly pollMs: number,
    private readonly configuredBlockTimeMs?: number,
  ) {}

  async start(): Promise<void> {
    await this.poll();
    await this.#learnRecentIntervals();
    this.#timer = setInterval(() => {
      if (this.#polling >= MAX_POLLS) return;
      this.#polling += 1;
      void this.poll()
        .catch(() => {})
        .finally(() => {
          this.#polling -= 1;
        });
    }, this.pollMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  onHead(listener: (head: Head) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get head(): Head {
    if (!this.#head) throw new Error("chain clock not started");
    return this.#head;
  }

  /** Seconds between blocks: configured, or the median of recent intervals (1 s when unknown). */
  get blockTimeSeconds(): number {
    if (this.configuredBlockTimeMs) return this.configuredBlockTimeMs / 1000;
    if (this.#intervals.length === 0) return 1;
    const sorted = [...this.#intervals].sort((a, b) => a - b);
    return Math.max(1, sorted[Math.floor(sorted.length / 2)]!);
  }

  /** Our clock minus the chain's, in ms (plus the quickest we have seen a block). */
  get offsetMs(): number {
    return this.#lags.length === 0 ? 0 : Math.min(...this.#lags);
  }

  /**
   * The timestamp the next block will most likely carry: the first grid point after the chain's time
   * now, estimated from the head and the offset. Anchored on the chain's clock, never on ours: a chain
   * can run seconds behind or ahead of wall time (a reorged or time-jumped dev chain, a skewed sequencer),
   * and judging "due" by wall time would then send runs the chain calls early, or near an end time,
   * expired. Found by the reorg test: anvil_reorg re-mines its blocks at one timestamp and leaves the
   * chain 5 s behind wall time. `atMs` asks the same for a moment to come (when a send will go out).
   */
  nextBlockTimestamp(atMs = Date.now()): bigint {
    return this.nextBlock(atMs).timestamp;
  }

  /** The next block's number and timestamp (see nextBlockTimestamp): what a simulation runs as of. */
  nextBlock(atMs = Date.now()): Landing {
    const head = this.head;
    const step = Math.max(1, Math.round(this.blockTimeSeconds));
    const elapsed = (atMs - this.offsetMs) / 1000 - Number(head.timestamp);
    const blocks = BigInt(Math.max(0, Math.floor(elapsed / step)) + 1);
    return { number: head.number + blocks, timestamp: head.timestamp + blocks * BigInt(step) };
  }

  /** Wall-clock ms at which a run due at `dueAt` should be handed to a worker: just after the block before it. */
  readyAtMs(dueAt: bigint, marginMs = 150): number {
    const previousBlock = Number(dueAt) - this.blockTimeSeconds;
    return previousBlock * 1000 + this.offsetMs + marginMs;
  }

  /**
   * Seeds the block-time estimate from the last blocks, so it is a median from the start: with one or
   * two samples, a single odd interval (a stalled chain, a time jump on a dev chain) would become the
   * block time, and jobs would be released an interval early or late. Found by the executor benchmark:
   * started right after a 1 h jump, the clock took 3597 s as the block time and a round went 9 blocks late.
   */
  async #learnRecentIntervals(): Promise<void> {
    const head = this.head.number;
    const count = head < BigInt(RECENT_BLOCKS) ? Number(head) : RECENT_BLOCKS;
    if (count === 0) return;
    const blocks = await Promise.all(
      Array.from({ length: count }, (_, i) => this.client.getBlock({ blockNumber: head - BigInt(count - i) })),
    ).catch(() => []);
    const timestamps = [...blocks.map((b) => b.timestamp), this.head.timestamp];
    const learned = timestamps.slice(1).map((t, i) => Number(t - timestamps[i]!));
    this.#intervals = [...learned, ...this.#intervals].slice(-MAX_SAMPLES);
  }

  #noteLag(lag: number): void {
    const offset = this.offsetMs;
    this.#lags.push(lag);
    if (this.#lags.length > LAG_SAMPLES) this.#lags.shift();
    // The chain's clock moved back against ours (a reorg re-mined at old timestamps, a sequencer fell
    // behind): the old small samples would keep us ahead of it. Start again from the new ones.
    const recent = this.#lags.slice(-3);
    if (recent.length === 3 && recent.every((l) => l > offset + CLOCK_SHIFT_MS)) this.#lags = recent;
  }

  private async poll(): Promise<void> {
    const block = await this.client.getBlock({ blockTag: "latest" });
    const previous = this.#head;
    // A reorg (the head replaced at its height, or a new block not built on ours) may have re-mined
    // blocks at other timestamps: the clock samples from before it no longer describe the chain.
    const reorged =
      previous !== undefined &&
      ((block.number === previous.number && block.hash !== previous.hash) ||
        (block.number === previous.number + 1n && block.parentHash !== previous.hash));
    if (reorged) this.#lags = [];
    if (previous && block.number <= previous.number && !reorged) return;
    if (previous && block.number === previous.number + 1n) {
      this.#intervals.push(Number(block.timestamp - previous.timestamp));
      if (this.#intervals.length > MAX_SAMPLES) this.#intervals.shift();
    }
    this.#head = {
      number: block.number,
      hash: block.hash,
      timestamp: block.timestamp,
      baseFeePerGas: block.baseFeePerGas ?? undefined,
      observedAtMs: Date.now(),
    };
    this.#noteLag(this.#head.observedAtMs - Number(block.timestamp) * 1000);
    for (const listener of this.#listeners) listener(this.#head);
  }
}
