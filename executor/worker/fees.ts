/** EIP-1559 fees with a hard cap, and the bump a replacement needs (nodes require at least +10%). */
import { FeeCapError } from "../errors.js";

/** The smaller of two bigints (Math.min takes numbers only). */
export const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** +12.5%, rounded up, and at least 1 wei more: comfortably over the 10% geth and anvil demand. */
export function bump(fees: Fees, cap: bigint): Fees | undefined {
  const up = (v: bigint) => v + (v * 125n + 999n) / 1000n + 1n;
  const maxFeePerGas = up(fees.maxFeePerGas);
  if (fees.maxFeePerGas >= cap) return undefined;
  const capped = min(maxFeePerGas, cap);
  return { maxFeePerGas: capped, maxPriorityFeePerGas: min(up(fees.maxPriorityFeePerGas), capped) };
}

/** The larger of two fee pairs, field by field. */
export function higher(a: Fees, b: Fees): Fees {
  const maxFeePerGas = max(a.maxFeePerGas, b.maxFeePerGas);
  return { maxFeePerGas, maxPriorityFeePerGas: min(max(a.maxPriorityFeePerGas, b.maxPriorityFeePerGas), maxFeePerGas) };
}

/**
 * Fees for the next block: room for the base fee to double, plus the tip, never above the cap. A base
 * fee at or above the cap means nothing can be sent until it falls (a "wait", not a failure).
 */
export function feesFor(baseFeePerGas: bigint, tip: bigint, cap: bigint): Fees {
  if (baseFeePerGas >= cap) {
    throw new FeeCapError(`base fee ${baseFeePerGas} wei is at or above MAX_FEE_GWEI (${cap} wei)`);
  }
  const maxFeePerGas = min(baseFeePerGas * 2n + tip, cap);
  return { maxFeePerGas, maxPriorityFeePerGas: min(tip, maxFeePerGas) };
}
