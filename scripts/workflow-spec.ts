/**
 * What `npm run workflow` reads from its arguments, checked before anything is sent: ids, addresses,
 * amounts, function and event signatures, cron expressions, and the whole WorkflowSpec `register` sends.
 * Pure: no chain, no network, so the unit layer (test/unit/workflow-spec.test.ts) tests it directly.
 */
import {
  type AbiEvent,
  type AbiFunction,
  type AbiParameter,
  type Address,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  type Hex,
  isAddress,
  isHex,
  pad,
  parseAbiItem,
  parseEther,
  toEventSelector,
} from "viem";
import { CronError, type CronSpec, nextTicks, parseCron } from "../lib/cron.js";
import { ConfigError } from "../lib/env.js";
import type { LogFilter } from "../lib/log-trigger.js";
import {
  type Action,
  chainlinkLogSpec,
  chainlinkSpec,
  cronSpec,
  gelatoSpec,
  logSpec,
  timeSpec,
  type WorkflowSpec,
} from "../lib/spec.js";

export class UsageError extends ConfigError {}

/** Flags that take no value. */
const SWITCHES = new Set(["force"]);

/** --name value pairs (a switch: --name alone); repeated names collect in order. */
export function options(argv: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
    if (SWITCHES.has(arg.slice(2))) {
      out.set(arg.slice(2), ["true"]);
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`${arg} needs a value`);
    out.set(arg.slice(2), [...(out.get(arg.slice(2)) ?? []), value]);
    i += 1;
  }
  return out;
}

export function parseId(raw: string | undefined): bigint {
  if (!raw || !/^\d{1,78}$/.test(raw) || BigInt(raw) < 1n)
    throw new UsageError(`workflow id must be a positive integer, got "${raw ?? ""}"`);
  return BigInt(raw);
}

export function parseAddress(raw: string | undefined, what: string): Address {
  if (!raw || !isAddress(raw, { strict: false }))
    throw new UsageError(`${what} must be a 0x-prefixed 20-byte address, got "${raw ?? ""}"`);
  return getAddress(raw);
}

export function parseAmount(raw: string | undefined, what: string): bigint {
  if (!raw || !/^\d+(\.\d{1,18})?$/.test(raw))
    throw new UsageError(`${what} must be an amount in ether like 0.5, got "${raw ?? ""}"`);
  return parseEther(raw);
}

export function parseUint(raw: string | undefined, what: string, fallback?: bigint): bigint {
  if (raw === undefined && fallback !== undefined) return fallback;
  if (!raw || !/^\d{1,20}$/.test(raw))
    throw new UsageError(`${what} must be a non-negative integer, got "${raw ?? ""}"`);
  return BigInt(raw);
}

/** Encodes a call from a human signature and comma-separated arguments, checking both. */
export function encodeCall(signature: string, rawArgs: string | undefined): Hex {
  let fn: AbiFunction;
  try {
    const item = parseAbiItem(`function ${signature.replace(/^function\s+/, "")}`);
    if (item.type !== "function") throw new Error();
    fn = item;
  } catch {
    throw new UsageError(
      `--call "${signature}" is not a function signature like "increment()" or "transfer(address,uint256)"`,
    );
  }
  const parts = rawArgs === undefined || rawArgs === "" ? [] : rawArgs.split(",").map((a) => a.trim());
  if (parts.length !== fn.inputs.length) {
    throw new UsageError(`${fn.name} takes ${fn.inputs.length} argument(s), --args gave ${parts.length}`);
  }
  const args = fn.inputs.map((input, i) => {
    const raw = parts[i]!;
    if (/^u?int\d*$/.test(input.type)) {
      if (!/^-?\d+$/.test(raw))
        throw new UsageError(`argument ${i + 1} (${input.type}) must be an integer, got "${raw}"`);
      return BigInt(raw);
    }
    if (input.type === "address") return parseAddress(raw, `argument ${i + 1}`);
    if (input.type === "bool") {
      if (raw !== "true" && raw !== "false") throw new UsageError(`argument ${i + 1} (bool) must be true or false`);
      return raw === "true";
    }
    if (input.type.startsWith("bytes")) {
      if (!isHex(raw)) throw new UsageError(`argument ${i + 1} (${input.type}) must be 0x-prefixed hex`);
      return raw;
    }
    if (input.type === "string") return raw;
    throw new UsageError(`argument type ${input.type} is not supported here; pass --data with raw calldata instead`);
  });
  try {
    return encodeFunctionData({ abi: [fn], functionName: fn.name, args });
  } catch (error) {
    throw new UsageError(`cannot encode ${fn.name}: ${(error as Error).message.split("\n")[0]}`);
  }
}

