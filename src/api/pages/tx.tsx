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
