/**
 * The BullMQ side of the worker: takes ready jobs, first checks whether a previous attempt (or a
 * killed worker) already broadcast a transaction for the job, and otherwise hands it to the batcher.
 * Outcomes map to BullMQ as: executed/skipped → completed; delay → back to delayed without using an
 * attempt; failed → an attempt used (retried with backoff, dead-lettered when attempts run out).
 */
import type { Job, Worker } from "bullmq";
import type { Chain, Hash, Hex, PublicClient, Transport } from "viem";
import type { Network } from "../../lib/network.js";
import type { RunJobData } from "../../lib/queue.js";
import type { ChainClock } from "../chain-clock.js";
import type { ExecutorConfig } from "../config.js";
import { type Logger, throttled } from "../log.js";
import type { Metrics } from "../metrics.js";
import { bullmq, createQueueWorker } from "../queue.js";
import type { Batcher } from "./batcher.js";
import { executedOutcome, type Outcome, outcomeOfError } from "./outcome.js";
import { eventOf, itemEvents } from "./receipt.js";
import type { Signer } from "./signer.js";

export interface WorkerDeps {
  config: ExecutorConfig;
  /** The chain this worker serves: its queue and its ActionExecutor. */
  network: Network;
  client: PublicClient<Transport, Chain>;
  clock: ChainClock;
  batcher: Batcher;
  signers: Signer[];
  log: Logger;
  metrics: Metrics;
}

/** Looks for receipts this many blocks before deciding the chain used a nonce for something else. */
const USED_ELSEWHERE_CHECKS = 3;

