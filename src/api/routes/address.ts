import { Hono } from "hono";
import { notFound } from "../errors.js";
import { jsonify } from "../json.js";
import * as p from "../params.js";
import { presentMovement, presentWorkflow } from "../present.js";
import { addressActivity } from "../queries.js";

export const address = new Hono().get("/:address", async (c) => {
  const account = p.address(c.req.param("address"));
  const a = await addressActivity(account);
  if (a.workflows.length === 0 && !a.worker && a.movements.length === 0 && a.forwarderOf === undefined) {
    throw notFound(`no Autokeeper activity for ${account}`);
  }
  return c.json(
    jsonify({
      address: a.address,
      workflows: a.workflows.map(presentWorkflow),
      balances: { workflows: a.ownedBalance, unclaimedEarnings: a.worker ? a.worker.earned - a.worker.claimed : null },
      worker: a.worker
        ? {
            runs: a.worker.runs,
            failures: a.worker.failures,
            skips: a.worker.skips,
            earned: a.worker.earned,
            claimed: a.worker.claimed,
            lastSeenAt: a.worker.lastSeenAt,
          }
        : null,
      forwarderOf: a.forwarderOf ?? null,
      escrow: a.movements.map(presentMovement),
    }),
  );
});