/** An event from a human signature ("Transfer(address indexed,address indexed,uint256)"), checked. */
export function parseEvent(signature: string | undefined, flag: string): AbiEvent {
  const example = `like "Ping()" or "Transfer(address indexed,address indexed,uint256)"`;
  if (signature === undefined) throw new UsageError(`${flag} needs --event "<Event(type,…)>", ${example}`);
  let event: AbiEvent;
  try {
    const item = parseAbiItem(`event ${signature.trim().replace(/^event\s+/, "")}`);
    if (item.type !== "event") throw new Error();
    event = item;
  } catch {
    throw new UsageError(`--event "${signature}" is not an event signature ${example}`);
  }
  if (event.anonymous) throw new UsageError(`--event "${signature}": an anonymous event has no topic0 to match`);
  if (event.inputs.filter((i) => i.indexed).length > 3)
    throw new UsageError(`--event "${signature}": an event has at most 3 indexed parameters`);
  return event;
}

/**
 * One topic of a log filter: a 0x hex word (left-padded to 32 bytes), or a value of the indexed
 * parameter's own type (an address, a decimal integer; a bytesN of exactly N bytes) ABI-encoded as the
 * topic the event carries for it.
 */
export function parseTopic(raw: string, position: 1 | 2 | 3, event: AbiEvent, signature: string): Hex {
  const flag = `--topic${position}`;
  const indexed = event.inputs.filter((i) => i.indexed);
  const param: AbiParameter | undefined = indexed[position - 1];
  if (!param) {
    throw new UsageError(
      `${flag}: --event "${signature}" has ${indexed.length} indexed parameter(s), so no topic ${position}` +
        ` (mark the indexed ones, e.g. "Transfer(address indexed,address indexed,uint256)")`,
    );
  }
  const encode = (value: unknown): Hex => {
    try {
      return encodeAbiParameters([{ type: param.type }], [value]);
    } catch (error) {
      throw new UsageError(
        `${flag}: cannot encode "${raw}" as ${param.type}: ${(error as Error).message.split("\n")[0]}`,
      );
    }
  };
  const integer = /^u?int\d*$/.test(param.type);
  if (/^0x[0-9a-fA-F]+$/.test(raw)) {
    if (raw.length > 66) throw new UsageError(`${flag} must be at most 32 bytes of hex, got "${raw}"`);
    const bytes = /^bytes(\d+)$/.exec(param.type);
    if (param.type === "address" && raw.length === 42) return encode(parseAddress(raw, flag));
    if (bytes && raw.length === 2 + 2 * Number(bytes[1])) return encode(raw);
    return pad(raw as Hex, { size: 32 });
  }
  if (integer && /^-?\d+$/.test(raw)) return encode(BigInt(raw));
  const kinds = param.type === "address" ? " or an address" : integer ? " or a decimal integer" : "";
  throw new UsageError(
    `${flag} must be a 0x hex word${kinds} for indexed parameter ${position} (${param.type}), got "${raw}"`,
  );
}

/** How many upcoming runs a CRON schedule is shown with. */
export const TICKS_SHOWN = 3;

/** A --cron expression checked the way the registry will parse it; refused by flag, with the position. */
export function checkCron(expression: string | undefined, flag: string): CronSpec {
  if (expression === undefined) throw new UsageError(`${flag} needs a cron expression like "*/15 * * * *"`);
  try {
    return parseCron(expression);
  } catch (error) {
    if (error instanceof CronError) throw new UsageError(`${flag} "${expression}": ${error.message}`);
    throw error;
  }
}

/** A CRON schedule's next runs after `after`, one ISO UTC time a line; refused when it never fires. */
export function upcoming(cron: CronSpec, expression: string, after: bigint, flag: string): string {
  const ticks = nextTicks(cron, after, TICKS_SHOWN);
  if (ticks.length === 0)
    throw new UsageError(`${flag} "${expression}" never fires (no run within 8 years of ${iso(after)})`);
  return ticks.map((t) => `  ${iso(t)}`).join("\n");
}

export const iso = (unixSeconds: bigint) => new Date(Number(unixSeconds) * 1000).toISOString().replace(".000Z", "Z");

/** The log filter of --on-log / --chainlink-log: the emitter, the event's topic0, and any --topic1..3. */
function logFilter(o: Map<string, string[]>, emitterFlag: "on-log" | "emitter", trigger: string): LogFilter {
  const one = (name: string) => o.get(name)?.[0];
  if (one(emitterFlag) === undefined) throw new UsageError(`${trigger} needs --${emitterFlag} <address>`);
  const emitter = parseAddress(one(emitterFlag), `--${emitterFlag}`);
  const signature = one("event");
  const event = parseEvent(signature, trigger);
  const filter: LogFilter = { emitter, topic0: toEventSelector(event) };
  for (const position of [1, 2, 3] as const) {
    const raw = one(`topic${position}`);
    if (raw !== undefined) filter[`topic${position}`] = parseTopic(raw, position, event, signature!);
  }
  return filter;
}

