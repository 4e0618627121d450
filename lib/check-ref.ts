/**
 * What ties a CONDITION run to the check that asked for it. The head of the item's performData carries
 * the run number the check was answered for (the workflow's run count then, plus one) and the number and
 * hash of the block the checker was asked at. The registry runs the item only while that is still the
 * next run and that block is still on its chain (WorkflowRegistry._checkHolds), so one answer is never
 * performed twice, whoever sends it and however often, and an answer about a history a reorg replaced
 * is never performed at all. The ActionExecutor hands the checker's own performData, after the
 * reference, to the upkeep or the resolver's target.
 */
import { concat, type Hash, type Hex, hexToBigInt, numberToHex, size, slice } from "viem";

/** Bytes of the check reference (WorkflowRegistry.CHECK_REF_BYTES): three words. */
export const CHECK_REF_BYTES = 96;

/** The check a CONDITION run answers: the run it was made for and the block it was asked at. */
export interface CheckRef {
  runNumber: bigint;
  blockNumber: bigint;
  blockHash: Hash;
}

/** A CONDITION item's performData: the check's reference, then the checker's answer. */
export function conditionPerformData(ref: CheckRef, performData: Hex): Hex {
  return concat([
    numberToHex(ref.runNumber, { size: 32 }),
    numberToHex(ref.blockNumber, { size: 32 }),
    ref.blockHash,
    performData,
  ]);
}

/** The reference of a check for run `runNumber` asked at `block`. */
export function checkRefAt(runNumber: bigint, block: { number: bigint; hash: Hash }): CheckRef {
  return { runNumber, blockNumber: block.number, blockHash: block.hash };
}

/** The check reference at the head of a CONDITION item's performData; undefined if it is too short to hold one. */
export function checkRefOf(performData: Hex): CheckRef | undefined {
  if (size(performData) < CHECK_REF_BYTES) return undefined;
  return {
    runNumber: hexToBigInt(slice(performData, 0, 32)),
    blockNumber: hexToBigInt(slice(performData, 32, 64)),
    blockHash: slice(performData, 64, 96),
  };
}
