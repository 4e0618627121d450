/**
 * The explorer's live feed: runs as they land, pushed to open pages with server-sent events, and a
 * workflow page's summary (counts, balance, health) kept current beside them.
 *
 * One poller per process reads the newest runs from the index once a second, whatever the number of open
 * pages, and only while at least one is open; each page's stream takes the runs it shows (one chain, one
 * workflow) and sends them as rows the server renders (RunRow), so the page's script only places them.
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { RunRow } from "./pages/components.js";
import { type ExecutionRow, latestExecutions, listExecutions, transaction } from "./queries.js";

const POLL_MS = 1000;
/** Runs read per poll: more than land in a second on any chain this serves. */
const WINDOW = 500;
/** A stream with nothing to say writes a comment this often, so proxies keep it open. */
const KEEPALIVE_MS = 15_000;
/** The rows a stream starts with, covering the moment between the page being rendered and it connecting. */
const CATCH_UP = 25;

type Listener = (runs: ExecutionRow[]) => void;

const listeners = new Set<Listener>();
/** The ids the last poll read; undefined until the first poll, which only learns what is already there. */
let seen: Set<string> | undefined;
let timer: NodeJS.Timeout | undefined;
let polling = false;

async function poll(): Promise<void> {
  if (polling) return;
  polling = true;
  try {
    const rows = await latestExecutions(WINDOW);
    const before = seen;
    // Oldest first, the order pages put them on top in.
    const fresh = before ? rows.filter((r) => !before.has(r.id)).reverse() : [];
    // Only what the window still holds: a run older than it cannot come back, and the set stays bounded.
    seen = new Set(rows.map((r) => r.id));
    if (fresh.length > 0) for (const listener of listeners) listener(fresh);
  } catch {
    // The index is busy or restarting: the next poll tries again, and open pages simply wait.
  } finally {
    polling = false;
  }
}

/** Calls `listener` with each batch of new runs until the returned function is called. */
function onRuns(listener: Listener): () => void {
  listeners.add(listener);
  if (!timer) {
    void poll();
    timer = setInterval(() => void poll(), POLL_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
      seen = undefined;
    }
  };
}

export interface LiveFilter {
  chainId?: number;
  workflowId?: bigint;
  showWorkflow: boolean;
  causes: boolean;
}

/** The stream of one open table (`RunsTable` with `live`): its latest rows, then each new run it shows. */
export function liveRuns(c: Context, filter: LiveFilter) {
  const shows = (r: ExecutionRow) =>
    (filter.chainId === undefined || r.chainId === filter.chainId) &&
    (filter.workflowId === undefined || r.workflowId === filter.workflowId);
  return streamSSE(c, async (stream) => {
    const pending: ExecutionRow[] = [];
    let wake: (() => void) | undefined;
    const off = onRuns((runs) => {
      pending.push(...runs.filter(shows));
      wake?.();
    });
    stream.onAbort(off);
    const send = async (r: ExecutionRow) => {
      const row = await (<RunRow run={r} showWorkflow={filter.showWorkflow} causes={filter.causes} />).toString();
      await stream.writeSSE({ event: "run", id: r.id, data: String(row) });
    };
    try {
      const latest =
        filter.workflowId !== undefined && filter.chainId !== undefined
          ? (await listExecutions({ chainId: filter.chainId, workflowId: filter.workflowId, limit: CATCH_UP })).items
          : await latestExecutions(CATCH_UP, filter.chainId);
      for (const r of latest.reverse()) await send(r);
      while (!stream.aborted) {
        if (pending.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, KEEPALIVE_MS);
          });
          wake = undefined;
          if (pending.length === 0 && !stream.aborted) await stream.write(": keepalive\n\n");
        }
        for (const r of pending.splice(0)) await send(r);
      }
    } finally {
      off();
    }
  });
}

/** A workflow's summary is read again at least this often: its queue and health change without a run too. */
const SUMMARY_REFRESH_MS = 5_000;

/**
 * The stream of one workflow page's summary: its changing parts (pages/workflow.tsx `workflowParts`),
 * rendered, in a "parts" event whenever any of them differs from what the page last got: read again when
 * a run of the workflow lands, and every SUMMARY_REFRESH_MS for what changes without one (a job retrying
 * or dead, a pause, a deposit).
 */
export function liveWorkflow(
  c: Context,
  filter: { chainId: number; workflowId: bigint },
  render: () => Promise<Record<string, string>>,
) {
  return streamSSE(c, async (stream) => {
    let wake: (() => void) | undefined;
    const off = onRuns((runs) => {
      if (runs.some((r) => r.chainId === filter.chainId && r.workflowId === filter.workflowId)) wake?.();
    });
    stream.onAbort(off);
    let sent: Record<string, string> = {};
    let lastWrite = Date.now();
    try {
      while (!stream.aborted) {
        const parts = await render().catch(() => undefined); // the index busy: try again at the next wake
        const changed = Object.fromEntries(Object.entries(parts ?? {}).filter(([k, v]) => sent[k] !== v));
        if (Object.keys(changed).length > 0) {
          await stream.writeSSE({ event: "parts", data: JSON.stringify(changed) });
          sent = { ...sent, ...changed };
          lastWrite = Date.now();
        } else if (Date.now() - lastWrite >= KEEPALIVE_MS) {
          await stream.write(": keepalive\n\n");
          lastWrite = Date.now();
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, SUMMARY_REFRESH_MS);
        });
        wake = undefined;
      }
    } finally {
      off();
    }
  });
}

/** How long a pending transaction's page waits for the index to have it. */
const TX_WAIT_MS = 10 * 60_000;

/**
 * The stream of a transaction's page while the index has nothing from it: one "indexed" event when it
 * has, then the end. Each open page asks once a second; such pages are few and short-lived.
 */
export function liveTx(c: Context, hash: `0x${string}`, chainId: number | undefined) {
  return streamSSE(c, async (stream) => {
    const deadline = Date.now() + TX_WAIT_MS;
    while (!stream.aborted && Date.now() < deadline) {
      const found = await transaction(hash, chainId).catch(() => undefined);
      if (found) {
        await stream.writeSSE({ event: "indexed", data: hash });
        return;
      }
      await stream.sleep(POLL_MS);
    }
  });
}
