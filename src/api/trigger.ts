/**
 * A workflow's trigger out of its raw bytes, for the API and the explorer: a LOG trigger's filter (the
 * emitter, the event, which indexed topics must match, a Chainlink log upkeep's checkData) and a CRON
 * trigger's expression with its next ticks. Decoding never throws: data the index holds but cannot read
 * (a registry of another version, say) is answered with `error`, so a page never fails on it.
 */
import { type Abi, type AbiEvent, erc20Abi, erc721Abi, type Hex, hexToBigInt, hexToBytes, toEventSelector } from "viem";
import { formatAbiParams } from "viem/utils";
import * as projectAbis from "../../abis/index.js";
import { nextTicks, parseCron } from "../../lib/cron.js";
import { decodeLogTrigger } from "../../lib/log-trigger.js";

/** How many upcoming ticks a CRON workflow shows. */
export const CRON_TICKS = 3;

export interface TriggerSource {
  triggerKind: string;
  checkerKind: string;
  checker: Hex;
  interval: bigint;
  triggerData: Hex;
  /** CRON: no tick before the start runs (the registry's first is the first at or after it), none after the end (0: none). */
  startTime?: bigint;
  endTime?: bigint;
}

/** One indexed-topic filter: `value` null matches anything. */
export interface TopicFilter {
  /** 1, 2 or 3. */
  position: number;
  /** The indexed parameter's name and type, when the event is one this explorer knows. */
  name: string | null;
  type: string | null;
  value: Hex | null;
  /** `value` read as its parameter's type (an address, a number), when known. */
  decoded: string | null;
}

export interface LogTriggerView {
  emitter: Hex;
  topic0: Hex;
  /** The event's signature with its parameter names, when the explorer knows the event (ERC-20/721, this project's contracts). */
  event: string | null;
  /** topic1..3: null matches any value. */
  topic1: Hex | null;
  topic2: Hex | null;
  topic3: Hex | null;
  topics: TopicFilter[];
  /** Chainlink log upkeeps: what checkLog is given; null for action workflows. */
  checkData: Hex | null;
  error: null;
}

export interface CronTriggerView {
  expression: string;
  /**
   * The next ticks after now (or at and after a later start), ISO 8601 UTC; fewer when the schedule has
   * fewer within the search bound or before the workflow's end time.
   */
  next: string[];
  error: string | null;
}

export interface TriggerError {
  error: string;
}

export interface DecodedTrigger {
  log: LogTriggerView | TriggerError | null;
  cron: CronTriggerView | null;
}

/** What each kind's lateness is measured from (execution.lateness, written by src/ActionExecutor.ts). */
export const LATENESS_FROM = {
  TIME: "its due slot",
  CRON: "its due tick",
  LOG: "the log's block",
  CONDITION: "when its minimum interval elapsed",
} as const satisfies Record<"TIME" | "CRON" | "LOG" | "CONDITION", string>;

export const CONDITION_LATENESS_NOTE =
  "The index cannot see the block whose check first said yes, so a CONDITION run's lateness here counts from when its minimum interval elapsed, which includes any time the checker said no. The real figure, from the first yes to the mined run, is the executor's metric autokeeper_due_to_mined_seconds{trigger=\"CONDITION\"}; a queued job's readyAt shows that moment.";

export const nowSeconds = () => BigInt(Math.floor(Date.now() / 1000));

const isEvent = (item: unknown): item is AbiEvent =>
  typeof item === "object" && item !== null && "type" in item && item.type === "event";

/** topic0 → event, from the ABIs most filters name: ERC-20 and ERC-721 first, then this project's contracts. */
const KNOWN_EVENTS: ReadonlyMap<string, AbiEvent> = (() => {
  const abis: unknown[] = [erc20Abi, erc721Abi, ...Object.values(projectAbis).filter(Array.isArray)];
  const known = new Map<string, AbiEvent>();
  for (const abi of abis as Abi[]) {
    for (const item of abi) {
      if (!isEvent(item) || item.anonymous) continue;
      const selector = toEventSelector(item).toLowerCase();
      if (!known.has(selector)) known.set(selector, item);
    }
  }
  return known;
})();

