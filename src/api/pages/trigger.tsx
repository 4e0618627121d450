/** A workflow's trigger in words, and the logs LOG workflows matched, for the explorer pages. */

import { duration, short, time } from "../../../lib/format.js";
import type { TriggerLogRow, WorkflowRow } from "../queries.js";
import {
  type CronTriggerView,
  decodeTrigger,
  isTriggerError,
  type LogTriggerView,
  nowSeconds,
  type TopicFilter,
} from "../trigger.js";
import { txHref, WorkflowLink } from "./chain.js";

/** The event's name alone: `Ping(address indexed from, …)` → `Ping`. */
const eventName = (l: LogTriggerView) => (l.event ? l.event.slice(0, l.event.indexOf("(")) : short(l.topic0));

/** One short line for tables (the address page's workflow list). */
export function triggerSummary(w: WorkflowRow): string {
  const decoded = decodeTrigger(w);
  switch (w.triggerKind) {
    case "TIME":
      return `every ${duration(w.interval)}`;
    case "CONDITION":
      return `${w.checkerKind} condition`;
    case "LOG":
      if (!decoded.log || isTriggerError(decoded.log)) return "on a log";
      return `on ${eventName(decoded.log)} from ${short(decoded.log.emitter)}`;
    case "CRON":
      return decoded.cron ? `cron ${decoded.cron.expression}` : "cron";
    default:
      return w.triggerKind;
  }
}

function topicText(t: TopicFilter): string {
  const name = t.name ?? `topic${t.position}`;
  if (t.value === null) return `${name} any`;
  return `${name} = ${t.decoded ?? t.value}`;
}

function LogTrigger(props: { log: LogTriggerView; workflow: WorkflowRow }) {
  const l = props.log;
  return (
    <span class="trigger-log">
      each <code>{l.event ?? `topic0 ${l.topic0}`}</code> log from{" "}
      <a class="mono" href={`/address/${l.emitter}`}>
        {l.emitter}
      </a>
      {l.topics.length > 0 && <span>; {l.topics.map(topicText).join(", ")}</span>}
      {props.workflow.checkerKind === "CHAINLINK" && (
        <span>
          ; checked by checkLog on <span class="mono">{props.workflow.checker}</span> with checkData{" "}
          <code>{l.checkData === "0x" || l.checkData === null ? "0x (empty)" : short(l.checkData, 16)}</code>
        </span>
      )}
    </span>
  );
}

function CronTrigger(props: { cron: CronTriggerView }) {
  const c = props.cron;
  return (
    <span class="trigger-cron">
      cron <code>{c.expression}</code> (UTC)
      {c.error !== null && <span class="muted"> — {c.error}</span>}
      {c.next.length > 0 && (
        <span>
          ; next{" "}
          {c.next.map((iso, i) => (
            <>
              {i > 0 && ", "}
              <time datetime={iso}>{iso.replace("T", " ").replace(":00.000Z", " UTC")}</time>
            </>
          ))}
        </span>
      )}
    </span>
  );
}

/** The workflow page's trigger line: what makes it run, readable. */
export function TriggerLine(props: { workflow: WorkflowRow; now?: bigint }) {
  const w = props.workflow;
  const decoded = decodeTrigger(w, props.now ?? nowSeconds());
  if (w.triggerKind === "TIME") return <>every {duration(w.interval)}</>;
  if (w.triggerKind === "CONDITION") {
    return (
      <>
        {w.checkerKind} condition on <span class="mono">{short(w.checker)}</span>, at most every {duration(w.interval)}
      </>
    );
  }
  if (decoded.log) {
    return isTriggerError(decoded.log) ? (
      <span class="muted">LOG trigger: {decoded.log.error}</span>
    ) : (
      <LogTrigger log={decoded.log} workflow={w} />
    );
  }
  if (decoded.cron) return <CronTrigger cron={decoded.cron} />;
  return <>{w.triggerKind}</>;
}

/** What became of a matched log: PENDING, RAN (linked to its run's transaction), SKIPPED with the reason. */
function LogFate(props: { log: TriggerLogRow }) {
  const l = props.log;
  if (l.state === "RAN" && l.runTx) {
    return (
      <>
        <span class="badge RAN">RAN</span> run {l.runNumber ?? "?"} in{" "}
        <a class="mono run-link" href={txHref(l.chainId, l.runTx)}>
          {short(l.runTx)}
        </a>
      </>
    );
  }
  if (l.state === "SKIPPED") {
    return (
      <>
        <span class="badge SKIPPED">SKIPPED</span> {l.skipReason ?? ""}
      </>
    );
  }
  return <span class={`badge ${l.state}`}>{l.state}</span>;
}

/** Logs LOG workflows matched, newest first, with their fate. */
export function TriggerLogsTable(props: { logs: TriggerLogRow[]; showWorkflow?: boolean }) {
  if (props.logs.length === 0) return <p class="muted">No matching logs yet.</p>;
  return (
    <table>
      <thead>
        <tr>
          {props.showWorkflow && <th>Workflow</th>}
          <th>Block</th>
          <th>Log</th>
          <th>State</th>
        </tr>
      </thead>
      <tbody>
        {props.logs.map((l) => (
          <tr class={`trigger-log ${l.state}`} data-log={`${l.txHash}:${l.logIndex}`}>
            {props.showWorkflow && (
              <td>
                <WorkflowLink chainId={l.chainId} id={l.workflowId} />
              </td>
            )}
            <td>
              {String(l.blockNumber)} <span class="muted">{time(l.blockTime)}</span>
            </td>
            <td class="mono">
              <a href={txHref(l.chainId, l.txHash)}>{short(l.txHash)}</a> #{l.logIndex}
            </td>
            <td>
              <LogFate log={l} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
