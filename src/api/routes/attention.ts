import { Hono } from "hono";
import { needsAttention } from "../attention.js";
import { chainFilter, chainIds } from "../chain.js";
import { jsonify } from "../json.js";
import * as p from "../params.js";

/** The workflows someone must act on (dead-lettered, failing, unfunded), worst first; `?chainId=` for one chain. */
export const attention = new Hono().get("/", async (c) => {
  const chainId = chainFilter(c.req.query("chainId"));
  const result = await needsAttention(chainId === undefined ? chainIds : [chainId], p.limit(c.req.query("limit")));
  return c.json(jsonify(result));
});
