import { integer } from "drizzle-orm/pg-core";
import { bigint, hex, index, onchainTable, onchainView, primaryKey, sql } from "ponder";

/**
 * Every row carries the chain it came from: one deployment indexes several chains (CHAINS), and a
 * workflow is (chainId, id), its id being the registry's on that chain.
 */

/** One row per workflow: its spec, on-chain state and running totals. */
export const workflow = onchainTable(
  "workflow",
  (t) => ({
    chainId: t.integer().notNull(),
    id: t.bigint().notNull(),
    owner: t.hex().notNull(),
    forwarder: t.hex().notNull(),
    status: t.text().notNull(), // ACTIVE | PAUSED | CANCELLED | COMPLETED
    triggerKind: t.text().notNull(), // TIME | CONDITION | LOG | CRON
    interval: t.bigint().notNull(),
    checkerKind: t.text().notNull(), // NONE | CHAINLINK | GELATO
    checker: t.hex().notNull(),
    triggerData: t.hex().notNull(),
    /** LOG: the filter, decoded (GraphQL and SQL readers see it without decoding triggerData). */
    logFilter: t.json().$type<{
      emitter: `0x${string}`;
      topics: (`0x${string}` | null)[];
      checkData: `0x${string}`;
    }>(),
    /** CRON: the expression (its next tick is nextExecutionAt). */
    cron: t.text(),
    actions: t.json().$type<{ target: `0x${string}`; value: string; data: `0x${string}` }[]>().notNull(),
    gasLimit: t.integer().notNull(),
    maxFeePerRun: t.bigint().notNull(),
    totalValue: t.bigint().notNull(),
    startTime: t.bigint().notNull(),
    maxRuns: t.bigint().notNull(),
    endTime: t.bigint().notNull(),
    nextExecutionAt: t.bigint().notNull(),
    balance: t.bigint().notNull(),
    runCount: t.integer().notNull(),
    successCount: t.integer().notNull(),
    failureCount: t.integer().notNull(),
    skipCount: t.integer().notNull(),
    lastRunAt: t.bigint(),
    lastRunSuccess: t.boolean(),
    lastRunTx: t.hex(),
    createdBlock: t.bigint().notNull(),
    createdTx: t.hex().notNull(),
    createdAt: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.chainId, table.id] }),
    ownerIdx: index().on(table.owner),
    dueIdx: index().on(table.chainId, table.status, table.nextExecutionAt, table.id),
    triggerIdx: index().on(table.triggerKind),
  }),
);

/** One row per run (WorkflowExecuted). */
export const execution = onchainTable(
  "execution",
  (t) => ({
    id: t.text().primaryKey(), // txHash-logIndex
    chainId: t.integer().notNull(),
    workflowId: t.bigint().notNull(),
    runNumber: t.integer().notNull(),
    worker: t.hex().notNull(),
    success: t.boolean().notNull(),
    gasUsed: t.bigint().notNull(),
    fee: t.bigint().notNull(),
    dueAt: t.bigint().notNull(),
    nextExecutionAt: t.bigint().notNull(),
    blockTime: t.bigint().notNull(),
    /** The workflow's trigger when it ran: lateness means something different per kind. */
    triggerKind: t.text().notNull(),
    /**
     * Seconds late. TIME and CRON: from the due slot. LOG: from the log's block. CONDITION: from when its
     * minimum interval elapsed (the first block whose check said yes is known only to the executor: its
     * metrics and job state show that lateness).
     */
    lateness: t.bigint().notNull(),
    /** LOG: the log that caused the run. */
    triggerTxHash: t.hex(),
    triggerLogIndex: t.integer(),
    triggerBlockNumber: t.bigint(),
    txHash: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    reason: t.hex(),
    reasonText: t.text(),
  }),
  (table) => ({
    workflowBlockIdx: index().on(table.chainId, table.workflowId, table.blockNumber),
    txIdx: index().on(table.txHash),
    workerIdx: index().on(table.worker),
    timeIdx: index().on(table.blockTime),
  }),
);

/**
 * One row per (LOG workflow, matching log): the indexer reads each block's logs for the filters that
 * active LOG workflows name (src/LogTrigger.ts). PENDING rows are what the scheduler turns into runs;
 * a Chainlink log upkeep's checkLog is asked here, at the log's block, and a "no" or a revert makes the
 * row SKIPPED with the reason. RAN once ActionExecutor's LogRun names it. A reorg removes the rows of
 * its blocks (Ponder rolls them back), so a log that left the chain is no longer offered.
 */
