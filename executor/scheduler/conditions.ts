/**
 * Asks CONDITION workflows' checkers whether to run, the way Chainlink and Gelato do: an eth_call
 * from the zero address (so `cannotExecute`-guarded upkeeps answer), all of them in one JSON-RPC batch.
 */
import {
  type Chain,
  decodeFunctionResult,
  encodeFunctionData,
  type Hex,
  type PublicClient,
  type Transport,
  zeroAddress,
} from "viem";
import { chainlinkStyleUpkeepAbi, gelatoStyleResolverAbi } from "../../abis/index.js";
import type { DueWorkflow } from "../../lib/due.js";
import type { Logger } from "../log.js";

export interface ConditionResult {
  workflow: DueWorkflow;
  performData: Hex;
}

/** `client` should batch: every call made in the same tick then goes out as one JSON-RPC batch request. */
export function createConditionChecker(client: PublicClient<Transport, Chain>, log: Logger) {
  async function check(workflow: DueWorkflow, blockNumber: bigint): Promise<ConditionResult | undefined> {
    const chainlink = workflow.checkerKind === "CHAINLINK";
    const data = chainlink
      ? encodeFunctionData({ abi: chainlinkStyleUpkeepAbi, functionName: "checkUpkeep", args: [workflow.triggerData] })
      : encodeFunctionData({ abi: gelatoStyleResolverAbi, functionName: "checker" });
    try {
      const { data: returned } = await client.call({ account: zeroAddress, to: workflow.checker, data, blockNumber });
      if (!returned) return undefined;
      const [needed, performData] = chainlink
        ? decodeFunctionResult({ abi: chainlinkStyleUpkeepAbi, functionName: "checkUpkeep", data: returned })
        : decodeFunctionResult({ abi: gelatoStyleResolverAbi, functionName: "checker", data: returned });
      return needed ? { workflow, performData } : undefined;
    } catch (error) {
      log.debug({ workflowId: String(workflow.id), err: (error as Error).message }, "checker call failed");
      return undefined;
    }
  }

  return {
    /** The workflows whose condition holds at `blockNumber`, with the perform data their checker returned. */
    async due(workflows: DueWorkflow[], blockNumber: bigint): Promise<ConditionResult[]> {
      const results = await Promise.all(workflows.map((w) => check(w, blockNumber)));
      return results.filter((r): r is ConditionResult => r !== undefined);
    },
  };
}
