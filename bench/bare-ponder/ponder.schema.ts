import { onchainTable } from "ponder";

/** One row per event, whatever its kind: the least a handler can write. */
export const eventRow = onchainTable("event_row", (t) => ({
  id: t.text().primaryKey(),
  name: t.text().notNull(),
  workflowId: t.bigint(),
  blockNumber: t.bigint().notNull(),
  blockTime: t.bigint().notNull(),
  txHash: t.hex().notNull(),
  logIndex: t.integer().notNull(),
}));
