/**
 * "Needs attention": the workflows a person must act on, worst first: a run dead-lettered (it never reached
 * the chain and waits for `npm run queue -- retry`), the last run failing on chain, or not enough funds to
 * run. Each workflow appears once, under the worst that applies, with the reason in a sentence.
 */
import { IDLE } from "../../lib/queue.js";
import { ATTENTION, type Health, healthOf } from "./health.js";
import { failingWorkflows, findWorkflows, lastFailure, unfundedWorkflows, type WorkflowRow } from "./queries.js";
import { deadJobs } from "./queue-state.js";

export interface AttentionItem {
  chainId: number;
  workflowId: bigint;
  health: Health;
  /** The dead-lettered job, for `npm run queue -- retry <jobId>`. */
  jobId: string | null;
}

export interface Attention {
  items: AttentionItem[];
  /** Set when a chain's queue could not be read: its dead-lettered runs are missing from `items`. */
  queueError: string | null;
}

export async function needsAttention(chainIds: readonly number[], limit: number): Promise<Attention> {
  const chainId = chainIds.length === 1 ? chainIds[0] : undefined;
  const [dead, failing, unfunded] = await Promise.all([
    Promise.all(chainIds.map((c) => deadJobs(c, limit))),
    failingWorkflows(chainId, limit),
    unfundedWorkflows(chainId, limit),
  ]);
  const items = new Map<string, AttentionItem>();
  const add = (row: WorkflowRow, health: Health, jobId: string | null = null) => {
    const key = `${row.chainId}:${row.id}`;
    if (!items.has(key) && ATTENTION.includes(health.state)) {
      items.set(key, { chainId: row.chainId, workflowId: row.id, health, jobId });
    }
  };
  let queueError: string | null = null;
  for (const answer of dead) {
    if (!answer.available) {
      queueError = answer.reason;
      continue;
    }
    for (const job of answer.jobs) {
      const [row] = await findWorkflows(job.workflowId, job.chainId);
      // A job of a workflow since paused or ended: nothing more is expected of it.
      if (row) {
        const state = { ...IDLE, state: "dead" as const, attempts: job.attempts, lastError: job.reason };
        add(row, healthOf(row, state, null), job.jobId);
      }
    }
  }
  for (const row of failing) add(row, healthOf(row, null, await lastFailure(row.chainId, row.id)));
  for (const row of unfunded) add(row, healthOf(row, null, null));
  const order = (i: AttentionItem) => ATTENTION.indexOf(i.health.state);
  return { items: [...items.values()].sort((a, b) => order(a) - order(b)).slice(0, limit), queueError };
}
