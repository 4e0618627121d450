import type { ExecutionRow, stats } from "../queries.js";
import { ErrorCard, RunsTable } from "./components.js";
import { Layout } from "./layout.js";

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
        <div class="card">
          <div class="muted">Lateness p50 / p95</div>
          <div class="n">
            {s.latenessSeconds.p50 === null ? "—" : `${s.latenessSeconds.p50} / ${s.latenessSeconds.p95} s`}
          </div>
          <div class="muted">last 24 h</div>
        </div>
      </div>
      <h1>Latest runs</h1>
      <RunsTable runs={props.runs} showWorkflow />
    </Layout>
  );
}
