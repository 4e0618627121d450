/**
 * The BullMQ side of the worker: takes ready jobs, first checks whether a previous attempt (or a
 * killed worker) already broadcast a transaction for the job, and otherwise hands it to the batcher.
 * Outcomes map to BullMQ as: executed/skipped → completed; delay → back to delayed without using an
 * attempt; failed → an attempt used (retried with backoff, dead-lettered when attempts run out).
 */
import { DelayedError, type Job, type Worker } from "bullmq";
import type { Chain, Hash, Hex, PublicClient, Transport } from "viem";
import type { RunJobData } from "../../lib/queue.js";
import { decodeRevertReason } from "../../lib/revert-reason.js";
import type { ExecutorConfig } from "../config.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { createQueueWorker } from "../queue.js";
import type { Batcher } from "./batcher.js";
import type { Outcome } from "./outcome.js";
import { itemEvents } from "./receipt.js";

export interface WorkerDeps {
  config: ExecutorConfig;
  client: PublicClient<Transport, Chain>;
  batcher: Batcher;
  log: Logger;
  metrics: Metrics;
}

export function startWorker({ config, client, batcher, log, metrics }: WorkerDeps): Worker<RunJobData> {
  const executor = config.network.actionExecutor;

  /** A transaction a previous attempt broadcast: its outcome if mined, or undefined to send afresh. */
  async function recover(job: Job<RunJobData>): Promise<Outcome | undefined> {
    const hashes = job.data.txHashes ?? (job.data.txHash ? [job.data.txHash] : []);
    const id = BigInt(job.data.workflowId);
    const deadline = Date.now() + config.txTimeoutMs;
    for (;;) {
      let pending = false;
      for (const hash of [...hashes].reverse()) {
        const receipt = await client.getTransactionReceipt({ hash }).catch(() => undefined);
        if (receipt) {
          const e = receipt.status === "success" ? itemEvents(receipt, executor).get(id) : undefined;
          if (e?.kind === "executed" && e.dueAt >= BigInt(job.data.dueAt)) {
            return {
              kind: "executed",
              success: e.success,
              txHash: receipt.transactionHash,
              runNumber: String(e.runNumber),
              blockNumber: String(receipt.blockNumber),
              reason: e.success ? null : decodeRevertReason(e.reason),
            };
          }
          return undefined; // mined without running this slot: simulate and send again
        }
        if (await client.getTransaction({ hash }).catch(() => undefined)) pending = true;
      }
      if (!pending || Date.now() > deadline) return undefined;
      await new Promise((r) => setTimeout(r, config.pollMs));
    }
  }

  async function process(job: Job<RunJobData>, token?: string) {
    const jlog = log.child({ workflowId: job.data.workflowId, jobId: job.id });
    let outcome = job.data.txHashes?.length || job.data.txHash ? await recover(job) : undefined;
    if (outcome)
      jlog.info(
        { txHash: outcome.kind === "executed" ? outcome.txHash : undefined },
        "found the run a previous attempt sent",
      );
    outcome ??= await batcher.submit({
      workflowId: BigInt(job.data.workflowId),
      dueAt: BigInt(job.data.dueAt),
      performData: job.data.performData,
      gasLimit: job.data.gasLimit,
      recordTx: async (hash: Hash, signer: Hex) => {
        const txHashes = [...(job.data.txHashes ?? []), hash];
        await job.updateData({ ...job.data, txHash: hash, txHashes, signer });
      },
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
        jlog.debug({ why: outcome.why, untilMs: outcome.untilMs }, "delayed");
        await job.moveToDelayed(outcome.untilMs, token);
        throw new DelayedError(outcome.why);
      case "failed":
        metrics.jobsFailed.inc({ kind: "attempt" });
        jlog.warn({ attempt: job.attemptsMade + 1, err: outcome.message }, "run attempt failed");
        throw new Error(outcome.message);
    }
  }

  const worker = createQueueWorker(config, process);
  worker.on("failed", (job, error) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      metrics.jobsDead.inc();
      log.error(
        { workflowId: job.data.workflowId, jobId: job.id, err: error.message },
        "job dead-lettered after its last attempt",
      );
    }
  });
  worker.on("error", (error) => log.error({ err: error.message }, "worker error"));
  return worker;
}
