/**
 * A LOG trigger's filter as it travels in `Trigger.data`: Chainlink's LogTriggerConfig
 * (emitter, filterSelector, topic0..3) followed by the upkeep's checkData, ABI-encoded as one tuple.
 * filterSelector's bit 0, 1 and 2 say whether topic1, topic2 and topic3 must match (Chainlink's rule):
 * an unfiltered topic matches anything, so a filter on the zero value (a mint's `from`) stays expressible.
 */
import {
  type Address,
  concat,
  decodeAbiParameters,
  encodeAbiParameters,
  type Hex,
  hexToBigInt,
  numberToHex,
  pad,
  parseAbi,
  size,
  slice,
  zeroHash,
} from "viem";

export interface LogFilter {
  emitter: Address;
  topic0: Hex;
  /** topic1..3: undefined matches any value. */
  topic1?: Hex;
  topic2?: Hex;
  topic3?: Hex;
}

export interface LogTrigger extends LogFilter {
  /** The upkeep's checkData (Chainlink log upkeeps); "0x" for action workflows. */
  checkData: Hex;
}

const PARAMS = [
  { type: "address", name: "emitter" },
  { type: "uint8", name: "filterSelector" },
  { type: "bytes32", name: "topic0" },
  { type: "bytes32", name: "topic1" },
  { type: "bytes32", name: "topic2" },
  { type: "bytes32", name: "topic3" },
  { type: "bytes", name: "checkData" },
] as const;

const word = (topic: Hex | undefined): Hex => (topic ? pad(topic, { size: 32 }) : zeroHash);

export function encodeLogTrigger(filter: LogFilter, checkData: Hex = "0x"): Hex {
  const selector = (filter.topic1 ? 1 : 0) | (filter.topic2 ? 2 : 0) | (filter.topic3 ? 4 : 0);
  return encodeAbiParameters(PARAMS, [
    filter.emitter,
    selector,
    word(filter.topic0),
    word(filter.topic1),
    word(filter.topic2),
    word(filter.topic3),
    checkData,
  ]);
}

export function decodeLogTrigger(data: Hex): LogTrigger {
  const [emitter, selector, topic0, topic1, topic2, topic3, checkData] = decodeAbiParameters(PARAMS, data);
  return {
    emitter,
    topic0,
    ...(selector & 1 ? { topic1 } : {}),
    ...(selector & 2 ? { topic2 } : {}),
    ...(selector & 4 ? { topic3 } : {}),
    checkData,
  };
}

/** Whether a log's address and topics pass the filter. */
export function matchesLog(filter: LogFilter, log: { address: Address; topics: readonly Hex[] }): boolean {
  if (log.address.toLowerCase() !== filter.emitter.toLowerCase()) return false;
  const wanted = [filter.topic0, filter.topic1, filter.topic2, filter.topic3];
  return wanted.every((t, i) => t === undefined || log.topics[i]?.toLowerCase() === word(t).toLowerCase());
}

/** What ties a LOG run to its log on chain: the head of the item's performData (LOG_REF_BYTES). */
export interface LogRef {
  blockNumber: bigint;
  blockHash: Hex;
  logIndex: number;
}

/** A LOG item's performData: the log's reference, then (for a Chainlink log upkeep) checkLog's performData. */
export function logPerformData(ref: LogRef, performData: Hex = "0x"): Hex {
  return concat([
    numberToHex(ref.blockNumber, { size: 32 }),
    ref.blockHash,
    numberToHex(ref.logIndex, { size: 32 }),
    performData,
  ]);
}

/** The reference at the head of a LOG item's performData (undefined when it is too short to hold one). */
export function logRefOf(performData: Hex): LogRef | undefined {
  if (size(performData) < 96) return undefined;
  return {
    blockNumber: hexToBigInt(slice(performData, 0, 32)),
    blockHash: slice(performData, 32, 64),
    logIndex: Number(hexToBigInt(slice(performData, 64, 96))),
  };
}

/** Chainlink's log-trigger check, as the indexer asks it (ILogAutomation in contracts/src/interfaces). */
export const checkLogAbi = parseAbi([
  "struct Log { uint256 index; uint256 timestamp; bytes32 txHash; uint256 blockNumber; bytes32 blockHash; address source; bytes32[] topics; bytes data; }",
  "function checkLog(Log log, bytes checkData) returns (bool upkeepNeeded, bytes performData)",
]);

/** Gas a checkLog may burn (Chainlink's check gas limit, as for checkUpkeep). */
export const CHECK_LOG_GAS = 6_500_000n;
/** checkLog performData kept: what fits the executor's MAX_PERFORM_DATA_BYTES default (5,000) after the reference. */
export const MAX_LOG_PERFORM_DATA_BYTES = 5_000 - 96;
