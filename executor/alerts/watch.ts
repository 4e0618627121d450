/**
 * What alerts are about, found for one chain every ALERT_POLL_MS:
 * - the index's activity feed (GET /api/activity, followed with a cursor kept in Redis): a failed run, a
 *   workflow completed or cancelled, a workflow whose balance now covers fewer than ALERT_LOW_RUNS runs;
 * - the runs queue's dead-letter set: a job that failed every attempt;
 * - this process's signers: one whose balance is below ALERT_SIGNER_MIN_BALANCE;
 * - the index against this process's own head: more than ALERT_INDEX_LAG_BLOCKS behind.
 *
 * States ("low", "lagging") are kept in Redis and alerted once per crossing: set when crossed, cleared when
 * back. Each alert goes to the operator's webhook (if set) and to the workflow's owner subscriptions
 * (subscribers.ts); one with nobody to hear it is not queued. Every alert's id comes from what happened, so two processes watching the same chain, or one
 * restarted, raise the same ids, and delivery (deliver.ts) sends each once.
 */
import type { Queue } from "bullmq";
import type { Cluster, Redis } from "ioredis";
import type { Alert, AlertType } from "../../lib/alerts.js";
import { eth } from "../../lib/format.js";
import { nodeFetch } from "../../lib/node-fetch.js";
import type { ChainClock } from "../chain-clock.js";
import { type Logger, throttled } from "../log.js";
import type { RunQueue } from "../queue.js";
import { type AlertJob, raise } from "./deliver.js";
import type { Subscribers } from "./subscribers.js";

export interface AlertThresholds {
  lowRuns: bigint;
  signerMinWei: bigint;
  indexLagBlocks: bigint;
  pollMs: number;
}

export interface AlertWatchDeps {
  chainId: number;
  ponderUrl: string;
  alerts: Queue<AlertJob>;
  runs: RunQueue;
  redis: Redis | Cluster;
  /** Keys live under it (QUEUE_PREFIX, hash-tagged on a cluster, so every key shares a slot). */
  prefix: string;
  clock: ChainClock;
  signers: { address: string; balance(): Promise<bigint> }[];
  thresholds: AlertThresholds;
  /** Whether ALERT_WEBHOOK_URL is set: every alert goes there. */
  operator: boolean;
  /** Owners' subscriptions: a workflow's alerts go there too. */
  subscribers: Subscribers;
  log: Logger;
}

/** An item of GET /api/activity (bigints as decimal strings). */
type ActivityItem =
  | {
      kind: "run";
      run: {
        workflowId: string;
        runNumber: number;
        success: boolean;
        txHash: string;
        logIndex: number;
        blockNumber: string;
        blockTime: string;
        fee: string;
        revert: { reason: string | null } | null;
      };
    }
  | {
      kind: "status";
      event: { workflowId: string; detail: Record<string, string>; txHash: string; blockTime: string };
    }
  | {
      kind: "balance";
      movement: {
        kind: string;
        workflowId: string;
        balanceAfter: string;
        txHash: string;
        logIndex: number;
        blockTime: string;
      };
      perRun: string;
    };

const PAGE = 100;
/** Not the global fetch, as the index reader (lib/node-fetch.ts): connections of its own, kept alive. */
const httpFetch = nodeFetch(4, "alerts");
const REQUEST_TIMEOUT_MS = 10_000;

export class AlertWatch {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  /** One throttle per part: the index down must not hide a signer that cannot be read. */
  #failing = new Map<string, ReturnType<typeof throttled>>();

  constructor(private readonly d: AlertWatchDeps) {}

