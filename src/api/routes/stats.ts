import { Hono } from "hono";
import { chainFilter, chainIds } from "../chain.js";
import { jsonify } from "../json.js";
import { stats } from "../queries.js";
import { totalQueueDepth } from "../queue-state.js";

/**
 * Totals over every chain, or over the one `?chainId=` names. `chainId` in the answer: the chain counted, or
 * null for several (then fees add up amounts in each chain's own currency: ask per chain to read them).
 */
export const statsRoute = new Hono().get("/", async (c) => {
  const chainId = chainFilter(c.req.query("chainId"));
  const counted = chainId === undefined ? chainIds : [chainId];
  const now = BigInt(Math.floor(Date.now() / 1000));
  const queue = await totalQueueDepth(counted);
  const s = await stats(now, chainId, queue.available ? queue.dead : null);
  return c.json(jsonify({ chainId: counted.length === 1 ? counted[0] : null, chainIds: counted, ...s, queue }));
});
