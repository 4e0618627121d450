/** Strict parsing of path and query parameters: anything malformed is a 400 that says what was wrong. */
import { STATUS_NAMES, type StatusName, TRIGGER_NAMES, type TriggerName } from "../../lib/spec.js";
import { badRequest } from "./errors.js";

const MAX_UINT256 = 2n ** 256n - 1n;
const STATUSES: readonly string[] = STATUS_NAMES;
const TRIGGERS: readonly string[] = TRIGGER_NAMES;

export type WorkflowStatus = StatusName;
export type TriggerKind = TriggerName;

export function workflowId(raw: string | undefined): bigint {
  if (!raw || !/^\d{1,78}$/.test(raw)) {
    throw badRequest("invalid_workflow_id", "workflow id must be a positive decimal integer");
  }
  const id = BigInt(raw);
  if (id < 1n || id > MAX_UINT256) throw badRequest("invalid_workflow_id", "workflow id must be between 1 and 2^256-1");
  return id;
}

export function txHash(raw: string | undefined): `0x${string}` {
  if (!raw || !/^0x[0-9a-fA-F]{64}$/.test(raw)) {
    throw badRequest("invalid_tx_hash", "transaction hash must be 0x followed by 64 hex digits");
  }
  return raw.toLowerCase() as `0x${string}`;
}

/** Any case is accepted; the index stores addresses in lower case. */
export function address(raw: string | undefined, name = "address"): `0x${string}` {
  if (!raw || !/^0x[0-9a-fA-F]{40}$/.test(raw)) {
    throw badRequest(`invalid_${name}`, `${name} must be 0x followed by 40 hex digits`);
  }
  return raw.toLowerCase() as `0x${string}`;
}

/**
 * `?chainId=`: one of the chains this index serves (`configured`), else a 400 naming them; undefined when
 * absent. Checked against the configured ids before it reaches SQL, so no size of number can fail a query.
 */
export function chainId(raw: string | undefined, configured: readonly number[]): number | undefined {
  if (raw === undefined) return undefined;
  const id = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!configured.includes(id)) {
    throw badRequest("invalid_chain_id", `chainId must be a chain this index serves: ${configured.join(", ")}`);
  }
  return id;
}

export function limit(raw: string | undefined, fallback = 25): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > 100) {
    throw badRequest("invalid_limit", "limit must be an integer from 1 to 100");
  }
  return Number(raw);
}

export function status(raw: string | undefined): WorkflowStatus | undefined {
  if (raw === undefined) return undefined;
  const upper = raw.toUpperCase();
  if (!STATUSES.includes(upper)) {
    throw badRequest("invalid_status", `status must be one of ${STATUSES.join(", ")}`);
  }
  return upper as WorkflowStatus;
}

export function trigger(raw: string | undefined): TriggerKind | undefined {
  if (raw === undefined) return undefined;
  const upper = raw.toUpperCase();
  if (!TRIGGERS.includes(upper)) {
    throw badRequest("invalid_trigger", `trigger must be one of ${TRIGGERS.join(", ")}`);
  }
  return upper as TriggerKind;
}

/**
 * Cursors are opaque to clients: base64url of the sort key of the last item returned.
 * Each list decides the key's shape; a cursor that doesn't decode to it is a 400.
 */
export function encodeCursor(parts: (bigint | number)[]): string {
  return Buffer.from(parts.map(String).join(":")).toString("base64url");
}

/** The largest value the index stores as a Postgres integer (log indexes, chain ids). */
const MAX_INT32 = 2n ** 31n - 1n;

/**
 * A cursor of `max.length` parts, each at most its `max`: one past what the index can store is not one
 * this API returned, and must never reach SQL.
 */
export function decodeCursor(raw: string | undefined, max: readonly bigint[]): bigint[] | undefined {
  if (raw === undefined) return undefined;
  const fail = () => badRequest("invalid_cursor", "cursor is not one this API returned");
  if (raw.length > 200 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw fail();
  const parts = Buffer.from(raw, "base64url").toString("utf8").split(":");
  if (parts.length !== max.length || !parts.every((p) => /^\d{1,78}$/.test(p))) throw fail();
  const values = parts.map(BigInt);
  if (values.some((v, i) => v > (max[i] as bigint))) throw fail();
  return values;
}

/** A (block number, log index) cursor, as the run and matching-log lists return. */
export function positionCursor(raw: string | undefined): [bigint, bigint] | undefined {
  return decodeCursor(raw, [MAX_UINT256, MAX_INT32]) as [bigint, bigint] | undefined;
}

/** The workflow list's cursor: the (id, chain id) of the last workflow returned. */
export function workflowCursor(raw: string | undefined): [bigint, number] | undefined {
  const parts = decodeCursor(raw, [MAX_UINT256, MAX_INT32]);
  return parts && [parts[0] as bigint, Number(parts[1])];
}

/** The due list's cursor: the (next execution time, id) of the last workflow returned. */
export function dueCursor(raw: string | undefined): [bigint, bigint] | undefined {
  return decodeCursor(raw, [MAX_UINT256, MAX_UINT256]) as [bigint, bigint] | undefined;
}

/** Search box input: a workflow id, a transaction hash or an address. */
export function classifySearch(q: string): { kind: "workflow" | "tx" | "address"; value: string } | undefined {
  const s = q.trim();
  if (/^#?\d{1,78}$/.test(s)) return { kind: "workflow", value: s.replace("#", "") };
  if (/^0x[0-9a-fA-F]{64}$/.test(s)) return { kind: "tx", value: s.toLowerCase() };
  if (/^0x[0-9a-fA-F]{40}$/.test(s)) return { kind: "address", value: s.toLowerCase() };
  return undefined;
}