function paramType(p: AbiEvent["inputs"][number]): string {
  return p.type.startsWith("tuple") ? formatAbiParams([p]) : p.type;
}

/** `Ping(address indexed from, uint256 indexed n, uint256 indexed tag, bytes data)`. */
export function eventSignature(event: AbiEvent): string {
  const params = event.inputs.map((p) =>
    [paramType(p), p.indexed ? "indexed" : "", p.name ?? ""].filter(Boolean).join(" "),
  );
  return `${event.name}(${params.join(", ")})`;
}

/** A 32-byte topic read as an indexed parameter of `type` (value types only; others stay hex). */
function decodeTopic(type: string, topic: Hex): string | null {
  try {
    const n = hexToBigInt(topic);
    if (type === "address") return n < 2n ** 160n ? `0x${topic.slice(-40).toLowerCase()}` : null;
    if (type === "bool") return n === 0n ? "false" : n === 1n ? "true" : null;
    if (/^uint\d*$/.test(type)) return n.toString();
    if (/^int\d*$/.test(type)) return (n >= 2n ** 255n ? n - 2n ** 256n : n).toString();
    return null;
  } catch {
    return null;
  }
}

function logView(w: TriggerSource): LogTriggerView | TriggerError {
  let t: ReturnType<typeof decodeLogTrigger>;
  try {
    t = decodeLogTrigger(w.triggerData);
  } catch {
    return { error: "trigger data is not a LOG filter this explorer can read" };
  }
  const event = KNOWN_EVENTS.get(t.topic0.toLowerCase());
  const indexed = event?.inputs.filter((p) => p.indexed) ?? [];
  const values = [t.topic1, t.topic2, t.topic3];
  const topics = values.map((value, i): TopicFilter => {
    const param = indexed[i];
    const type = param ? paramType(param) : null;
    return {
      position: i + 1,
      name: param?.name || null,
      type,
      value: value ?? null,
      decoded: value && type ? decodeTopic(type, value) : null,
    };
  });
  return {
    emitter: t.emitter.toLowerCase() as Hex, // lower case, as every address the API answers
    topic0: t.topic0,
    event: event ? eventSignature(event) : null,
    topic1: t.topic1 ?? null,
    topic2: t.topic2 ?? null,
    topic3: t.topic3 ?? null,
    // An event with fewer indexed parameters has no topic there: only name the positions it has or filters on.
    topics: topics.filter((f) => f.value !== null || !event || f.position <= indexed.length),
    checkData: w.checkerKind === "CHAINLINK" ? t.checkData : null,
    error: null,
  };
}

function cronView(w: TriggerSource, now: bigint): CronTriggerView {
  let expression: string;
  try {
    expression = new TextDecoder("utf-8", { fatal: true }).decode(hexToBytes(w.triggerData));
  } catch {
    return { expression: w.triggerData, next: [], error: "trigger data is not UTF-8 text" };
  }
  try {
    const start = w.startTime ?? 0n;
    const end = w.endTime ?? 0n;
    const after = start > now ? start - 1n : now;
    const all = nextTicks(parseCron(expression), after, CRON_TICKS);
    const ticks = all.filter((t) => end === 0n || t <= end);
    const error =
      ticks.length > 0 ? null : all.length > 0 ? "no tick before its end time" : "no tick within the search bound";
    return { expression, next: ticks.map((t) => new Date(Number(t) * 1000).toISOString()), error };
  } catch (error) {
    return { expression, next: [], error: error instanceof Error ? error.message : String(error) };
  }
}

/** The decoded fields that go beside the raw `data`: `log` for LOG workflows, `cron` for CRON ones. */
export function decodeTrigger(w: TriggerSource, now: bigint = nowSeconds()): DecodedTrigger {
  return {
    log: w.triggerKind === "LOG" ? logView(w) : null,
    cron: w.triggerKind === "CRON" ? cronView(w, now) : null,
  };
}

export const isTriggerError = (v: LogTriggerView | TriggerError): v is TriggerError => "error" in v && v.error !== null;
