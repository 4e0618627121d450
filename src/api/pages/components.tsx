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
 */
export function RunsTable(props: { runs: ExecutionRow[]; showWorkflow?: boolean }) {
  if (props.runs.length === 0) return <p class="muted">No runs yet.</p>;
  const causes = props.runs.some((r) => r.triggerTxHash !== null);
  return (
    <table>
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
        {props.runs.map((r) => (
          <tr class={r.success ? "run" : "run failed"} data-run={String(r.runNumber)}>
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
            {causes && (
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
        ))}
      </tbody>
    </table>
  );
}

function lateTitle(kind: string): string {
  if (kind === "CONDITION") return "from when its minimum interval elapsed, not from the check's first yes";
  if (kind === "LOG") return "from the log's block";
  return "from its due time";
}

export function ErrorCard(props: { message: string }) {
  return <div class="card error">{props.message}</div>;
}
