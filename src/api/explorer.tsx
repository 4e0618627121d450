/** Server-rendered explorer pages: the same queries as the REST API, as HTML. */
import { Hono } from "hono";
import { network } from "./chain.js";
import { ApiError } from "./errors.js";
import { AddressPage } from "./pages/address.js";
import { ErrorCard } from "./pages/components.js";
import { DocsPage } from "./pages/docs.js";
import { HomePage } from "./pages/home.js";
import { Layout } from "./pages/layout.js";
import { TxPage } from "./pages/tx.js";
import { WorkflowPage } from "./pages/workflow.js";
import * as p from "./params.js";
import {
  addressActivity,
  findWorkflow,
  latestExecutions,
  listExecutions,
  listTriggerLogs,
  recentSkips,
  stats,
  transaction,
} from "./queries.js";
import { liveState } from "./queue-state.js";

const now = () => BigInt(Math.floor(Date.now() / 1000));

export const explorer = new Hono()
  .onError((error, c) => {
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
  .get("/", async (c) => {
    const [runs, s] = await Promise.all([latestExecutions(25), stats(now())]);
    return c.html(<HomePage runs={runs} stats={s} />);
  })
  .get("/search", async (c) => {
    const q = (c.req.query("q") ?? "").slice(0, 200);
    const hit = p.classifySearch(q);
    if (hit?.kind === "workflow") return c.redirect(`/workflows/${hit.value}`);
    if (hit?.kind === "tx") return c.redirect(`/tx/${hit.value}`);
    if (hit?.kind === "address") return c.redirect(`/address/${hit.value}`);
    const [runs, s] = await Promise.all([latestExecutions(25), stats(now())]);
    return c.html(
      <HomePage
        runs={runs}
        stats={s}
        query={q}
        error="Search for a workflow id (e.g. 42), a transaction hash (0x + 64 hex digits) or an address (0x + 40 hex digits)."
      />,
      400,
    );
  })
  .get("/workflows/:id", async (c) => {
    const id = p.workflowId(c.req.param("id"));
    const w = await findWorkflow(id);
    if (!w) throw new ApiError(404, "not_found", `Workflow #${id} does not exist.`);
    const [runs, skips, queue, logs] = await Promise.all([
      listExecutions({ workflowId: id, limit: 100 }),
      recentSkips(id, 10),
      liveState(network.chainId, id, w.nextExecutionAt),
      w.triggerKind === "LOG" ? listTriggerLogs({ workflowId: id, limit: 25 }) : undefined,
    ]);
    return c.html(
      <WorkflowPage
        workflow={w}
        runs={runs.items}
        skips={skips}
        queue={queue.available ? queue.state : null}
        logs={logs?.items ?? []}
      />,
    );
  })
  .get("/tx/:hash", async (c) => {
    const hash = p.txHash(c.req.param("hash"));
    const tx = await transaction(hash);
    if (!tx) throw new ApiError(404, "not_found", `No Autokeeper activity in transaction ${hash}.`);
    return c.html(<TxPage tx={tx} />);
  })
  .get("/address/:address", async (c) => {
    const account = p.address(c.req.param("address"));
    return c.html(<AddressPage a={await addressActivity(account)} />);
  })
  .get("/docs", (c) => c.html(<DocsPage />));
