import { eth, time } from "../../../lib/format.js";
import { chainName, multiChain } from "../chain.js";
import type { Health } from "../health.js";
import type { AddressActivity } from "../queries.js";
import { ChainBadge, WorkflowLink } from "./chain.js";
import { Eth, HealthBadge, StatusBadge } from "./components.js";
import { Layout } from "./layout.js";
import { triggerSummary } from "./trigger.js";

/** `health`: each owned workflow's, keyed `chainId:id`. */
export function AddressPage(props: { a: AddressActivity & { health: Map<string, Health> } }) {
  const a = props.a;
  // Balances only add up within a chain (each its own currency): one figure per chain the address owns on.
  const escrow = a.chains
    .filter((x) => a.workflows.some((w) => w.chainId === x.chainId))
    .map((x) => (multiChain ? `${eth(x.ownedBalance)} on ${chainName(x.chainId)}` : eth(x.ownedBalance)))
    .join(", ");
  return (
    <Layout title={`Address ${a.address.slice(0, 10)}`}>
      <h1 class="mono">{a.address}</h1>
      {a.chains.length === 0 && <p class="muted">No Autokeeper activity for this address.</p>}
      {a.chains.map((x) =>
        x.forwarderOf === undefined ? null : (
          <div class="card">
            Forwarder of workflow <WorkflowLink chainId={x.chainId} id={x.forwarderOf} />
          </div>
        ),
      )}
      {a.chains.map((x) => {
        const w = x.worker;
        if (!w) return null;
        return (
          <div class="card worker" data-chain={String(x.chainId)}>
            <dl class="grid">
              <dt>
                Worker runs
                <ChainBadge chainId={x.chainId} />
              </dt>
              <dd>
                {w.runs} ({w.failures} failed, {w.skips} skipped)
              </dd>
              <dt>Earned / claimed</dt>
              <dd>
                <Eth wei={w.earned} /> / <Eth wei={w.claimed} />
              </dd>
              <dt>Last seen</dt>
              <dd>{time(w.lastSeenAt)}</dd>
            </dl>
          </div>
        );
      })}
      {a.workflows.length > 0 && (
        <>
          <h2>Workflows owned ({escrow} in escrow)</h2>
          <table>
            <thead>
              <tr>
                <th>Id</th>
                <th>Status</th>
                <th>Health</th>
                <th>Trigger</th>
                <th>Runs</th>
                <th>Balance</th>
              </tr>
            </thead>
            <tbody>
              {a.workflows.map((w) => (
                <tr>
                  <td>
                    <WorkflowLink chainId={w.chainId} id={w.id} />
                  </td>
                  <td>
                    <StatusBadge status={w.status} />
                  </td>
                  <td>
                    {a.health.has(`${w.chainId}:${w.id}`) && (
                      <HealthBadge health={a.health.get(`${w.chainId}:${w.id}`)!} />
                    )}
                  </td>
                  <td>{triggerSummary(w)}</td>
                  <td>
                    {w.runCount} ({w.failureCount} failed)
                  </td>
                  <td>
                    <Eth wei={w.balance} />
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
