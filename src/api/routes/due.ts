import { Hono } from "hono";
import { badRequest } from "../errors.js";
import { jsonify } from "../json.js";
import { dueWorkflows } from "../queries.js";

/** What the scheduler reads: workflows due by `horizon` (unix seconds) that can pay a run. */
export const due = new Hono().get("/", async (c) => {
  const raw = c.req.query("horizon");
  if (!raw || !/^\d{1,20}$/.test(raw)) throw badRequest("invalid_horizon", "horizon must be unix seconds");
  const limitRaw = c.req.query("limit") ?? "10000";
  if (!/^\d{1,5}$/.test(limitRaw) || Number(limitRaw) < 1 || Number(limitRaw) > 10_000) {
    throw badRequest("invalid_limit", "limit must be an integer from 1 to 10000");
  }
  return c.json(jsonify({ items: await dueWorkflows(BigInt(raw), Number(limitRaw)) }));
});
