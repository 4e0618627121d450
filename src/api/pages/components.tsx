import { raw } from "hono/html";
import { eth, fullEth, short, time } from "../../../lib/format.js";
import type { Health } from "../health.js";
import type { ExecutionRow } from "../queries.js";
import { txHref, WorkflowLink } from "./chain.js";

export function StatusBadge(props: { status: string }) {
  return <span class={`badge ${props.status}`}>{props.status}</span>;
}

/** An amount in ETH to 6 significant digits, the exact figure on hover. */
export function Eth(props: { wei: bigint }) {
  return <span title={fullEth(props.wei)}>{eth(props.wei)}</span>;
}

/** A workflow's health (health.ts): a coloured word, its reason on hover. */
export function HealthBadge(props: { health: Health }) {
  return (
    <span class={`badge health ${props.health.state}`} title={props.health.reason ?? "running as asked"}>
      {props.health.state}
    </span>
  );
}

/**
 * Run history with failing runs visibly marked (red row, ✗ and the decoded revert reason). A LOG run
 * names the log that caused it (its transaction, linked, and log index) in the "Caused by" column.
 *
 * `live`: the URL of the page's live feed (live.ts). The page is whole without it; with JavaScript, new runs
 * arrive as rows rendered by `RunRow` and are put on top, with no reload.
 */
export function RunsTable(props: { runs: ExecutionRow[]; showWorkflow?: boolean; causes?: boolean; live?: string }) {
  const causes = props.causes ?? props.runs.some((r) => r.triggerTxHash !== null);
  const columns = 7 + (props.showWorkflow ? 1 : 0) + (causes ? 1 : 0);
  const feed = props.live && `${props.live}${props.live.includes("?") ? "&" : "?"}causes=${causes ? 1 : 0}`;
  return (
    <>
      <table class="runs" data-live={feed} data-limit={String(Math.max(props.runs.length, 25))}>
        <thead>
          <tr>
            {props.showWorkflow && <th>Workflow</th>}
            <th>Run</th>
            <th>Outcome</th>
            <th>Block time</th>
            <th>Late</th>
            <th>Gas</th>
            <th>Fee</th>
            <th>Transaction</th>
            {causes && <th>Caused by</th>}
          </tr>
        </thead>
        <tbody>
          {props.runs.length === 0 && (
            <tr class="empty">
              <td class="muted" colspan={columns}>
                No runs yet.
              </td>
            </tr>
          )}
          {props.runs.map((r) => (
            <RunRow run={r} showWorkflow={props.showWorkflow} causes={causes} />
          ))}
        </tbody>
      </table>
      {feed && liveScript}
    </>
  );
}

/** One row of `RunsTable`: the server renders it for the page and for the live feed alike. */
export function RunRow(props: { run: ExecutionRow; showWorkflow?: boolean; causes: boolean }) {
  const r = props.run;
  return (
    <tr id={`run-${r.id}`} class={r.success ? "run" : "run failed"} data-run={String(r.runNumber)}>
      {props.showWorkflow && (
        <td>
          <WorkflowLink chainId={r.chainId} id={r.workflowId} />
        </td>
      )}
      <td>{r.runNumber}</td>
      <td class={r.success ? "outcome ok" : "outcome"}>
        {r.success ? "✓ success" : `✗ failed${r.reasonText ? `: ${r.reasonText}` : ""}`}
      </td>
      <td>{time(r.blockTime)}</td>
      <td title={lateTitle(r.triggerKind)}>{`${r.lateness} s`}</td>
      <td>{String(r.gasUsed)}</td>
      <td>
        <Eth wei={r.fee} />
      </td>
      <td class="mono">
        <a href={txHref(r.chainId, r.txHash)}>{short(r.txHash)}</a>
      </td>
      {props.causes && (
        <td class="mono caused-by">
          {r.triggerTxHash === null ? (
            "—"
          ) : (
            <>
              <a href={txHref(r.chainId, r.triggerTxHash)}>{short(r.triggerTxHash)}</a> log #{r.triggerLogIndex}
            </>
          )}
        </td>
      )}
    </tr>
  );
}

// Listens to the table's live feed: each "run" event carries a rendered row; one the table already has (the
// feed starts with the latest few, to cover the moment between rendering and connecting) is left alone.
const liveScript = raw(`<script>
(function(){var t=document.querySelector("table.runs[data-live]");if(!t||!window.EventSource)return;
var body=t.tBodies[0],limit=Number(t.dataset.limit)||25,feed=new EventSource(t.dataset.live);
feed.addEventListener("run",function(e){var box=document.createElement("tbody");box.innerHTML=e.data;
var row=box.firstElementChild;if(!row||document.getElementById(row.id))return;
var empty=body.querySelector("tr.empty");if(empty)empty.remove();
row.classList.add("new");body.insertBefore(row,body.firstChild);
while(body.rows.length>limit)body.deleteRow(-1);});})();
</script>`);

function lateTitle(kind: string): string {
  if (kind === "CONDITION") return "from when its minimum interval elapsed, not from the check's first yes";
  if (kind === "LOG") return "from the log's block";
  return "from its due time";
}

export function ErrorCard(props: { message: string }) {
  return <div class="card error">{props.message}</div>;
}
