import { Hono } from "hono";
import { MAX_DUE_PAGE } from "../../../lib/due-types.js";
import { requiredChain } from "../chain.js";
import { badRequest } from "../errors.js";
import { jsonify } from "../json.js";
import { dueCursor, encodeCursor } from "../params.js";
import { dueLogs, dueWorkflows } from "../queries.js";

function limitOf(raw = String(MAX_DUE_PAGE)): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_DUE_PAGE) {
    throw badRequest("invalid_limit", `limit must be an integer from 1 to ${MAX_DUE_PAGE}`);
  }
  return Number(raw);
}

/**
 * What the scheduler reads, for one chain (`chainId`: required when the index serves several): workflows
 * due by `horizon` (unix seconds) that can pay a run, soonest first, a page at a time (`cursor`: the
 * `nextCursor` of the page before); and logs owed a run. The page names its chain once, not every row: a
 * page holds up to 10,000 rows, and the scheduler asked for that chain.
 */
export const due = new Hono()
  .get("/", async (c) => {
    const chainId = requiredChain(c.req.query("chainId"));
    const raw = c.req.query("horizon");
    if (!raw || !/^\d{1,20}$/.test(raw)) throw badRequest("invalid_horizon", "horizon must be unix seconds");
    const after = dueCursor(c.req.query("cursor"));
    const result = await dueWorkflows(chainId, BigInt(raw), limitOf(c.req.query("limit")), after);
    return c.json(
      jsonify({
        chainId,
        items: result.items,
        nextCursor: result.next ? encodeCursor([result.next.nextExecutionAt, result.next.id]) : null,
      }),
    );
  })
  .get("/logs", async (c) => {
    const chainId = requiredChain(c.req.query("chainId"));
    return c.json(jsonify({ chainId, items: await dueLogs(chainId, limitOf(c.req.query("limit"))) }));
  });
