import { Hono } from "hono";
import { chainsStatus } from "../chains-status.js";
import { jsonify } from "../json.js";

/** Every chain this index serves: its head, the block indexed and the lag between them. */
export const chains = new Hono().get("/", async (c) => c.json(jsonify({ items: await chainsStatus() })));
