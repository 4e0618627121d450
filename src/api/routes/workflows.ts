import { Hono } from "hono";
import { nameCall } from "../calls.js";
import { chainFilter } from "../chain.js";
import { healthNow } from "../health.js";
import { jsonify } from "../json.js";
import * as p from "../params.js";
import { presentExecution, presentTriggerLog, presentWorkflow } from "../present.js";
import { listExecutions, listTriggerLogs, listWorkflows } from "../queries.js";
import { liveState } from "../queue-state.js";
import { lookupWorkflow } from "../workflow-lookup.js";

export const workflows = new Hono()
  .get("/", async (c) => {
    const limit = p.limit(c.req.query("limit"));
    const before = p.workflowCursor(c.req.query("cursor"));
    const owner = c.req.query("owner");
    const result = await listWorkflows({
      chainId: chainFilter(c.req.query("chainId")),
      owner: owner === undefined ? undefined : p.address(owner, "owner"),
      status: p.status(c.req.query("status")),
      trigger: p.trigger(c.req.query("trigger")),
      before,
      limit,
    });
    return c.json(
      jsonify({
        items: result.items.map(presentWorkflow),
        nextCursor: result.next ? p.encodeCursor([result.next.id, result.next.chainId]) : null,
      }),
    );
  })
  .get("/:id", async (c) => {
    const row = await lookupWorkflow(p.workflowId(c.req.param("id")), c.req.query("chainId"));
    const queue = await liveState(row.chainId, row.id, row.nextExecutionAt);
    return c.json(
      jsonify({
        ...presentWorkflow(row),
        // Each action's function, where known (calls.ts): null where it is not.
        actions: await Promise.all(row.actions.map(async (a) => ({ ...a, call: await nameCall(a.data) }))),
        health: await healthNow(row, queue),
        queue: queue.available ? queue.state : null,
        queueError: queue.available ? null : queue.reason,
      }),
    );
  })
  .get("/:id/executions", async (c) => {
    const id = p.workflowId(c.req.param("id"));
    const limit = p.limit(c.req.query("limit"));
    const before = p.positionCursor(c.req.query("cursor"));
    const { chainId } = await lookupWorkflow(id, c.req.query("chainId"));
    const result = await listExecutions({ chainId, workflowId: id, before, limit });
    return c.json(
      jsonify({
        items: result.items.map(presentExecution),
        nextCursor: result.next ? p.encodeCursor([result.next.blockNumber, result.next.logIndex]) : null,
      }),
    );
  })
  // LOG workflows: the logs that matched, newest first, each with its fate (PENDING, RAN, SKIPPED and why).
  .get("/:id/logs", async (c) => {
    const id = p.workflowId(c.req.param("id"));
    const limit = p.limit(c.req.query("limit"));
    const before = p.positionCursor(c.req.query("cursor"));
    const { chainId } = await lookupWorkflow(id, c.req.query("chainId"));
    const result = await listTriggerLogs({ chainId, workflowId: id, before, limit });
    return c.json(
      jsonify({
        items: result.items.map(presentTriggerLog),
        nextCursor: result.next ? p.encodeCursor([result.next.blockNumber, BigInt(result.next.logIndex)]) : null,
      }),
    );
  });
