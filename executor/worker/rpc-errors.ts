/** Sorts a node's refusal of a transaction into the few kinds the signer acts on differently. */
import { BaseError, InsufficientFundsError, NonceTooLowError } from "viem";
import { isTransient } from "../errors.js";

export type RpcErrorKind =
  | "nonce_too_low"
  | "already_known"
  | "underpriced"
  | "insufficient_funds"
  | "reverted"
  | "transient"
  | "other";

const patterns: [RpcErrorKind, RegExp][] = [
  ["already_known", /already known|known transaction|already imported|already exists|transaction already in/i],
  ["nonce_too_low", /nonce too low|nonce has already been used|invalid nonce|nonce.*(?:lower|smaller) than/i],
  ["underpriced", /underpriced|fee too low|max fee per gas less than block base fee|replacement.*(?:fee|gas)/i],
  ["insufficient_funds", /insufficient funds|insufficient balance|exceeds balance/i],
  ["reverted", /execution reverted|reverted|revert/i],
];

export function classifyRpcError(error: unknown): RpcErrorKind {
  // The node's own words first: viem files "already known" under NonceTooLowError, and the two mean
  // opposite things here (already known: ours is pending; nonce too low: the nonce is used).
  const text = error instanceof BaseError ? nodeText(error) : String(error);
  for (const [kind, re] of patterns) if (re.test(text)) return kind;
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof NonceTooLowError)) return "nonce_too_low";
    if (error.walk((e) => e instanceof InsufficientFundsError)) return "insufficient_funds";
  }
  // Checked last: a node's answer above can arrive wrapped in an error viem would otherwise retry.
  if (isTransient(error)) return "transient";
  return "other";
}

/** Every short message and detail down the cause chain: the node's message may sit in any of them. */
function nodeText(error: BaseError): string {
  const parts: string[] = [];
  error.walk((e) => {
    if (e instanceof BaseError) parts.push(e.shortMessage, e.details ?? "");
    else if (e instanceof Error) parts.push(e.message);
    return false;
  });
  return parts.join(" ");
}
