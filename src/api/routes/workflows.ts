import { Hono } from "hono";
import { network } from "../chain.js";
import { notFound } from "../errors.js";
import { jsonify } from "../json.js";
import * as p from "../params.js";
import { presentExecution, presentTriggerLog, presentWorkflow } from "../present.js";
import { findWorkflow, listExecutions, listTriggerLogs, listWorkflows } from "../queries.js";
import { liveState } from "../queue-state.js";

export const workflows = new Hono()
  .get("/", async (c) => {
    const limit = p.limit(c.req.query("limit"));
    const before = p.decodeCursor(c.req.query("cursor"), 1)?.[0];
    const owner = c.req.query("owner");
    const result = await listWorkflows({
      owner: owner === undefined ? undefined : p.address(owner, "owner"),
      status: p.status(c.req.query("status")),
      trigger: p.trigger(c.req.query("trigger")),
      before,
      limit,
    });
    return c.json(
      jsonify({
        items: result.items.map(presentWorkflow),
        nextCursor: result.next ? p.encodeCursor([result.next.id]) : null,
      }),
    );
  })
  .get("/:id", async (c) => {
    const id = p.workflowId(c.req.param("id"));
    const row = await findWorkflow(id);
    if (!row) throw notFound(`workflow ${id} does not exist`);
    const queue = await liveState(network.chainId, id, row.nextExecutionAt);
    return c.json(
      jsonify({
        ...presentWorkflow(row),
        queue: queue.available ? queue.state : null,
        queueError: queue.available ? null : queue.reason,
      }),
    );
  })
  .get("/:id/executions", async (c) => {
    const id = p.workflowId(c.req.param("id"));
    const limit = p.limit(c.req.query("limit"));
    const before = p.positionCursor(c.req.query("cursor"));
    if (!(await findWorkflow(id))) throw notFound(`workflow ${id} does not exist`);
    const result = await listExecutions({ workflowId: id, before, limit });
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
    if (!(await findWorkflow(id))) throw notFound(`workflow ${id} does not exist`);
    const result = await listTriggerLogs({ workflowId: id, before, limit });
    return c.json(
      jsonify({
        items: result.items.map(presentTriggerLog),
        nextCursor: result.next ? p.encodeCursor([result.next.blockNumber, BigInt(result.next.logIndex)]) : null,
      }),
    );
  });
