/**
 * Offers again the runs the chain no longer shows.
 *
 * A job completes once its transaction is CONFIRMATIONS deep. A reorg deeper than that can still undo
 * the run: the chain then waits for the slot again while the job stays completed, and its id (kept for
 * dedupe) would stop the scheduler from offering the slot again, so the workflow would stall. The
 * signer that sent the transaction repairs this itself for as long as it remembers it (REORG_DEPTH
 * blocks, same process): it re-sends at the nonce, and the runs the re-send leaves out (not due yet on
 * the re-mined chain) go back to their jobs (Batcher#rebuild). This covers everything else: a restarted
 * executor, another executor's transaction, a reorg deeper than REORG_DEPTH.
 *
 * Every few seconds it takes the workflows the index shows overdue, finds those whose job for that very
 * slot has completed, and asks the chain (not the index, which may lag) whether the workflow is still
 * due at exactly that slot. If so the run is not on the chain, and the job is removed so the scheduler
 * offers the slot again:
 * - a TIME slot right away: the contract refuses a slot twice, so a late copy of the old transaction
 *   cannot double it;
 * - a CONDITION run only once the nonce of the transaction that ran it is used on the chain (no version
 *   of it can still be mined); the scheduler then asks the checker again.
 * - a CONDITION job that sent nothing (the worker dropped its check as stale, say after a reorg that a
 *   re-send repaired at the same timestamp) right away: nothing of it can be mined, and its id would
 *   otherwise hold the workflow until the completed job expires.
 */
import type { Chain, Hex, PublicClient, Transport } from "viem";
import { workflowRegistryAbi } from "../../abis/index.js";
import type { DueWorkflow } from "../../lib/due-types.js";
import { jobId } from "../../lib/queue.js";
import { Status } from "../../lib/spec.js";
import { errorText } from "../errors.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { RunQueue } from "../queue.js";

export interface ReconcilerDeps {
  chainId: number;
  queue: RunQueue;
  client: PublicClient<Transport, Chain>;
  registry: Hex;
  log: Logger;
  metrics: Metrics;
}

/** Overdue workflows looked at per round: a rotating window, so a few stuck ones cannot hide the rest. */
const PER_ROUND = 200;

export class Reconciler {
  readonly #d: ReconcilerDeps;
  #cursor = 0;

  constructor(deps: ReconcilerDeps) {
    this.#d = deps;
  }

  /**
   * Looks at the overdue workflows among `due` (overdue: their slot is at least `graceSeconds` before
   * `now`). Returns the job ids it removed, for the scheduler to offer again.
   */
  async run(due: DueWorkflow[], now: bigint, graceSeconds: bigint): Promise<string[]> {
    const overdue = due.filter((w) => w.nextExecutionAt + graceSeconds <= now).sort((a, b) => (a.id < b.id ? -1 : 1));
    if (overdue.length === 0) return [];
    if (this.#cursor >= overdue.length) this.#cursor = 0;
    const window = overdue.slice(this.#cursor, this.#cursor + PER_ROUND);
    this.#cursor += PER_ROUND;

    const { queue, chainId } = this.#d;
    const jobs = await Promise.all(window.map((w) => queue.getJob(jobId(chainId, w.id, w.nextExecutionAt))));
    const removed: string[] = [];
    for (const [i, job] of jobs.entries()) {
      // Completed jobs carry the worker's outcome; failed (dead) ones have no return value.
      if (!job?.returnvalue || job.failedReason) continue;
      const w = window[i]!;
      try {
        if (!(await this.#undone(w, job.data.signer, job.data.nonce, Boolean(job.data.txHashes?.length)))) continue;
        await job.remove();
        removed.push(job.id!);
        this.#d.metrics.runsReoffered.inc({ trigger: w.triggerKind });
        this.#d.log.warn(
          { workflowId: String(w.id), slot: String(w.nextExecutionAt), jobId: job.id },
          "the chain still waits for a completed job's slot: offering it again",
        );
      } catch (error) {
        this.#d.log.warn({ workflowId: String(w.id), err: errorText(error) }, "could not reconcile a run");
      }
    }
    return removed;
  }

  /** Whether the chain still waits for this exact slot, and (for CONDITION) it is safe to run it again. */
  async #undone(w: DueWorkflow, signer: Hex | undefined, nonce: number | undefined, sent: boolean): Promise<boolean> {
    const { client, registry } = this.#d;
    const [, status, , nextExecutionAt] = await client.readContract({
      address: registry,
      abi: workflowRegistryAbi,
      functionName: "getWorkflow",
      args: [w.id],
    });
    if (status !== Status.ACTIVE || nextExecutionAt !== w.nextExecutionAt) return false;
    // A slot past the end time expires rather than runs: nothing to offer. (One due by then still runs late.)
    if (w.endTime !== 0n && w.nextExecutionAt > w.endTime) return false;
    if (w.triggerKind === "TIME" || w.triggerKind === "CRON" || !sent) return true;
    if (signer === undefined || nonce === undefined) return false;
    return (await client.getTransactionCount({ address: signer, blockTag: "latest" })) > nonce;
  }
}
