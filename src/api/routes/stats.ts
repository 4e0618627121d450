import { Hono } from "hono";
import { network } from "../chain.js";
import { jsonify } from "../json.js";
import { stats } from "../queries.js";
import { queueDepth } from "../queue-state.js";

export const statsRoute = new Hono().get("/", async (c) => {
  const now = BigInt(Math.floor(Date.now() / 1000));
  const [s, queue] = await Promise.all([stats(now), queueDepth(network.chainId)]);
  return c.json(jsonify({ chainId: network.chainId, ...s, queue }));
});
