/**
 * `npm run workflow -- status <id>` for a person: the API's answer (GET /api/workflows/:id and its last
 * runs) as a short summary, health first. `--json` prints the API's answer as it is, for scripts.
 */
import { duration, eth, seconds, short, time } from "../lib/format.js";

/** The fields of GET /api/workflows/:id this summary reads (bigints arrive as decimal strings). */
export interface WorkflowAnswer {
  chainId: number;
  id: string;
  owner: string;
  status: string;
  health?: { state: string; reason: string | null };
  trigger: {
    kind: string;
    interval: string;
    checkerKind: string;
    checker: string | null;
    log?: { emitter: string; event: string | null; topic0: string } | { error: string } | null;
    cron?: { expression: string } | { error: string } | null;
  };
  maxFeePerRun: string;
  totalValue: string;
  schedule: { nextExecutionAt: string };
  balance: string;
  counts: { runs: number; succeeded: number; failed: number; skipped: number };
  queue: {
    state: string;
    attempts: number;
    lastError: string | null;
    jobId: string | null;
    txHash: string | null;
  } | null;
  queueError: string | null;
}

/** The fields of one item of GET /api/workflows/:id/executions this summary reads. */
export interface RunAnswer {
  runNumber: number;
  success: boolean;
  blockTime: string;
  latenessSeconds: number | null;
  fee: string;
  txHash: string;
  revert: { reason: string | null } | null;
}

export function statusSummary(w: WorkflowAnswer, runs: RunAnswer[], nowSeconds: bigint): string {
  const health = w.health ? `${w.health.state}${w.health.reason ? ` — ${w.health.reason}` : ""}` : "unknown";
  const perRun = BigInt(w.maxFeePerRun) + BigInt(w.totalValue);
  const balance = BigInt(w.balance);
  const covers = perRun === 0n ? "" : `, covers ${balance / perRun} run(s) at the max fee of ${eth(perRun)}`;
  const lines = [
    `Workflow #${w.id} on chain ${w.chainId}, owned by ${w.owner}`,
    row("status", w.status),
    row("health", health),
    row("trigger", triggerLine(w.trigger)),
    row("next due", w.status === "ACTIVE" ? nextDue(w, nowSeconds) : "—"),
    row("balance", `${eth(balance)}${covers}`),
    row(
      "runs",
      `${w.counts.runs} (${w.counts.succeeded} succeeded, ${w.counts.failed} failed, ${w.counts.skipped} skipped)`,
    ),
    row("queue", queueLine(w)),
    "",
    runs.length === 0 ? "No runs yet." : `Last ${runs.length === 1 ? "run" : `${runs.length} runs`}:`,
    ...runs.map(runLine),
  ];
  return lines.join("\n");
}

const row = (label: string, value: string) => `  ${label.padEnd(9)} ${value}`;

function triggerLine(t: WorkflowAnswer["trigger"]): string {
  switch (t.kind) {
    case "TIME":
      return `every ${duration(BigInt(t.interval))}`;
    case "CRON":
      return t.cron && "expression" in t.cron ? `cron "${t.cron.expression}" (UTC)` : "cron";
    case "LOG":
      return t.log && "emitter" in t.log ? `each ${t.log.event ?? t.log.topic0} log from ${t.log.emitter}` : "on a log";
    case "CONDITION":
      return `when ${t.checkerKind} checker ${t.checker ?? "?"} says so, at most every ${duration(BigInt(t.interval))}`;
    default:
      return t.kind;
  }
}

function nextDue(w: WorkflowAnswer, now: bigint): string {
  const at = BigInt(w.schedule.nextExecutionAt);
  if (w.trigger.kind === "LOG") return `on each matching log from ${time(at)} on`;
  const rel = at > now ? `in ${seconds(Number(at - now))}` : `${seconds(Number(now - at))} ago`;
  return `${time(at)} (${rel})`;
}

function queueLine(w: WorkflowAnswer): string {
  const q = w.queue;
  if (!q) return `unknown: ${w.queueError ?? "queue unreachable"}`;
  const parts = [q.state];
  if (q.attempts > 0) parts.push(`after ${q.attempts} attempt(s)`);
  if (q.lastError) parts.push(`— ${q.lastError}`);
  if (q.state === "dead" && q.jobId) parts.push(`(retry: npm run queue -- retry ${q.jobId})`);
  else if (q.txHash) parts.push(`tx ${q.txHash}`);
  return parts.join(" ");
}

function runLine(r: RunAnswer): string {
  const outcome = r.success ? "✓ success" : `✗ failed: ${r.revert?.reason ?? "no reason given"}`;
  const late = r.latenessSeconds === null ? "" : `  late ${seconds(r.latenessSeconds)}`;
  return `  #${r.runNumber}  ${time(BigInt(r.blockTime))}  ${outcome}${late}  fee ${eth(BigInt(r.fee))}  tx ${short(r.txHash)}`;
}
