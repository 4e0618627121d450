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

// Counts down to the next due time in the visitor's browser; the page itself is complete without it.
const countdown = raw(`<script>
(function(){var el=document.getElementById("countdown");if(!el)return;var due=Number(el.dataset.due);
function tick(){var s=Math.round(due-Date.now()/1000);el.textContent=s>0?"in "+s+" s":"due now";}
tick();setInterval(tick,1000);})();
</script>`);

/** A queued CONDITION job knows when its check first said yes: the moment its lateness really counts from. */
function readySince(kind: string, readyAt: string | null): string {
  if (readyAt === null || !/^\d+$/.test(readyAt)) return "";
  const at = time(BigInt(readyAt));
  return kind === "CONDITION" ? ` — check said yes at ${at}` : ` — ready since ${at}`;
}

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
  const live = w.status === "ACTIVE";
  return (
    <Layout title={`Workflow #${w.id}`}>
      <h1>
        Workflow #{String(w.id)} <StatusBadge status={w.status} /> <HealthBadge health={props.health} />
        <ChainBadge chainId={w.chainId} />
      </h1>
      <div class="card">
        <dl class="grid">
          <dt>Health</dt>
          <dd class="health">
            <HealthBadge health={props.health} /> {props.health.reason ?? "running as asked"}
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
          <dd>
            {w.triggerKind === "LOG" ? (
              `on each matching log from ${time(w.nextExecutionAt)} on`
            ) : (
              <>
                {time(w.nextExecutionAt)}{" "}
                {live && <span class="muted" id="countdown" data-due={String(w.nextExecutionAt)} />}
              </>
            )}
          </dd>
          <dt>Queue</dt>
          <dd>
            {props.queue === null
              ? "unknown (queue unreachable)"
              : props.queue.underpriced
                ? `underpriced — pays at most ${eth(BigInt(props.queue.underpriced.feeWei))}, a run costs ${eth(
                    BigInt(props.queue.underpriced.costWei),
                  )} (${props.queue.underpriced.gasUsed} gas at ${gwei(props.queue.underpriced.gasPriceWei)}): raise its max fee per run, or it runs when gas gets cheaper`
                : `${props.queue.state}${props.queue.attempts > 0 ? ` after ${props.queue.attempts} attempt(s)` : ""}${
                    props.queue.lastError ? ` — ${props.queue.lastError}` : ""
                  }${readySince(w.triggerKind, props.queue.readyAt)}`}
          </dd>
          <dt>Balance</dt>
          <dd>
            <Eth wei={w.balance} />
          </dd>
          <dt>Runs</dt>
          <dd>
            {w.runCount} ({w.successCount} succeeded, {w.failureCount} failed, {w.skipCount} skipped)
          </dd>
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
