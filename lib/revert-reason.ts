/** Turns revert data kept on-chain into words: Error(string), Panic codes, or a known custom error. */
import { type Abi, BaseError, decodeErrorResult, type Hex } from "viem";
import * as abis from "../abis/index.js";

const knownErrors: Abi = Object.entries(abis)
  .filter(([name]) => name.endsWith("Abi"))
  .flatMap(([, abi]) => (abi as Abi).filter((item) => item.type === "error"));

const PANICS: Record<string, string> = {
  "1": "assertion failed",
  "17": "arithmetic overflow",
  "18": "division by zero",
  "33": "invalid enum value",
  "50": "array index out of bounds",
  "65": "out of memory",
  "81": "call to an uninitialised function",
};

export function decodeRevertReason(data: Hex | null | undefined): string | null {
  if (!data || data === "0x") return null;
  try {
    const { errorName, args } = decodeErrorResult({ abi: knownErrors, data });
    if (errorName === "Error") return String(args?.[0] ?? "");
    if (errorName === "Panic") {
      const code = String(args?.[0] ?? "");
      return `panic: ${PANICS[code] ?? `code ${code}`}`;
    }
    return `${errorName}(${(args ?? []).map(String).join(", ")})`;
  } catch {
    const bytes = (data.length - 2) / 2;
    return bytes < 4 ? `reverted (${bytes} bytes of data)` : `unknown error ${data.slice(0, 10)} (${bytes} bytes)`;
  }
}

/** The revert data inside a viem error, wherever in the cause chain it sits (undefined for a transport fault). */
export function revertDataOf(error: unknown): Hex | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const withData = error.walk((e) => typeof (e as { data?: unknown }).data === "string");
  const data = (withData as { data?: unknown } | null)?.data;
  return typeof data === "string" && data.startsWith("0x") ? (data as Hex) : undefined;
}
