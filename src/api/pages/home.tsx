import { seconds } from "../../../lib/format.js";
import type { Attention } from "../attention.js";
import { chainName } from "../chain.js";
import type { ChainStatus } from "../chains-status.js";
import type { ExecutionRow, stats } from "../queries.js";
import { ChainBadge, ChainsTable, WorkflowLink } from "./chain.js";
import { ErrorCard, HealthBadge, RunsTable } from "./components.js";
import { Layout } from "./layout.js";

const KINDS = ["TIME", "CRON", "LOG", "CONDITION"] as const;

type Stats = Awaited<ReturnType<typeof stats>>;

export function HomePage(props: {
  runs: ExecutionRow[];
  stats: Stats;
  /** Several chains: each with its head, indexed block and lag (one chain: undefined, no table). */
  chains?: ChainStatus[];
  /** The chain the numbers and runs are filtered to (`?chainId=`); undefined: every chain. */
  chainId?: number;
  /** Dead-lettered, failing and unfunded workflows, worst first: what the page leads with. */
  attention: Attention;
  error?: string;
  query?: string;
}) {
  const s = props.stats;
  const on = props.chains && props.chainId !== undefined ? ` on ${chainName(props.chainId)}` : "";
  return (
    <Layout title={`Latest runs${on}`} query={props.query}>
      {props.error && <ErrorCard message={props.error} />}
      {props.chains && (
        <>
          <h1>
            Chains
            {props.chainId !== undefined && (
              <>
                {" "}
                <a class="small" href="/">
                  show all
                </a>
              </>
            )}
          </h1>
          <ChainsTable chains={props.chains} selected={props.chainId} />
        </>
      )}
      <h1>Needs attention{on}</h1>
      <NeedsAttention attention={props.attention} />
      <div class="stats">
        <div class="card">
          <div class="muted">Workflows</div>
          <div class="n">{s.workflows.total}</div>
          <div class="muted">{s.workflows.byStatus.ACTIVE} active</div>
        </div>
        <div class="card">
          <div class="muted">Runs</div>
          <div class="n">{s.runs.total}</div>
          <div class="muted">{s.runs.lastHour} in the last hour</div>
        </div>
        <div class="card">
          <div class="muted">Success rate</div>
          <div class="n">{s.runs.successRate === null ? "—" : `${(s.runs.successRate * 100).toFixed(1)}%`}</div>
          <div class="muted">
            {s.runs.failed} failed on chain
            {s.runs.deadLettered === null
              ? ", dead-lettered unknown (queue unreachable)"
              : `, ${s.runs.deadLettered} dead-lettered (never reached the chain; counted as failures)`}
          </div>
        </div>
        <div class="card lateness">
          <div class="muted">Lateness p50 / p95, last 24 h</div>
          <table class="compact">
            <tbody>
              {KINDS.map((kind) => {
                const l = s.lateness[kind];
                return (
                  <tr data-kind={kind} title={`from ${l.from}`}>
                    <td>{kind}</td>
                    <td>{l.count === 0 ? "—" : `${seconds(l.p50)} / ${seconds(l.p95)}`}</td>
                    <td class="muted">{l.count === 1 ? "1 run" : `${l.count} runs`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {s.lateness.CONDITION.count > 0 && (
            <div class="muted small">
              CONDITION counts from its minimum interval; the executor's <code>autokeeper_due_to_mined_seconds</code>{" "}
              has it from the check's first yes.
            </div>
          )}
        </div>
      </div>
      <h1>Latest runs{on}</h1>
      <RunsTable
        runs={props.runs}
        showWorkflow
        live={`/live/runs?showWorkflow=1${props.chainId === undefined ? "" : `&chainId=${props.chainId}`}`}
      />
    </Layout>
  );
}

function NeedsAttention(props: { attention: Attention }) {
  const { items, queueError } = props.attention;
  return (
    <div class="attention">
      {queueError && <ErrorCard message={`Dead-lettered runs not shown: ${queueError}.`} />}
      {items.length === 0 ? (
        <p class="muted">Nothing needs attention: no run dead-lettered, no active workflow failing or unfunded.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Workflow</th>
              <th>Health</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr class={`attention ${i.health.state}`}>
                <td>
                  <WorkflowLink chainId={i.chainId} id={i.workflowId} />
                  <ChainBadge chainId={i.chainId} />
                </td>
                <td>
                  <HealthBadge health={i.health} />
                </td>
                <td>
                  {i.health.reason}
                  {i.jobId && (
                    <div class="muted small">
                      retry it: <code>npm run queue -- retry {i.jobId}</code>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