export const triggerLog = onchainTable(
  "trigger_log",
  (t) => ({
    id: t.text().primaryKey(), // chainId:workflowId:blockHash:logIndex
    chainId: t.integer().notNull(),
    workflowId: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    blockHash: t.hex().notNull(),
    blockTime: t.bigint().notNull(),
    txHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
    emitter: t.hex().notNull(),
    topics: t.json().$type<`0x${string}`[]>().notNull(),
    data: t.hex().notNull(),
    state: t.text().notNull(), // PENDING | SKIPPED | RAN
    /** SKIPPED: why checkLog said no (its revert reason, "upkeepNeeded false", a refused answer). */
    skipReason: t.text(),
    /** Chainlink log upkeeps: checkLog's performData, passed to performUpkeep. */
    performData: t.hex(),
    runNumber: t.integer(),
    runTx: t.hex(),
    runBlock: t.bigint(),
  }),
  (table) => ({
    stateIdx: index().on(table.chainId, table.state, table.workflowId, table.blockNumber, table.logIndex),
    workflowBlockIdx: index().on(table.chainId, table.workflowId, table.blockNumber),
    txIdx: index().on(table.txHash),
  }),
);

/**
 * The filters of the LOG workflows that are active now, and the position (block, log index) up to which
 * the chain's logs have been matched against them: one row per chain (id = its chain id).
 */
export const logWatch = onchainTable("log_watch", (t) => ({
  id: t.integer().primaryKey(),
  watches: t.json().$type<LogWatchEntry[]>().notNull(),
  scannedBlock: t.bigint().notNull(),
  /** 2147483647: the whole block. */
  scannedLogIndex: t.integer().notNull(),
}));

export interface LogWatchEntry {
  workflowId: string;
  emitter: `0x${string}`;
  topics: (`0x${string}` | null)[]; // topic0..3; null matches anything
  checkerKind: string; // NONE | CHAINLINK
  checker: `0x${string}`;
  checkData: `0x${string}`;
  /** Logs at or before this position (block, log index) are not the workflow's: it was not watching then. */
  fromBlock: string;
  fromLogIndex: number;
}

/** Which log each LOG run served (ActionExecutor's LogRun), by chainId:workflowId:runNumber. */
export const logRun = onchainTable("log_run", (t) => ({
  id: t.text().primaryKey(),
  triggerLogId: t.text().notNull(),
  logBlockNumber: t.bigint().notNull(),
  logIndex: t.integer().notNull(),
  /** From the log's trigger_log row (null if the index has none), so the run's row needs no second read. */
  logBlockTime: t.bigint(),
  logTxHash: t.hex(),
}));

/**
 * Why a run failed (ActionExecutor's WorkflowFailed, just before the run's WorkflowExecuted), by
 * chainId:workflowId:runNumber. Only failed runs have one, and only their WorkflowExecuted reads it.
 */
export const runFailure = onchainTable("run_failure", (t) => ({
  id: t.text().primaryKey(),
  reason: t.hex().notNull(),
}));

/** Attempts ActionExecutor skipped (WorkflowSkipped). */
export const skip = onchainTable(
  "skip",
  (t) => ({
    id: t.text().primaryKey(),
    chainId: t.integer().notNull(),
    workflowId: t.bigint().notNull(),
    worker: t.hex().notNull(),
    reason: t.text().notNull(),
    txHash: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    blockTime: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    workflowBlockIdx: index().on(table.chainId, table.workflowId, table.blockNumber),
    txIdx: index().on(table.txHash),
    workerIdx: index().on(table.worker),
  }),
);

/** Lifecycle audit trail: registered, updated, status changes, ownership transfers. */
export const workflowEvent = onchainTable(
  "workflow_event",
  (t) => ({
    id: t.text().primaryKey(),
    chainId: t.integer().notNull(),
    workflowId: t.bigint().notNull(),
    kind: t.text().notNull(), // registered | updated | status | ownership
    detail: t.json().$type<Record<string, string>>().notNull(),
    txHash: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    blockTime: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    workflowBlockIdx: index().on(table.chainId, table.workflowId, table.blockNumber),
    txIdx: index().on(table.txHash),
  }),
);