/** The --target actions (each with --call [--args] or --data, and --value) in order. */
function actionsFrom(o: Map<string, string[]>, kind: string): Action[] {
  const targets = o.get("target") ?? [];
  if (targets.length === 0)
    throw new UsageError(`a ${kind} workflow needs at least one --target with --call or --data`);
  const calls = o.get("call") ?? [];
  const datas = o.get("data") ?? [];
  const argLists = o.get("args") ?? [];
  const values = o.get("value") ?? [];
  if (calls.length + datas.length !== targets.length)
    throw new UsageError("give one --call or --data for each --target");
  let c = 0;
  let d = 0;
  return targets.map((target, i) => {
    let data: Hex;
    if (c < calls.length) {
      data = encodeCall(calls[c]!, argLists[c]);
      c += 1;
    } else {
      const raw = datas[d]!;
      if (!isHex(raw)) throw new UsageError(`--data must be 0x-prefixed hex, got "${raw}"`);
      data = raw;
      d += 1;
    }
    return {
      target: parseAddress(target, "--target"),
      value: values[i] === undefined ? 0n : parseAmount(values[i], "--value"),
      data,
    };
  });
}

export function buildSpec(o: Map<string, string[]>): {
  spec: WorkflowSpec;
  fund: bigint;
  cron?: { spec: CronSpec; expression: string };
} {
  const one = (name: string) => o.get(name)?.[0];
  const limits = {
    gasLimit: Number(parseUint(one("gas-limit"), "--gas-limit", 200_000n)),
    maxFeePerRun: one("max-fee") === undefined ? parseEther("0.01") : parseAmount(one("max-fee"), "--max-fee"),
    startTime: parseUint(one("start"), "--start", 0n),
    maxRuns: parseUint(one("max-runs"), "--max-runs", 0n),
    endTime: parseUint(one("end"), "--end", 0n),
  };
  const fund = one("fund") === undefined ? 0n : parseAmount(one("fund"), "--fund");
  const minInterval = parseUint(one("min-interval"), "--min-interval", 0n);
  const kinds = ["every", "chainlink", "gelato", "on-log", "chainlink-log", "cron"].filter((k) => o.has(k));
  if (kinds.length !== 1)
    throw new UsageError(
      "give exactly one trigger: --every, --chainlink, --gelato, --on-log, --chainlink-log or --cron",
    );
  const checkData = (): Hex => {
    const raw = one("check-data") ?? "0x";
    if (!isHex(raw)) throw new UsageError("--check-data must be 0x-prefixed hex");
    return raw;
  };
  if (o.has("chainlink")) {
    return {
      spec: chainlinkSpec(parseAddress(one("chainlink"), "--chainlink"), {
        ...limits,
        checkData: checkData(),
        minInterval,
      }),
      fund,
    };
  }
  if (o.has("gelato")) {
    const value = one("value") === undefined ? 0n : parseAmount(one("value"), "--value");
    return {
      spec: gelatoSpec(parseAddress(one("gelato"), "--gelato"), parseAddress(one("target"), "--target"), {
        ...limits,
        value,
        minInterval,
      }),
      fund,
    };
  }
  if (o.has("chainlink-log")) {
    const upkeep = parseAddress(one("chainlink-log"), "--chainlink-log");
    if (o.has("target"))
      throw new UsageError("--chainlink-log runs performUpkeep on the upkeep; it takes no --target actions");
    const filter = logFilter(o, "emitter", "--chainlink-log");
    return { spec: chainlinkLogSpec(upkeep, filter, { ...limits, checkData: checkData() }), fund };
  }
  if (o.has("cron")) {
    const expression = one("cron")!;
    const cron = checkCron(expression, "--cron");
    upcoming(cron, expression, BigInt(Math.floor(Date.now() / 1000)), "--cron"); // refuses one that never fires
    return { spec: cronSpec(expression, actionsFrom(o, "CRON"), limits), fund, cron: { spec: cron, expression } };
  }
  if (o.has("on-log")) {
    const filter = logFilter(o, "on-log", "--on-log");
    return { spec: logSpec(filter, actionsFrom(o, "LOG"), limits), fund };
  }
  return { spec: timeSpec(actionsFrom(o, "TIME"), parseUint(one("every"), "--every"), limits), fund };
}
