import { raw } from "hono/html";
import { eth, gwei, short, time } from "../../../lib/format.js";
import type { LiveQueueState } from "../../../lib/queue.js";
import type { NamedCall } from "../calls.js";
import type { Health } from "../health.js";
import type { ExecutionRow, TriggerLogRow, WorkflowRow } from "../queries.js";
import { ChainBadge, ChainName, txHref } from "./chain.js";
import { Eth, HealthBadge, RunsTable, StatusBadge } from "./components.js";
import { Layout } from "./layout.js";
import { TriggerLine, TriggerLogsTable } from "./trigger.js";

// Counts down to the next due time in the visitor's browser; the page itself is complete without it. The
// element is looked up each second: the live summary below replaces it when the schedule moves.
const countdown = raw(`<script>
(function(){function tick(){var el=document.getElementById("countdown");if(!el)return;
var s=Math.round(Number(el.dataset.due)-Date.now()/1000);el.textContent=s>0?"in "+s+" s":"due now";}
tick();setInterval(tick,1000);})();
</script>`);

// Keeps the summary's changing parts (badges, health, next due, queue, balance, counts) current: each
// "parts" event of the page's feed (live.tsx) carries them rendered by the server; the script only swaps
// them in. Without JavaScript the page is complete as of its loading.
const liveSummary = raw(`<script>
(function(){var root=document.querySelector("[data-live-summary]");if(!root||!window.EventSource)return;
var feed=new EventSource(root.dataset.liveSummary);
feed.addEventListener("parts",function(e){var parts=JSON.parse(e.data);for(var k in parts){
var els=document.querySelectorAll('[data-part="'+k+'"]');for(var i=0;i<els.length;i++)els[i].innerHTML=parts[k];}});})();
</script>`);

/** A queued CONDITION job knows when its check first said yes: the moment its lateness really counts from. */
function readySince(kind: string, readyAt: string | null): string {
  if (readyAt === null || !/^\d+$/.test(readyAt)) return "";
  const at = time(BigInt(readyAt));
  return kind === "CONDITION" ? ` — check said yes at ${at}` : ` — ready since ${at}`;
}

/** What the summary shows that changes as the workflow runs: the live feed sends these again. */
export interface WorkflowState {
  workflow: WorkflowRow;
  queue: LiveQueueState | null;
  health: Health;
}

/** The summary's changing parts, each rendered on its own (the page, and the live feed's "parts" events). */
export function workflowParts({ workflow: w, queue, health }: WorkflowState) {
  return {
    badges: (
      <>
        <StatusBadge status={w.status} /> <HealthBadge health={health} />
      </>
    ),
    health: (
      <>
        <HealthBadge health={health} /> {health.reason ?? "running as asked"}
      </>
    ),
    next:
      w.triggerKind === "LOG" ? (
        <span>{`on each matching log from ${time(w.nextExecutionAt)} on`}</span>
      ) : (
        <>
          {time(w.nextExecutionAt)}{" "}
          {w.status === "ACTIVE" && <span class="muted" id="countdown" data-due={String(w.nextExecutionAt)} />}
        </>
      ),
    queue: (
      <>
        {queue === null
          ? "unknown (queue unreachable)"
          : queue.underpriced
            ? `underpriced — pays at most ${eth(BigInt(queue.underpriced.feeWei))}, a run costs ${eth(
                BigInt(queue.underpriced.costWei),
              )} (${queue.underpriced.gasUsed} gas at ${gwei(queue.underpriced.gasPriceWei)}): raise its max fee per run, or it runs when gas gets cheaper`
            : `${queue.state}${queue.attempts > 0 ? ` after ${queue.attempts} attempt(s)` : ""}${
                queue.lastError ? ` — ${queue.lastError}` : ""
              }${readySince(w.triggerKind, queue.readyAt)}`}
      </>
    ),
    balance: <Eth wei={w.balance} />,
    runs: <>{`${w.runCount} (${w.successCount} succeeded, ${w.failureCount} failed, ${w.skipCount} skipped)`}</>,
  };
}

export type WorkflowPart = keyof ReturnType<typeof workflowParts>;

