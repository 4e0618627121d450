/** Runs ActionExecutor.simulateBatch as the worker and decodes its SimulationResult revert. */
import { BaseError, ContractFunctionRevertedError, type Hex } from "viem";
import { actionExecutorAbi } from "../../abis/index.js";
import type { Chain } from "./chain.js";

export interface SimulatedItem {
  skipReason: number;
  success: boolean;
  gasUsed: bigint;
  fee: bigint;
  reason: Hex;
  dueAt: bigint;
}

export async function simulationOf(
  chain: Chain,
  ids: readonly bigint[],
  performData: readonly Hex[],
  gasPrice = 0n,
): Promise<{ results: readonly SimulatedItem[]; gasRequired: bigint }> {
  try {
    await chain.publicClient.simulateContract({
      account: chain.wallets.worker.account,
      address: chain.deployment.actionExecutor,
      abi: actionExecutorAbi,
      functionName: "simulateBatch",
      args: [ids, performData, gasPrice],
    });
  } catch (error) {
    const reverted =
      error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
    const data = reverted instanceof ContractFunctionRevertedError ? reverted.data : undefined;
    if (data?.errorName !== "SimulationResult") throw error;
    const [results, gasRequired] = data.args as readonly [readonly SimulatedItem[], bigint];
    return { results, gasRequired };
  }
  throw new Error("simulateBatch returned instead of reverting");
}
