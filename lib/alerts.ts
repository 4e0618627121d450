/**
 * What an alert is on the wire, shared by the executor that sends them and anyone who receives them.
 *
 * Each delivery is a JSON POST of one Alert. The body is signed with HMAC-SHA256 under the webhook's
 * secret, hex, in `X-Autokeeper-Signature: sha256=<hex>`; the alert's id is also in
 * `X-Autokeeper-Delivery`. An id is made from what happened (the run's transaction and log, the job, the
 * crossing), so the same event is the same alert: a receiver that sees an id twice (a retry whose answer
 * was lost) keeps one. Ids are `<type>/<chain id>/<what>`, e.g. `run.failed/1/0x…/4` (no colons: BullMQ
 * keeps them as job ids).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const ALERT_TYPES = [
  "run.failed",
  "run.dead_lettered",
  "workflow.low_balance",
  "workflow.completed",
  "workflow.cancelled",
  "signer.low_balance",
  "index.lagging",
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export interface Alert {
  id: string;
  type: AlertType;
  chainId: number;
  /** The workflow it is about, as a decimal string; null for signer and index alerts. */
  workflowId: string | null;
  /** When it was seen (ISO 8601): the block's time for what the chain did, else the executor's clock. */
  at: string;
  /** In a sentence, for a person reading a chat message. */
  summary: string;
  details: Record<string, string | number | boolean | null>;
}

export const SIGNATURE_HEADER = "x-autokeeper-signature";
export const DELIVERY_HEADER = "x-autokeeper-delivery";

/** The `X-Autokeeper-Signature` value for a raw body. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Whether `signature` is the body's, compared in constant time (what a receiver does first). */
export function verifySignature(body: string, signature: string | undefined, secret: string): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signBody(body, secret));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
