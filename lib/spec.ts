/** The on-chain enums and workflow spec in TypeScript, with builders for the common shapes. */
import { type Address, type ContractFunctionArgs, type Hex, parseEther, stringToHex } from "viem";
import type { workflowRegistryAbi } from "../abis/index.js";
import { encodeLogTrigger, type LogFilter } from "./log-trigger.js";

export const TriggerType = { TIME: 0, CONDITION: 1, LOG: 2, CRON: 3 } as const;
export const CheckerKind = { NONE: 0, CHAINLINK: 1, GELATO: 2 } as const;
export const Status = { ACTIVE: 0, PAUSED: 1, CANCELLED: 2, COMPLETED: 3 } as const;

/** Each enum's names, in on-chain order: what the index stores and the API, OpenAPI and CLI take and show. */
const namesOf = <T extends Record<string, number>>(e: T) =>
  Object.keys(e) as [keyof T & string, ...(keyof T & string)[]];
export const TRIGGER_NAMES = namesOf(TriggerType);
export const CHECKER_NAMES = namesOf(CheckerKind);
export const STATUS_NAMES = namesOf(Status);
export type TriggerName = keyof typeof TriggerType;
export type StatusName = keyof typeof Status;
export const SkipReason = {
  NONE: 0,
  UNKNOWN_WORKFLOW: 1,
  NOT_ACTIVE: 2,
  NOT_DUE: 3,
  NOT_FUNDED: 4,
  EXPIRED: 5,
  /** LOG: this log already had its run (by any worker, in any transaction). */
  LOG_ALREADY_SERVED: 6,
  /** LOG: the log's block is not on the chain the run lands on (reorged out, in the future, or malformed). */
  LOG_NOT_CANONICAL: 7,
  /** CONDITION: the check was answered before the workflow's last run (its answer is spent), or is missing. */
  STALE_CHECK: 8,
} as const;

/** Name of an enum value, for logs, the index and the API. */
export function enumName<T extends Record<string, number>>(values: T, value: number): keyof T & string {
  const entry = Object.entries(values).find(([, v]) => v === value);
  if (!entry) throw new Error(`unknown enum value ${value}`);
  return entry[0];
}

export type WorkflowSpec = ContractFunctionArgs<typeof workflowRegistryAbi, "payable", "register">[0];
export type Action = WorkflowSpec["actions"][number];

export const DEFAULT_GAS_LIMIT = 200_000;
export const DEFAULT_MAX_FEE = parseEther("0.01");

interface Limits {
  gasLimit?: number;
  maxFeePerRun?: bigint;
  startTime?: bigint;
  maxRuns?: bigint;
  endTime?: bigint;
}

function limits(l: Limits) {
  return {
    gasLimit: l.gasLimit ?? DEFAULT_GAS_LIMIT,
    maxFeePerRun: l.maxFeePerRun ?? DEFAULT_MAX_FEE,
    startTime: l.startTime ?? 0n,
    maxRuns: l.maxRuns ?? 0n,
    endTime: l.endTime ?? 0n,
  };
}

/** Runs `actions` every `interval` seconds (0 = once). */
export function timeSpec(actions: readonly Action[], interval: bigint, l: Limits = {}): WorkflowSpec {
  return {
    trigger: { kind: TriggerType.TIME, interval, checkerKind: CheckerKind.NONE, checker: ZERO, data: "0x" },
    actions,
    ...limits(l),
  };
}

/** A Chainlink-style upkeep: `checkUpkeep(checkData)` off-chain, `performUpkeep(performData)` on-chain. */
export function chainlinkSpec(
  upkeep: Address,
  opts: Limits & { checkData?: Hex; minInterval?: bigint } = {},
): WorkflowSpec {
  return {
    trigger: {
      kind: TriggerType.CONDITION,
      interval: opts.minInterval ?? 0n,
      checkerKind: CheckerKind.CHAINLINK,
      checker: upkeep,
      data: opts.checkData ?? "0x",
    },
    actions: [],
    ...limits(opts),
  };
}

/** A Gelato-style task: `resolver.checker()` off-chain, its payload called on `target`. */
export function gelatoSpec(
  resolver: Address,
  target: Address,
  opts: Limits & { value?: bigint; minInterval?: bigint } = {},
): WorkflowSpec {
  return {
    trigger: {
      kind: TriggerType.CONDITION,
      interval: opts.minInterval ?? 0n,
      checkerKind: CheckerKind.GELATO,
      checker: resolver,
      data: "0x",
    },
    actions: [{ target, value: opts.value ?? 0n, data: "0x" }],
    ...limits(opts),
  };
}

/** Runs `actions` once for every log that matches `filter` (in log order). */
export function logSpec(filter: LogFilter, actions: readonly Action[], l: Limits = {}): WorkflowSpec {
  return {
    trigger: {
      kind: TriggerType.LOG,
      interval: 0n,
      checkerKind: CheckerKind.NONE,
      checker: ZERO,
      data: encodeLogTrigger(filter),
    },
    actions,
    ...limits(l),
  };
}

/**
 * A Chainlink log upkeep: for every matching log, `checkLog(log, checkData)` off-chain, then
 * `performUpkeep(performData)` on-chain through the workflow's forwarder.
 */
export function chainlinkLogSpec(
  upkeep: Address,
  filter: LogFilter,
  opts: Limits & { checkData?: Hex } = {},
): WorkflowSpec {
  return {
    trigger: {
      kind: TriggerType.LOG,
      interval: 0n,
      checkerKind: CheckerKind.CHAINLINK,
      checker: upkeep,
      data: encodeLogTrigger(filter, opts.checkData ?? "0x"),
    },
    actions: [],
    ...limits(opts),
  };
}

/** Runs `actions` on a 5-field UTC cron schedule (see lib/cron.ts); the registry parses `expression`. */
export function cronSpec(expression: string, actions: readonly Action[], l: Limits = {}): WorkflowSpec {
  return {
    trigger: {
      kind: TriggerType.CRON,
      interval: 0n,
      checkerKind: CheckerKind.NONE,
      checker: ZERO,
      data: stringToHex(expression),
    },
    actions,
    ...limits(l),
  };
}

const ZERO = "0x0000000000000000000000000000000000000000" as const;
