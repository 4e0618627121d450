import { Hono } from "hono";
import { requiredChain } from "../chain.js";
import { badRequest } from "../errors.js";
import { jsonify } from "../json.js";
import * as p from "../params.js";
import { presentEvent, presentExecution, presentMovement } from "../present.js";
import { type ActivityItem, activitySince } from "../queries.js";

/** The largest log index the index stores: `fromBlock=N` means after every log of block N. */
const LAST_LOG = 2n ** 31n - 1n;

/**
 * One chain's runs, status changes and workflow balance movements in chain order, for followers such as
 * the executor's alerts: start with `fromBlock` (what comes after that block), go on with `nextCursor`.
 */
export const activity = new Hono().get("/", async (c) => {
  const chainId = requiredChain(c.req.query("chainId"));
  const from = c.req.query("fromBlock");
  if (from !== undefined && !/^\d{1,20}$/.test(from))
    throw badRequest("invalid_from_block", "fromBlock must be a block number");
  const after = p.positionCursor(c.req.query("cursor")) ?? [from === undefined ? 0n : BigInt(from), LAST_LOG];
  const items = await activitySince(chainId, after, p.limit(c.req.query("limit"), 100));
  const last = items.at(-1);
  return c.json(
    jsonify({
      chainId,
      items: items.map(present),
      // Where the next read starts: after the last item, or where this one started when there was none.
      nextCursor: p.encodeCursor(last ? [last.blockNumber, last.logIndex] : after),
    }),
  );
});

function present(item: ActivityItem) {
  switch (item.kind) {
    case "run":
      return { kind: item.kind, run: presentExecution(item.run) };
    case "status":
      return { kind: item.kind, event: presentEvent(item.event) };
    case "balance":
      return { kind: item.kind, movement: presentMovement(item.movement), perRun: item.perRun };
  }
}
