import type { ExecutionRow, stats } from "../queries.js";
import { ErrorCard, RunsTable } from "./components.js";
import { seconds } from "./format.js";
import { Layout } from "./layout.js";

const KINDS = ["TIME", "CRON", "LOG", "CONDITION"] as const;

type Stats = Awaited<ReturnType<typeof stats>>;

export function HomePage(props: { runs: ExecutionRow[]; stats: Stats; error?: string; query?: string }) {
  const s = props.stats;
  return (
    <Layout title="Latest runs" query={props.query}>
      {props.error && <ErrorCard message={props.error} />}
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
          <div class="muted">{s.runs.failed} failed</div>
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
      <h1>Latest runs</h1>
      <RunsTable runs={props.runs} showWorkflow />
    </Layout>
  );
}