export function WorkflowPage(props: {
  workflow: WorkflowRow;
  runs: ExecutionRow[];
  queue: LiveQueueState | null;
  health: Health;
  /** Each action's function, where known (calls.ts). */
  calls: (NamedCall | null)[];
  skips: { reason: string; blockTime: bigint; txHash: string }[];
  /** LOG workflows: the most recent logs its filter matched. */
  logs: TriggerLogRow[];
}) {
  const w = props.workflow;
  const part = workflowParts(props);
  const feed = `/live/workflow?chainId=${w.chainId}&workflowId=${w.id}`;
  return (
    <Layout title={`Workflow #${w.id}`}>
      <h1>
        Workflow #{String(w.id)} <span data-part="badges">{part.badges}</span>
        <ChainBadge chainId={w.chainId} />
      </h1>
      <div class="card" data-live-summary={feed}>
        <dl class="grid">
          <dt>Health</dt>
          <dd class="health" data-part="health">
            {part.health}
          </dd>
          <dt>Chain</dt>
          <dd>
            <ChainName chainId={w.chainId} />
          </dd>
          <dt>Owner</dt>
          <dd class="mono">
            <a href={`/address/${w.owner}`}>{w.owner}</a>
          </dd>
          <dt>Forwarder</dt>
          <dd class="mono">{w.forwarder}</dd>
          <dt>Trigger</dt>
          <dd class="trigger">
            <TriggerLine workflow={w} />
          </dd>
          <dt>Next due</dt>
          <dd data-part="next">{part.next}</dd>
          <dt>Queue</dt>
          <dd data-part="queue">{part.queue}</dd>
          <dt>Balance</dt>
          <dd data-part="balance">{part.balance}</dd>
          <dt>Runs</dt>
          <dd data-part="runs">{part.runs}</dd>
          <dt>Gas limit / max fee</dt>
          <dd>
            {w.gasLimit} gas / <Eth wei={w.maxFeePerRun} /> per run
          </dd>
          <dt>Actions</dt>
          <dd>
            {w.actions.length === 0
              ? "performUpkeep on the checker"
              : w.actions.map((a, i) => (
                  <div class="mono action">
                    {short(a.target)} ←{" "}
                    {a.data === "0x" ? (
                      "(payload from checker)"
                    ) : props.calls[i] ? (
                      <CallText call={props.calls[i]} data={a.data} />
                    ) : (
                      short(a.data, 10)
                    )}
                    {a.value !== "0" ? ` with ${a.value} wei` : ""}
                  </div>
                ))}
          </dd>
          <dt>Created</dt>
          <dd>
            {time(w.createdAt)} in <a href={txHref(w.chainId, w.createdTx)}>{short(w.createdTx)}</a>
          </dd>
        </dl>
      </div>
      {w.triggerKind === "LOG" && (
        <>
          <h2>Recent matching logs</h2>
          <TriggerLogsTable logs={props.logs} />
        </>
      )}
      <h2>History</h2>
      <RunsTable
        runs={props.runs}
        causes={w.triggerKind === "LOG"}
        live={`/live/runs?chainId=${w.chainId}&workflowId=${w.id}`}
      />
      {props.skips.length > 0 && (
        <>
          <h2>Recent skips</h2>
          <table>
            <thead>
              <tr>
                <th>Reason</th>
                <th>Block time</th>
                <th>Transaction</th>
              </tr>
            </thead>
            <tbody>
              {props.skips.map((s) => (
                <tr>
                  <td>{s.reason}</td>
                  <td>{time(s.blockTime)}</td>
                  <td class="mono">
                    <a href={txHref(w.chainId, s.txHash)}>{short(s.txHash)}</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {countdown}
      {liveSummary}
    </Layout>
  );
}

/** `transfer(0xAb…, 5)`: the function's name and its arguments; its signature and calldata on hover. */
function CallText(props: { call: NamedCall; data: string }) {
  const { signature, args } = props.call;
  const name = signature.slice(0, signature.indexOf("("));
  return (
    <span class="call" title={`${signature}\n${props.data}`}>
      {`${name}(${args.map((a) => (a.length > 42 ? short(a) : a)).join(", ")})`}
    </span>
  );
}
