/** Numbers and times as people read them: shared by the explorer pages, the API's sentences and the CLI. */
import { formatEther, formatGwei } from "viem";

export const short = (hex: string, n = 6) => (hex.length > 2 * n + 2 ? `${hex.slice(0, n + 2)}…${hex.slice(-n)}` : hex);

const SIX_DIGITS = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 6 });

/** An amount for people: 6 significant digits (0.000153353 ETH); `fullEth` has every wei, for hover and copy. */
export const eth = (wei: bigint) => `${SIX_DIGITS.format(Number(formatEther(wei)))} ETH`;

export const fullEth = (wei: bigint) => `${formatEther(wei)} ETH`;

export const gwei = (wei: string | bigint) => `${formatGwei(BigInt(wei))} gwei`;

export function time(seconds: bigint | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  return new Date(Number(seconds) * 1000).toISOString().replace("T", " ").replace(".000Z", " UTC");
}

export function duration(seconds: bigint): string {
  const s = Number(seconds);
  if (s === 0) return "once";
  if (s % 86_400 === 0) return `${s / 86_400} d`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

/** Seconds for display: percentiles interpolate, so 24.799999999999994 shows as 24.8. */
export function seconds(value: number | null): string {
  if (value === null) return "—";
  return `${Math.round(value * 10) / 10} s`;
}