/** Every movement of value through FeeEscrow. */
export const escrowMovement = onchainTable(
  "escrow_movement",
  (t) => ({
    id: t.text().primaryKey(),
    chainId: t.integer().notNull(),
    kind: t.text().notNull(), // deposit | withdraw | refund | release | charge | claim
    workflowId: t.bigint(), // null for claims
    account: t.hex().notNull(), // depositor, owner, worker
    amount: t.bigint().notNull(),
    balanceAfter: t.bigint(), // the workflow's balance after it; null for claims
    txHash: t.hex().notNull(),
    blockNumber: t.bigint().notNull(),
    blockTime: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
  }),
  (table) => ({
    workflowIdx: index().on(table.chainId, table.workflowId, table.blockNumber),
    accountIdx: index().on(table.account),
    txIdx: index().on(table.txHash),
  }),
);

/**
 * Each worker's record, derived from the runs, skips and claims when it is read: kept as a table, it cost
 * every run a read-modify-write of one hot row. Lookups by address reach the execution, skip and
 * escrow_movement indexes on worker/account.
 */
export const worker = onchainView("worker", {
  chainId: integer().notNull(),
  address: hex().notNull(),
  runs: integer().notNull(),
  failures: integer().notNull(),
  skips: integer().notNull(),
  earned: bigint().notNull(),
  claimed: bigint().notNull(),
  lastSeenAt: bigint().notNull(),
}).as(sql`
  SELECT chain_id, address,
    sum(runs)::integer AS runs,
    sum(failures)::integer AS failures,
    sum(skips)::integer AS skips,
    sum(earned)::numeric(78, 0) AS earned,
    sum(claimed)::numeric(78, 0) AS claimed,
    coalesce(max(seen), max(claimed_at))::numeric(78, 0) AS last_seen_at
  FROM (
    SELECT chain_id, worker AS address, count(*) AS runs, count(*) FILTER (WHERE NOT success) AS failures,
      0 AS skips, sum(fee) AS earned, 0 AS claimed, max(block_time) AS seen, NULL::numeric AS claimed_at
    FROM ${execution} GROUP BY chain_id, worker
    UNION ALL
    SELECT chain_id, worker, 0, 0, count(*), 0, 0, max(block_time), NULL FROM ${skip} GROUP BY chain_id, worker
    UNION ALL
    SELECT chain_id, account, 0, 0, 0, 0, sum(amount), NULL, max(block_time)
    FROM ${escrowMovement} WHERE kind = 'claim' GROUP BY chain_id, account
  ) AS w
  GROUP BY chain_id, address`);

/**
 * Runs per hour, derived from the runs and skips when it is read (GraphQL's hourlyStats): kept as a
 * table, it cost every run a read-modify-write of the hour's row.
 */
export const hourlyStat = onchainView("hourly_stat", {
  chainId: integer().notNull(),
  hour: bigint().notNull(), // unix seconds at the start of the hour
  runs: integer().notNull(),
  failures: integer().notNull(),
  skips: integer().notNull(),
  gasUsed: bigint().notNull(),
  fees: bigint().notNull(),
  latenessTotal: bigint().notNull(),
}).as(sql`
  SELECT chain_id, hour,
    sum(runs)::integer AS runs,
    sum(failures)::integer AS failures,
    sum(skips)::integer AS skips,
    sum(gas_used)::numeric(78, 0) AS gas_used,
    sum(fees)::numeric(78, 0) AS fees,
    sum(lateness_total)::numeric(78, 0) AS lateness_total
  FROM (
    SELECT chain_id, block_time - block_time % 3600 AS hour, count(*) AS runs,
      count(*) FILTER (WHERE NOT success) AS failures, 0 AS skips, sum(gas_used) AS gas_used, sum(fee) AS fees,
      sum(lateness) AS lateness_total
    FROM ${execution} GROUP BY 1, 2
    UNION ALL
    SELECT chain_id, block_time - block_time % 3600, 0, 0, count(*), 0, 0, 0 FROM ${skip} GROUP BY 1, 2
  ) AS h
  GROUP BY chain_id, hour`);

/** Fee parameters as last set by the admin. */
export const feeParams = onchainTable("fee_params", (t) => ({
  id: t.integer().primaryKey(), // the chain's id
  premiumBps: t.integer().notNull(),
  flatFee: t.bigint().notNull(),
  updatedAt: t.bigint().notNull(),
}));
