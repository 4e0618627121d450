/**
 * Chain time as the executor needs it: the latest block, an estimate of the block interval, and when
 * (in wall-clock time) a job due at chain time T should be sent so it lands in the first block whose
 * timestamp reaches T: just after the block before it.
 */
import type { Chain, PublicClient, Transport } from "viem";

export interface Head {
  number: bigint;
  timestamp: bigint;
  observedAtMs: number;
}

/** Block intervals the estimate keeps (a median of these), and how many it learns from history at start. */
const MAX_SAMPLES = 20;
const RECENT_BLOCKS = 10;

export class ChainClock {
  #head: Head | undefined;
  #intervals: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #listeners = new Set<(head: Head) => void>();

  constructor(
    private readonly client: PublicClient<Transport, Chain>,
    private readonly pollMs: number,
    private readonly configuredBlockTimeMs?: number,
  ) {}

  async start(): Promise<void> {
    await this.poll();
    await this.#learnRecentIntervals();
    this.#timer = setInterval(() => void this.poll().catch(() => {}), this.pollMs);
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

  /** The timestamp the next block will most likely carry. */
  nextBlockTimestamp(): bigint {
    const head = this.head;
    const nowSeconds = BigInt(Math.floor(Date.now() / 1000));
    const byInterval = head.timestamp + BigInt(Math.round(this.blockTimeSeconds));
    return byInterval > nowSeconds ? byInterval : nowSeconds;
  }

  /** Wall-clock ms at which a run due at `dueAt` should be handed to a worker. */
  readyAtMs(dueAt: bigint, marginMs = 150): number {
    const head = this.head;
    // How far wall time runs ahead of chain time when we see a block (mining and polling delay).
    const lagMs = head.observedAtMs - Number(head.timestamp) * 1000;
    const previousBlock = Number(dueAt) - this.blockTimeSeconds;
    return previousBlock * 1000 + lagMs + marginMs;
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

  private async poll(): Promise<void> {
    const block = await this.client.getBlock({ blockTag: "latest" });
    const previous = this.#head;
    if (previous && block.number <= previous.number) return;
    if (previous && block.number === previous.number + 1n) {
      this.#intervals.push(Number(block.timestamp - previous.timestamp));
      if (this.#intervals.length > MAX_SAMPLES) this.#intervals.shift();
    }
    this.#head = { number: block.number, timestamp: block.timestamp, observedAtMs: Date.now() };
    for (const listener of this.#listeners) listener(this.#head);
  }
}