  start(): void {
    const tick = () => {
      this.#running = this.pass().finally(() => {
        this.#running = undefined;
      });
    };
    tick();
    this.#timer = setInterval(() => {
      if (!this.#running) tick();
    }, this.d.thresholds.pollMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One look at everything; each part on its own, so one failing (the index down) holds up no other. */
  async pass(): Promise<void> {
    const parts: [string, () => Promise<void>][] = [
      ["index activity", () => this.#activity()],
      ["dead-lettered jobs", () => this.#dead()],
      ["signer balances", () => this.#signers()],
      ["index lag", () => this.#indexLag()],
    ];
    await Promise.all(
      parts.map(async ([name, look]) => {
        try {
          await look();
        } catch (error) {
          const say = this.#failing.get(name) ?? throttled(60_000);
          this.#failing.set(name, say);
          say((heldBack) =>
            this.d.log.warn(
              { err: (error as Error).message, heldBack },
              `alerts: could not look at ${name}; trying again`,
            ),
          );
        }
      }),
    );
  }

  #key(name: string): string {
    return `${this.d.prefix}:alerts:${this.d.chainId}:${name}`;
  }

  async #get<T>(path: string): Promise<T> {
    const res = await httpFetch(`${this.d.ponderUrl}${path}`, {
      method: "GET",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`index answered HTTP ${res.status} to ${path.split("?")[0]}`);
    return (await res.json()) as T;
  }

  async #indexedBlock(): Promise<bigint | undefined> {
    const { items } = await this.#get<{ items: { chainId: number; indexedBlock: string | null }[] }>("/api/chains");
    const block = items.find((c) => c.chainId === this.d.chainId)?.indexedBlock;
    return block === null || block === undefined ? undefined : BigInt(block);
  }

  async #activity(): Promise<void> {
    const key = this.#key("cursor");
    let cursor = await this.d.redis.get(key);
    let query: string;
    if (cursor === null) {
      // The first watch of this chain starts from now, the chain's head as this process sees it: what
      // happened before alerting was set up is history, even if the index (still backfilling) has not
      // read it yet.
      query = `fromBlock=${this.d.clock.head.number}`;
    } else {
      query = `cursor=${cursor}`;
    }
    for (;;) {
      const page = await this.#get<{ items: ActivityItem[]; nextCursor: string }>(
        `/api/activity?chainId=${this.d.chainId}&limit=${PAGE}&${query}`,
      );
      for (const item of page.items) await this.#onActivity(item);
      // Saved once its alerts are queued: a crash in between raises them again, and ids make that a no-op.
      cursor = page.nextCursor;
      await this.d.redis.set(key, cursor);
      query = `cursor=${cursor}`;
      if (page.items.length < PAGE) return;
    }
  }

  async #onActivity(item: ActivityItem): Promise<void> {
    const { chainId } = this.d;
    if (item.kind === "run" && !item.run.success) {
      const r = item.run;
      const reason = r.revert?.reason ?? "no reason given";
      await this.#raise({
        id: `run.failed/${chainId}/${r.txHash}/${r.logIndex}`,
        type: "run.failed",
        workflowId: r.workflowId,
        at: blockTime(r.blockTime),
        summary: `Workflow #${r.workflowId} run ${r.runNumber} failed on chain ${chainId}: ${reason}`,
        details: { runNumber: r.runNumber, reason, txHash: r.txHash, blockNumber: r.blockNumber, fee: r.fee },
      });
    } else if (item.kind === "status") {
      const e = item.event;
      const to = e.detail.to;
      if (to !== "COMPLETED" && to !== "CANCELLED") return;
      const type: AlertType = to === "COMPLETED" ? "workflow.completed" : "workflow.cancelled";
      await this.#raise({
        id: `${type}/${chainId}/${e.workflowId}`,
        type,
        workflowId: e.workflowId,
        at: blockTime(e.blockTime),
        summary: `Workflow #${e.workflowId} on chain ${chainId} was ${to.toLowerCase()}`,
        details: { from: e.detail.from ?? null, txHash: e.txHash },
      });
    } else if (item.kind === "balance") {
      const m = item.movement;
      // A refund empties a cancelled workflow: nothing is left to run, so nothing is low.
      if (m.kind === "refund" || m.workflowId === null) return;
      const perRun = BigInt(item.perRun);
      const balance = BigInt(m.balanceAfter);
      const covers = perRun === 0n ? undefined : balance / perRun;
      const low = covers !== undefined && covers < this.d.thresholds.lowRuns;
      const flags = this.#key("low");
      if (!low) {
        await this.d.redis.hdel(flags, m.workflowId);
        return;
      }
      if ((await this.d.redis.hexists(flags, m.workflowId)) === 1) return; // still low: alerted at the crossing
      // Raised, then flagged: a crash in between raises it again (the same id), never loses it.
      await this.#raise({
        id: `workflow.low_balance/${chainId}/${m.workflowId}/${m.txHash}/${m.logIndex}`,
        type: "workflow.low_balance",
        workflowId: m.workflowId,
        at: blockTime(m.blockTime),
        summary: `Workflow #${m.workflowId} on chain ${chainId} has ${eth(balance)} left: ${covers} run(s) at its max fee`,
        details: { balance: m.balanceAfter, runsCovered: Number(covers), perRun: item.perRun, txHash: m.txHash },
      });
      await this.d.redis.hset(flags, m.workflowId, m.txHash);
    }
  }

  async #dead(): Promise<void> {
    // Jobs that died before alerting was first set up for this chain are history, not news.
    const sinceKey = this.#key("dead-since");
    await this.d.redis.set(sinceKey, String(Date.now()), "NX");
    const since = Number(await this.d.redis.get(sinceKey));
    const jobs = await this.d.runs.getFailed(0, PAGE - 1);
    for (const job of jobs) {
      if (!job.id || !job.finishedOn || job.finishedOn < since) continue;
      const reason = job.failedReason || "no reason given";
      await this.#raise({
        // A job retried (npm run queue -- retry) that dies again is news again: its finish time is new.
        id: `run.dead_lettered/${job.id.replaceAll(":", "/")}/${job.finishedOn}`,
        type: "run.dead_lettered",
        workflowId: job.data.workflowId ?? null,
        at: new Date(job.finishedOn).toISOString(),
        summary: `Workflow #${job.data.workflowId} on chain ${this.d.chainId}: its run due at ${job.data.dueAt} never reached the chain (${job.attemptsMade} attempts): ${reason}`,
        details: { jobId: job.id, dueAt: job.data.dueAt, attempts: job.attemptsMade, reason },
      });
    }
  }

  async #signers(): Promise<void> {
    if (this.d.thresholds.signerMinWei === 0n) return;
    for (const signer of this.d.signers) {
      const balance = await signer.balance();
      await this.#crossing(`signer:${signer.address}`, balance < this.d.thresholds.signerMinWei, (n) => ({
        id: `signer.low_balance/${this.d.chainId}/${signer.address}/${n}`,
        type: "signer.low_balance",
        workflowId: null,
        at: new Date().toISOString(),
        summary: `Signer ${signer.address} on chain ${this.d.chainId} has ${eth(balance)}, below ${eth(this.d.thresholds.signerMinWei)}: send it gas money`,
        details: { signer: signer.address, balance: String(balance), minimum: String(this.d.thresholds.signerMinWei) },
      }));
    }
  }

  async #indexLag(): Promise<void> {
    const indexed = await this.#indexedBlock();
    if (indexed === undefined) return;
    const head = this.d.clock.head.number;
    const lag = head > indexed ? head - indexed : 0n;
    await this.#crossing("index-lag", lag > this.d.thresholds.indexLagBlocks, (n) => ({
      id: `index.lagging/${this.d.chainId}/${n}`,
      type: "index.lagging",
      workflowId: null,
      at: new Date().toISOString(),
      summary: `The index is ${lag} blocks behind chain ${this.d.chainId} (more than ${this.d.thresholds.indexLagBlocks}): CONDITION and LOG runs wait for it`,
      details: { head: String(head), indexed: String(indexed), lag: Number(lag) },
    }));
  }

  /**
   * A state alerted once per crossing. The crossing's number is in the alert's id: raised first, then
   * flagged and counted by whichever watcher flags it, so a crash in between or two watchers at once
   * raise the same id (delivered once), and the next crossing gets the next number.
   */
  async #crossing(flag: string, crossed: boolean, alert: (n: number) => Omit<Alert, "chainId">): Promise<void> {
    const flags = this.#key("flags");
    if (!crossed) {
      await this.d.redis.hdel(flags, flag);
      return;
    }
    if ((await this.d.redis.hexists(flags, flag)) === 1) return;
    const crossings = this.#key("crossings");
    await this.#raise(alert(Number((await this.d.redis.hget(crossings, flag)) ?? 0) + 1));
    if ((await this.d.redis.hsetnx(flags, flag, "1")) === 1) await this.d.redis.hincrby(crossings, flag, 1);
  }

  async #raise(alert: Omit<Alert, "chainId">): Promise<void> {
    const subscriptions = alert.workflowId === null ? [] : await this.d.subscribers.of(alert.workflowId);
    const deliveries = await raise(this.d.alerts, { ...alert, chainId: this.d.chainId } as Alert, {
      operator: this.d.operator,
      subscriptions,
    });
    this.d.log.info({ deliveries, alert: alert.id, type: alert.type }, "alert raised");
  }
}

const blockTime = (seconds: string) => new Date(Number(seconds) * 1000).toISOString();
