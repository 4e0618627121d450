import { raw } from "hono/html";
import { time } from "../../../lib/format.js";
import type { transaction } from "../queries.js";
import { ChainBadge, ChainName, WorkflowLink } from "./chain.js";
import { Eth, RunsTable } from "./components.js";
import { Layout } from "./layout.js";
import { TriggerLogsTable } from "./trigger.js";

type Tx = NonNullable<Awaited<ReturnType<typeof transaction>>>;

export function TxPage(props: { tx: Tx }) {
  const t = props.tx;
  return (
    <Layout title={`Transaction ${t.hash.slice(0, 10)}`}>
      <h1>Transaction</h1>
      <div class="card">
        <dl class="grid">
          <dt>Hash</dt>
          <dd class="mono">{t.hash}</dd>
          <dt>Chain</dt>
          <dd>
            <ChainName chainId={t.chainId} />
          </dd>
          <dt>Block</dt>
          <dd>
            {String(t.blockNumber)} at {time(t.blockTime)}
          </dd>
        </dl>
      </div>
      {t.runs.length > 0 && (
        <>
          <h2>Runs</h2>
          <RunsTable runs={t.runs} showWorkflow />
        </>
      )}
      {t.triggerLogs.length > 0 && (
        <>
          <h2>Logs that trigger workflows</h2>
          <TriggerLogsTable logs={t.triggerLogs} showWorkflow />
        </>
      )}
      {t.skips.length > 0 && (
        <>
          <h2>Skipped</h2>
          <table>
            <thead>
              <tr>
                <th>Workflow</th>
                <th>Reason</th>
              </tr>
            </thead>
            <tbody>
              {t.skips.map((s) => (
                <tr>
                  <td>
                    <WorkflowLink chainId={s.chainId} id={s.workflowId} />
                  </td>
                  <td>{s.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {t.events.length > 0 && (
        <>
          <h2>Lifecycle</h2>
          <table>
            <thead>
              <tr>
                <th>Workflow</th>
                <th>Event</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {t.events.map((e) => (
                <tr>
                  <td>
                    <WorkflowLink chainId={e.chainId} id={e.workflowId} />
                  </td>
                  <td>{e.kind}</td>
                  <td class="mono">
                    {Object.entries(e.detail)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(" ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {t.escrow.length > 0 && (
        <>
          <h2>Escrow</h2>
          <table>
            <thead>
              <tr>
                <th>Kind</th>
                <th>Workflow</th>
                <th>Account</th>
                <th>Amount</th>
              </tr>
            </thead>
            <tbody>
              {t.escrow.map((m) => (
                <tr>
                  <td>{m.kind}</td>
                  <td>
                    {m.workflowId === null ? (
                      <>
                        —<ChainBadge chainId={m.chainId} />
                      </>
                    ) : (
                      <WorkflowLink chainId={m.chainId} id={m.workflowId} />
                    )}
                  </td>
                  <td class="mono">
                    <a href={`/address/${m.account}`}>{m.account}</a>
                  </td>
                  <td>
                    <Eth wei={m.amount} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Layout>
  );
}

/**
 * A transaction the index has nothing from (yet): often one just sent, so the page waits for it. With
 * JavaScript it listens to /live/tx/:hash and, once the index has the transaction, puts its page in place
 * with no reload; without, it says to reload.
 */
export function TxPendingPage(props: { hash: string; chainId?: number }) {
  const feed = `/live/tx/${props.hash}${props.chainId === undefined ? "" : `?chainId=${props.chainId}`}`;
  return (
    <Layout title={`Transaction ${props.hash.slice(0, 10)}`}>
      <h1>Transaction</h1>
      <div class="card pending" data-live={feed}>
        <p>
          No Autokeeper activity in transaction <span class="mono">{props.hash}</span> yet.
        </p>
        <p class="muted small">
          If it was just sent, it shows here once mined and indexed: this page updates by itself (or reload it). A
          transaction that does not touch Autokeeper's contracts never shows.
        </p>
      </div>
      {pendingScript}
    </Layout>
  );
}

const pendingScript = raw(`<script>
(function(){var card=document.querySelector(".pending[data-live]");if(!card||!window.EventSource)return;
var feed=new EventSource(card.dataset.live);
feed.addEventListener("indexed",function(){feed.close();fetch(location.href).then(function(r){return r.text();})
.then(function(html){var page=new DOMParser().parseFromString(html,"text/html");
document.querySelector("main").replaceWith(page.querySelector("main"));document.title=page.title;});});})();
</script>`);
