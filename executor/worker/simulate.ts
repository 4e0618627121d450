/**
 * Runs ActionExecutor.simulateBatch with eth_call as of the landing block's timestamp and decodes what
 * each item would do, and the gas the batch needs.
 *
 * The landing block's time goes in as a block override. A node that does not take block overrides gets
 * `pending` instead (the next block's environment), but only once a probe has shown that the overrides
 * are what it refuses: an RPC timeout or a 5xx is not that, and must not switch modes for good.
 */
import {
  BaseError,
  type Chain,
  decodeErrorResult,
  encodeFunctionData,
  type Hex,
  InvalidParamsRpcError,
  type PublicClient,
  type Transport,
} from "viem";
import { actionExecutorAbi } from "../../abis/index.js";
import { revertDataOf } from "../../lib/revert-reason.js";
import type { Landing } from "../chain-clock.js";
import { errorText, isTransient, SimulationError, toExecutorError } from "../errors.js";
import type { Logger } from "../log.js";

export interface ItemSimulation {
  skipReason: number;
  success: boolean;
  gasUsed: bigint;
  fee: bigint;
  reason: Hex;
  /** The slot the run would serve (0 when skipped). */
  dueAt: bigint;
}

export interface BatchSimulation {
  results: readonly ItemSimulation[];
  gasRequired: bigint;
}

/** An answer that may mean "this node does not take block overrides" (to be confirmed by a probe). */
function mayRefuseOverrides(error: unknown): boolean {
  if (isTransient(error)) return false;
  if (error instanceof BaseError && error.walk((e) => e instanceof InvalidParamsRpcError)) return true;
  return /override|unknown field|unsupported|not supported|invalid argument|too many arguments|invalid params/i.test(
    errorText(error),
  );
}

export function createSimulator(client: PublicClient<Transport, Chain>, executor: Hex, log: Logger) {
  let overrides = true;

  const call = (from: Hex, data: Hex, landing: Landing, withOverrides: boolean) =>
    client.call(
      withOverrides
        ? { account: from, to: executor, data, blockOverrides: { time: landing.timestamp, number: landing.number } }
        : { account: from, to: executor, data, blockTag: "pending" },
    );

  function decode(raw: Hex): BatchSimulation {
    const decoded = decodeErrorResult({ abi: actionExecutorAbi, data: raw });
    if (decoded.errorName !== "SimulationResult") {
      // Not a run's outcome: the batch as a whole was refused (the signer lost WORKER_ROLE, say).
      throw new SimulationError(
        `simulation reverted: ${decoded.errorName}(${(decoded.args ?? []).map(String).join(", ")})`,
      );
    }
    const [results, gasRequired] = decoded.args;
    return { results, gasRequired };
  }

  /** The same call without overrides: if that answers, the overrides were what the node refused. */
  async function overridesRefused(from: Hex, data: Hex, landing: Landing): Promise<boolean> {
    try {
      await call(from, data, landing, false);
      return false;
    } catch (error) {
      return revertDataOf(error) !== undefined;
    }
  }

  /** `gasPrice`: the price each run's fee is computed at (the most the transaction can pay per gas). */
  return async function simulate(
    from: Hex,
    ids: bigint[],
    performData: Hex[],
    landing: Landing,
    gasPrice: bigint,
  ): Promise<BatchSimulation> {
    const data = encodeFunctionData({
      abi: actionExecutorAbi,
      functionName: "simulateBatch",
      args: [ids, performData, gasPrice],
    });
    try {
      await call(from, data, landing, overrides);
    } catch (error) {
      const raw = revertDataOf(error);
      if (raw) return decode(raw);
      if (overrides && mayRefuseOverrides(error) && (await overridesRefused(from, data, landing))) {
        overrides = false;
        log.warn({ err: errorText(error) }, "the RPC refuses block overrides; simulating against the pending block");
        return simulate(from, ids, performData, landing, gasPrice);
      }
      throw toExecutorError(error);
    }
    throw new SimulationError("simulateBatch returned instead of reverting");
  };
}

export type Simulate = ReturnType<typeof createSimulator>;
