/**
 * Runs ActionExecutor.simulateBatch with eth_call as of the landing block's timestamp and decodes what
 * each item would do, and the gas the batch needs.
 */
import {
  BaseError,
  type Chain,
  decodeErrorResult,
  encodeFunctionData,
  type Hex,
  type PublicClient,
  type Transport,
} from "viem";
import { actionExecutorAbi } from "../../abis/index.js";

export interface ItemSimulation {
  skipReason: number;
  success: boolean;
  gasUsed: bigint;
  fee: bigint;
  reason: Hex;
}

export interface BatchSimulation {
  results: readonly ItemSimulation[];
  gasRequired: bigint;
}

export class SimulationError extends Error {}

/** The revert data inside a viem error, wherever in the cause chain it sits. */
function revertData(error: unknown): Hex | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const withData = error.walk((e) => typeof (e as { data?: unknown }).data === "string");
  const data = (withData as { data?: unknown } | null)?.data;
  return typeof data === "string" && data.startsWith("0x") ? (data as Hex) : undefined;
}

export function createSimulator(client: PublicClient<Transport, Chain>, executor: Hex) {
  // Nodes that refuse block overrides get "pending" instead (the next block's environment).
  let overrides = true;

  return async function simulate(from: Hex, ids: bigint[], performData: Hex[], time: bigint): Promise<BatchSimulation> {
    const data = encodeFunctionData({
      abi: actionExecutorAbi,
      functionName: "simulateBatch",
      args: [ids, performData],
    });
    for (;;) {
      try {
        await client.call(
          overrides
            ? { account: from, to: executor, data, blockOverrides: { time } }
            : { account: from, to: executor, data, blockTag: "pending" },
        );
      } catch (error) {
        const raw = revertData(error);
        if (!raw) {
          if (overrides) {
            overrides = false;
            continue;
          }
          throw error;
        }
        const decoded = decodeErrorResult({ abi: actionExecutorAbi, data: raw });
        if (decoded.errorName !== "SimulationResult") {
          throw new SimulationError(
            `simulation reverted: ${decoded.errorName}(${(decoded.args ?? []).map(String).join(", ")})`,
          );
        }
        const [results, gasRequired] = decoded.args;
        return { results, gasRequired };
      }
      throw new SimulationError("simulateBatch returned instead of reverting");
    }
  };
}

export type Simulate = ReturnType<typeof createSimulator>;
