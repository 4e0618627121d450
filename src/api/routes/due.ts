import { Hono } from "hono";
import { badRequest } from "../errors.js";
import { jsonify } from "../json.js";
import { dueLogs, dueWorkflows } from "../queries.js";

function limitOf(raw = "10000"): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 10_000) {
    throw badRequest("invalid_limit", "limit must be an integer from 1 to 10000");
  }
  return Number(raw);
}

/** What the scheduler reads: workflows due by `horizon` (unix seconds) that can pay a run, and logs owed a run. */
export const due = new Hono()
  .get("/", async (c) => {
    const raw = c.req.query("horizon");
    if (!raw || !/^\d{1,20}$/.test(raw)) throw badRequest("invalid_horizon", "horizon must be unix seconds");
    return c.json(jsonify({ items: await dueWorkflows(BigInt(raw), limitOf(c.req.query("limit"))) }));
  })
  .get("/logs", async (c) => c.json(jsonify({ items: await dueLogs(limitOf(c.req.query("limit"))) })));
