import type { addressActivity } from "../queries.js";
import { StatusBadge } from "./components.js";
import { eth, time } from "./format.js";
import { Layout } from "./layout.js";
import { triggerSummary } from "./trigger.js";

type Activity = Awaited<ReturnType<typeof addressActivity>>;

export function AddressPage(props: { a: Activity }) {
  const a = props.a;
  const empty = a.workflows.length === 0 && !a.worker && a.movements.length === 0 && a.forwarderOf === undefined;
  return (
    <Layout title={`Address ${a.address.slice(0, 10)}`}>
      <h1 class="mono">{a.address}</h1>
      {empty && <p class="muted">No Autokeeper activity for this address.</p>}
      {a.forwarderOf !== undefined && (
        <div class="card">
          Forwarder of <a href={`/workflows/${a.forwarderOf}`}>workflow #{String(a.forwarderOf)}</a>
        </div>
      )}
      {a.worker && (
        <div class="card">
          <dl class="grid">
            <dt>Worker runs</dt>
            <dd>
              {a.worker.runs} ({a.worker.failures} failed, {a.worker.skips} skipped)
            </dd>
            <dt>Earned / claimed</dt>
            <dd>
              {eth(a.worker.earned)} / {eth(a.worker.claimed)}
            </dd>
            <dt>Last seen</dt>
            <dd>{time(a.worker.lastSeenAt)}</dd>
          </dl>
        </div>
      )}
      {a.workflows.length > 0 && (
        <>
          <h2>Workflows owned ({eth(a.ownedBalance)} in escrow)</h2>
          <table>
            <thead>
              <tr>
                <th>Id</th>
                <th>Status</th>
                <th>Trigger</th>
                <th>Runs</th>
                <th>Balance</th>
              </tr>
            </thead>
            <tbody>
              {a.workflows.map((w) => (
                <tr>
                  <td>
                    <a href={`/workflows/${w.id}`}>#{String(w.id)}</a>
                  </td>
                  <td>
                    <StatusBadge status={w.status} />
                  </td>
                  <td>{triggerSummary(w)}</td>
                  <td>
                    {w.runCount} ({w.failureCount} failed)
                  </td>
                  <td>{eth(w.balance)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Layout>
  );
}
