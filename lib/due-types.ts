/**
 * What the scheduler reads from the index: the rows of the due set, and the page sizes. Apart from
 * lib/due.ts (the queries) and free of imports, so the executor loads it without drizzle.
 */

export interface DueWorkflow {
  id: bigint;
  triggerKind: string;
  checkerKind: string;
  checker: `0x${string}`;
  triggerData: `0x${string}`;
  nextExecutionAt: bigint;
  interval: bigint;
  endTime: bigint;
  gasLimit: number;
  /** The most a run may be charged (the scheduler leaves out slots ahead for a workflow that surely cannot pay). */
  maxFeePerRun: bigint;
  /** Runs the index shows (a CONDITION check is tied to the chain's count at its block instead: conditions.ts). */
  runCount: number;
}

export interface DueLog {
  workflowId: bigint;
  blockNumber: bigint;
  blockHash: `0x${string}`;
  /** The log's block time: a LOG run is late from it. */
  blockTime: bigint;
  logIndex: number;
  /** A Chainlink log upkeep's checkLog answer (null for a workflow with actions). */
  performData: `0x${string}` | null;
  gasLimit: number;
  maxFeePerRun: bigint;
}

/** Where a page of due workflows ended: its last row's next due time and id. */
export type DueCursor = readonly [nextExecutionAt: bigint, id: bigint];

/** The most due workflows one pass reads (the rest wait for the next pass), and the API's largest page. */
export const MAX_DUE_PAGE = 10_000;

/**
 * The scheduler reads the due set in pages of this many. Read in one answer, 10,000 rows at 1M workflows
 * held the answer's bytes, its text and two sets of objects at once: the scheduler's peak memory.
 */
export const DUE_READ_PAGE = 1_000;
