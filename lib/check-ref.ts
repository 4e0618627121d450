/**
 * What ties a CONDITION run to the check that asked for it: the head of the item's performData carries
 * the run number the check was answered for (the workflow's run count then, plus one). The registry runs
 * the item only while that is still the next run (WorkflowRegistry._checkHolds), so one answer is never
 * performed twice, whoever sends it and however often. The ActionExecutor hands the checker's own
 * performData, after the reference, to the upkeep or the resolver's target.
 */
import { concat, type Hex, numberToHex } from "viem";

/** Bytes of the check reference (WorkflowRegistry.CHECK_REF_BYTES). */
export const CHECK_REF_BYTES = 32;

/** A CONDITION item's performData: the check's reference, then the checker's answer. */
export function conditionPerformData(runNumber: bigint, performData: Hex): Hex {
  return concat([numberToHex(runNumber, { size: CHECK_REF_BYTES }), performData]);
}
