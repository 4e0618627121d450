import { Hono } from "hono";
import { chainFilter } from "../chain.js";
import { notFound } from "../errors.js";
import { jsonify } from "../json.js";
import * as p from "../params.js";
import { presentEvent, presentExecution, presentMovement, presentSkip, presentTriggerLog } from "../present.js";
import { transaction } from "../queries.js";

export const tx = new Hono().get("/:hash", async (c) => {
  const hash = p.txHash(c.req.param("hash"));
  const found = await transaction(hash, chainFilter(c.req.query("chainId")));
  if (!found) throw notFound(`no Autokeeper activity in transaction ${hash}`);
  return c.json(
    jsonify({
      hash: found.hash,
      chainId: found.chainId,
      blockNumber: found.blockNumber,
      blockTime: found.blockTime,
      executions: found.runs.map(presentExecution),
      skips: found.skips.map(presentSkip),
      events: found.events.map(presentEvent),
      escrow: found.escrow.map(presentMovement),
      /** Logs of this transaction that LOG workflows matched, each with its fate. */
      triggerLogs: found.triggerLogs.map(presentTriggerLog),
    }),
  );
});