export function startWorker({
  config,
  network,
  client,
  clock,
  batcher,
  signers,
  log,
  metrics,
}: WorkerDeps): Worker<RunJobData> {
  const executor = network.actionExecutor;
  const blockMs = () => Math.round(clock.blockTimeSeconds * 1000);

  /** The run as a mined version of the job's transaction did it, if one is mined. */
  async function minedOutcome(job: Job<RunJobData>, hashes: Hash[]): Promise<Outcome | "other" | undefined> {
    const id = BigInt(job.data.workflowId);
    for (const hash of [...hashes].reverse()) {
      const receipt = await client.getTransactionReceipt({ hash }).catch(() => undefined);
      if (!receipt) continue;
      const item = { workflowId: id, trigger: job.data.trigger, performData: job.data.performData };
      const e = receipt.status === "success" ? eventOf(itemEvents(receipt, executor), item) : undefined;
      if (e?.kind === "executed" && (job.data.trigger === "LOG" || e.dueAt >= BigInt(job.data.dueAt))) {
        return executedOutcome(e, receipt);
      }
      return "other"; // mined without running this slot: the run is still to be sent
    }
    return undefined;
  }

  /**
   * A transaction a previous attempt (or a killed worker) broadcast for this job. Its outcome if a
   * version is mined; undefined when the chain used its nonce for something else, so the run can be sent
   * afresh; otherwise a delay, because while the nonce is open a version may still be mined, and sending
   * the run at another nonce could run it twice.
   */
  async function recover(job: Job<RunJobData>): Promise<Outcome | undefined> {
    const hashes = job.data.txHashes ?? (job.data.txHash ? [job.data.txHash] : []);
    const mined = await minedOutcome(job, hashes);
    if (mined === "other") return undefined;
    if (mined) return mined;
    const { signer, nonce } = job.data;
    if (signer === undefined || nonce === undefined) {
      // A job from before nonces were recorded: wait while a node still knows a version.
      for (const hash of hashes) if (await client.getTransaction({ hash }).catch(() => undefined)) return waiting();
      return undefined;
    }
    const used = async () => (await client.getTransactionCount({ address: signer, blockTag: "latest" })) > nonce;
    if (await used()) {
      // Used, and no receipt for ours: make sure that is not a node lagging behind its own count.
      for (let i = 0; i < USED_ELSEWHERE_CHECKS; i++) {
        await new Promise((r) => setTimeout(r, blockMs()));
        const again = await minedOutcome(job, hashes);
        if (again === "other") return undefined;
        if (again) return again;
      }
      return undefined;
    }
    // Open. If it is one of this process's keys and nobody here holds the nonce (its sender was a
    // previous process), make sure it gets used: a lost transaction there is then filled.
    signers.find((s) => s.address.toLowerCase() === signer.toLowerCase())?.close(nonce);
    return waiting();

    function waiting(): Outcome {
      return {
        kind: "delay",
        untilMs: Date.now() + 2 * blockMs(),
        why: `waiting for nonce ${nonce ?? "?"} of ${signer ?? "?"} to be mined`,
        reason: "tx_pending",
      };
    }
  }

  /**
   * The job a batch item writes back to: its hash before each broadcast, and a reopen after a reorg. A
   * sent transaction stays watched for REORG_DEPTH blocks after its jobs completed, and its items with
   * it; holding the Job itself there kept every run's BullMQ job alive for 64 blocks (12,800 jobs at 200
   * transactions a block; heap snapshots of the executor benchmark). So once `process` is done with it,
   * the item keeps the job's id only, and a re-send after a reorg reads the job back from Redis.
   */
  function jobHandle(job: Job<RunJobData>) {
    let held: Job<RunJobData> | undefined = job;
    const id = job.id ?? "";
    return {
      get: async (): Promise<Job<RunJobData>> => {
        const found = held ?? (await bullmq.Job.fromId<RunJobData>(worker, id));
        if (!found) throw new Error(`job ${id} is no longer in the queue`);
        return found;
      },
      release: () => {
        held = undefined;
      },
    };
  }

  async function process(job: Job<RunJobData>, token?: string) {
    const handle = jobHandle(job);
    try {
      return await take(job, handle, token);
    } finally {
      handle.release();
    }
  }

  async function take(job: Job<RunJobData>, handle: ReturnType<typeof jobHandle>, token?: string) {
    const jlog = log.child({ workflowId: job.data.workflowId, jobId: job.id });
    const sentBefore = Boolean(job.data.txHashes?.length || job.data.txHash);
    let outcome = sentBefore ? await recover(job).catch((error: unknown) => outcomeOfError(error)) : undefined;
    if (outcome?.kind === "executed") {
      jlog.info({ txHash: outcome.txHash }, "found the run a previous attempt sent");
    }
    outcome ??= await batcher.submit({
      workflowId: BigInt(job.data.workflowId),
      dueAt: BigInt(job.data.dueAt),
      performData: job.data.performData,
      gasLimit: job.data.gasLimit,
      trigger: job.data.trigger ?? "TIME",
      readyAt: job.data.readyAt === undefined ? undefined : BigInt(job.data.readyAt),
      recordTx: async (hash: Hash, signer: Hex, nonce: number) => {
        const current = await handle.get();
        const txHashes = [...(current.data.txHashes ?? []), hash];
        await current.updateData({ ...current.data, txHash: hash, txHashes, signer, nonce });
      },
      // Back to waiting; the next take looks at its recorded transactions first, as after any restart.
      reopen: async () => (await handle.get()).retry("completed"),
    });

    switch (outcome.kind) {
      case "executed":
        metrics.jobsCompleted.inc({ outcome: outcome.success ? "executed" : "executed_failed" });
        return outcome;
      case "skipped":
        metrics.jobsCompleted.inc({ outcome: "skipped" });
        jlog.info({ reason: outcome.reason }, "nothing to run");
        return outcome;
      case "delay":
        metrics.jobsDelayed.inc({ reason: outcome.reason });
        jlog.debug({ why: outcome.why, reason: outcome.reason, untilMs: outcome.untilMs }, "delayed");
        if (outcome.underpriced || job.data.underpriced) {
          // The API shows an underpriced run as such (and stops once it waits for anything else).
          const u = outcome.underpriced;
          await job.updateData({
            ...job.data,
            underpriced: u && {
              feeWei: String(u.feeWei),
              costWei: String(u.costWei),
              gasUsed: String(u.gasUsed),
              gasPriceWei: String(u.gasPriceWei),
              at: Date.now(),
            },
          });
        }
        await job.moveToDelayed(outcome.untilMs, token);
        throw new bullmq.DelayedError(outcome.why);
      case "failed":
        metrics.jobsFailed.inc({ kind: "attempt" });
        jlog.warn({ attempt: job.attemptsMade + 1, err: outcome.message }, "run attempt failed");
        throw new Error(outcome.message);
    }
  }

  const worker = createQueueWorker({ ...config, chainId: network.chainId }, process);
  worker.on("failed", (job, error) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      metrics.jobsDead.inc();
      log.error(
        { workflowId: job.data.workflowId, jobId: job.id, err: error.message },
        "job dead-lettered after its last attempt",
      );
    }
  });
  const failing = throttled();
  worker.on("error", (error) => failing((heldBack) => log.error({ err: error.message, heldBack }, "worker error")));
  return worker;
}
