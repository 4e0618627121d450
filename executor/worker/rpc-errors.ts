/** Sorts RPC failures into the few kinds the worker acts on differently. */
import { BaseError, InsufficientFundsError, NonceTooLowError } from "viem";

export type RpcErrorKind =
  | "nonce_too_low"
  | "already_known"
  | "underpriced"
  | "insufficient_funds"
  | "reverted"
  | "other";

const patterns: [RpcErrorKind, RegExp][] = [
  ["already_known", /already known|known transaction|already imported|already exists|transaction already in/i],
  ["nonce_too_low", /nonce too low|nonce has already been used|invalid nonce|nonce.*(?:lower|smaller) than/i],
  ["underpriced", /underpriced|fee too low|max fee per gas less than block base fee|replacement.*(?:fee|gas)/i],
  ["insufficient_funds", /insufficient funds|insufficient balance|exceeds balance/i],
  ["reverted", /execution reverted|reverted|revert/i],
];

export function classifyRpcError(error: unknown): RpcErrorKind {
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof NonceTooLowError)) return "nonce_too_low";
    if (error.walk((e) => e instanceof InsufficientFundsError)) return "insufficient_funds";
  }
  const text = error instanceof BaseError ? `${error.shortMessage} ${error.details ?? ""}` : String(error);
  for (const [kind, re] of patterns) if (re.test(text)) return kind;
  return "other";
}

export function errorText(error: unknown): string {
  if (error instanceof BaseError) return error.details ? `${error.shortMessage}: ${error.details}` : error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}
