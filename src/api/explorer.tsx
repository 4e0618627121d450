/** Server-rendered explorer pages: the same queries as the REST API, as HTML. */
import { Hono } from "hono";
import { needsAttention } from "./attention.js";
import { nameCall } from "./calls.js";
import { chainFilter, chainIds, multiChain } from "./chain.js";
import { chainsStatus } from "./chains-status.js";
import { AmbiguousWorkflow, ApiError } from "./errors.js";
import { healthNow } from "./health.js";
import { liveRuns, liveTx, liveWorkflow } from "./live.js";
import { AddressPage } from "./pages/address.js";
import { ChainName, workflowHref } from "./pages/chain.js";
import { ErrorCard } from "./pages/components.js";
import { DocsPage } from "./pages/docs.js";
import { HomePage } from "./pages/home.js";
import { Layout } from "./pages/layout.js";
import { TxPage, TxPendingPage } from "./pages/tx.js";
import { WorkflowPage, type WorkflowState, workflowParts } from "./pages/workflow.js";
import * as p from "./params.js";
import {
  addressActivity,
  latestExecutions,
  listExecutions,
  listTriggerLogs,
  recentSkips,
  stats,
  transaction,
} from "./queries.js";
import { liveState, totalQueueDepth } from "./queue-state.js";
import { lookupWorkflow } from "./workflow-lookup.js";

const now = () => BigInt(Math.floor(Date.now() / 1000));

/** A workflow with what its summary shows beside it: the queue's state and the health derived from both. */
async function workflowState(id: bigint, chainId: string | undefined): Promise<WorkflowState> {
  const workflow = await lookupWorkflow(id, chainId);
  const queue = await liveState(workflow.chainId, workflow.id, workflow.nextExecutionAt);
  return { workflow, queue: queue.available ? queue.state : null, health: await healthNow(workflow, queue) };
}

/**
 * The home page's figures: every chain's, or one's (`?chainId=`); with several chains, their heads too.
 * It leads with what needs attention.
 */
async function home(chainId: number | undefined) {
  const counted = chainId === undefined ? chainIds : [chainId];
  const [runs, queue, chains, attention] = await Promise.all([
    latestExecutions(25, chainId),
    totalQueueDepth(counted),
    multiChain ? chainsStatus() : undefined,
    needsAttention(counted, 20),
  ]);
  const s = await stats(now(), chainId, queue.available ? queue.dead : null);
  return { runs, stats: s, chains, chainId, attention };
}

export const explorer = new Hono()
  .onError((error, c) => {
    // A workflow id several chains have: the way on is a link per chain, not only the error.
    if (error instanceof AmbiguousWorkflow) {
      return c.html(
        <Layout title="Which chain?">
          <ErrorCard message={`Workflow #${error.workflowId} exists on ${error.chainIds.length} chains.`} />
          <ul class="choose-chain">
            {error.chainIds.map((chainId) => (
              <li>
                <a href={workflowHref(chainId, error.workflowId)}>Workflow #{String(error.workflowId)}</a> on{" "}
                <ChainName chainId={chainId} />
              </li>
            ))}
          </ul>
        </Layout>,
        400,
      );
    }
    const status = error instanceof ApiError ? error.status : 500;
    if (status === 500) console.error("explorer error", error);
    const message = error instanceof ApiError ? error.message : "Something went wrong on our side.";
    return c.html(
      <Layout title={status === 404 ? "Not found" : "Error"}>
        <ErrorCard message={message} />
      </Layout>,
      status,
    );
  })
  .get("/", async (c) => c.html(<HomePage {...(await home(chainFilter(c.req.query("chainId"))))} />))
  .get("/search", async (c) => {
    const q = (c.req.query("q") ?? "").slice(0, 200);
    const hit = p.classifySearch(q);
    if (hit?.kind === "workflow") return c.redirect(`/workflows/${hit.value}`);
    if (hit?.kind === "tx") return c.redirect(`/tx/${hit.value}`);
    if (hit?.kind === "address") return c.redirect(`/address/${hit.value}`);
    return c.html(
      <HomePage
        {...(await home(undefined))}
        query={q}
        error="Search for a workflow id (e.g. 42), a transaction hash (0x + 64 hex digits) or an address (0x + 40 hex digits)."
      />,
      400,
    );
  })
  .get("/workflows/:id", async (c) => {
    const state = await workflowState(p.workflowId(c.req.param("id")), c.req.query("chainId"));
    const w = state.workflow;
    const [runs, skips, logs] = await Promise.all([
      listExecutions({ chainId: w.chainId, workflowId: w.id, limit: 100 }),
      recentSkips(w.chainId, w.id, 10),
      w.triggerKind === "LOG" ? listTriggerLogs({ chainId: w.chainId, workflowId: w.id, limit: 25 }) : undefined,
    ]);
    return c.html(
      <WorkflowPage
        {...state}
        runs={runs.items}
        skips={skips}
        calls={await Promise.all(w.actions.map((a) => nameCall(a.data)))}
        logs={logs?.items ?? []}
      />,
    );
  })
  .get("/tx/:hash", async (c) => {
    const hash = p.txHash(c.req.param("hash"));
    const chainId = chainFilter(c.req.query("chainId"));
    const tx = await transaction(hash, chainId);
    if (!tx) return c.html(<TxPendingPage hash={hash} chainId={chainId} />, 404);
    return c.html(<TxPage tx={tx} />);
  })
  .get("/address/:address", async (c) => {
    const account = p.address(c.req.param("address"));
    const a = await addressActivity(account, chainFilter(c.req.query("chainId")));
    const health = new Map(
      await Promise.all(
        a.workflows.map(
          async (w) =>
            [`${w.chainId}:${w.id}`, await healthNow(w, await liveState(w.chainId, w.id, w.nextExecutionAt))] as const,
        ),
      ),
    );
    return c.html(<AddressPage a={{ ...a, health }} />);
  })
  .get("/docs", (c) => c.html(<DocsPage />))
  // The live feed of a page's runs table (RunsTable's data-live): server-sent events, see live.tsx.
  .get("/live/tx/:hash", (c) => liveTx(c, p.txHash(c.req.param("hash")), chainFilter(c.req.query("chainId"))))
  // A workflow page's summary, kept current (live.tsx).
  .get("/live/workflow", async (c) => {
    const id = p.workflowId(c.req.query("workflowId"));
    const workflow = await lookupWorkflow(id, c.req.query("chainId"));
    const filter = { chainId: workflow.chainId, workflowId: workflow.id };
    return liveWorkflow(c, filter, async () => {
      const parts = workflowParts(await workflowState(filter.workflowId, String(filter.chainId)));
      const rendered = await Promise.all(
        Object.entries(parts).map(async ([k, jsx]) => [k, String(await jsx.toString())] as const),
      );
      return Object.fromEntries(rendered);
    });
  })
  .get("/live/runs", (c) => {
    const workflow = c.req.query("workflowId");
    return liveRuns(c, {
      chainId: chainFilter(c.req.query("chainId")),
      workflowId: workflow === undefined ? undefined : p.workflowId(workflow),
      showWorkflow: c.req.query("showWorkflow") === "1",
      causes: c.req.query("causes") === "1",
    });
  });
