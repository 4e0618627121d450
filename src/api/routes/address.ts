import { Hono } from "hono";
import { chainFilter } from "../chain.js";
import { notFound } from "../errors.js";
import { jsonify } from "../json.js";
import * as p from "../params.js";
import { presentMovement, presentWorker, presentWorkflow } from "../present.js";
import { addressActivity } from "../queries.js";

export const address = new Hono().get("/:address", async (c) => {
  const account = p.address(c.req.param("address"));
  const a = await addressActivity(account, chainFilter(c.req.query("chainId")));
  if (a.chains.length === 0) throw notFound(`no Autokeeper activity for ${account}`);
  const chains = a.chains.map((x) => ({
    chainId: x.chainId,
    balances: {
      workflows: x.ownedBalance,
      unclaimedEarnings: x.worker ? x.worker.earned - x.worker.claimed : null,
    },
    worker: x.worker ? presentWorker(x.worker) : null,
    forwarderOf: x.forwarderOf ?? null,
  }));
  // Activity on one chain: its figures at the top, as before there were several. On several they are only
  // per chain: amounts are in each chain's own currency, and do not add up.
  const only = chains.length === 1 ? chains[0] : undefined;
  return c.json(
    jsonify({
      address: a.address,
      workflows: a.workflows.map(presentWorkflow),
      balances: only?.balances ?? null,
      worker: only?.worker ?? null,
      forwarderOf: only?.forwarderOf ?? null,
      chains,
      escrow: a.movements.map(presentMovement),
    }),
  );
});
