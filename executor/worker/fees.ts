/** EIP-1559 fees with a hard cap, and the bump a replacement needs (nodes require at least +10%). */
import type { Chain, PublicClient, Transport } from "viem";

const min = (a: bigint, b: bigint) => (a < b ? a : b);

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

export class FeeError extends Error {}

export async function currentFees(client: PublicClient<Transport, Chain>, cap: bigint): Promise<Fees> {
  const [block, tip] = await Promise.all([
    client.getBlock({ blockTag: "latest" }),
    client.estimateMaxPriorityFeePerGas().catch(() => 1_000_000_000n),
  ]);
  const base = block.baseFeePerGas ?? 0n;
  if (base >= cap) throw new FeeError(`base fee ${base} wei is at or above MAX_FEE_GWEI (${cap} wei)`);
  const maxFeePerGas = min(base * 2n + tip, cap);
  return { maxFeePerGas, maxPriorityFeePerGas: min(tip, maxFeePerGas) };
}
