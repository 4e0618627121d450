/**
 * Asks CONDITION workflows' checkers whether to run, the way Chainlink and Gelato do: an eth_call
 * from the zero address (so `cannotExecute`-guarded upkeeps answer), all of them in one JSON-RPC batch.
 *
 * A checker is untrusted code. Each check gets at most CHECK_GAS_LIMIT gas, and an answer whose
 * performData would take the item over MAX_PERFORM_DATA_BYTES (with the check's reference, 32 bytes, at
 * its head: lib/check-ref.ts) is refused (it would go into Redis and into the worker's calldata). A
 * checker refused for gas or size is asked less often while it keeps failing (every 2nd, 4th, ... up to
 * every 32nd block), so one hostile checker cannot slow every block's pass. A revert is an answer ("not
 * now"), counted and asked again next block.
 *
 * A "yes" is tied to the run it answers for and the block it was asked at (lib/check-ref.ts): the chain
 * refuses the job once that run has happened, or once a reorg has replaced that block. Both reads, the
 * checker's answer and the workflow's run count, are asked of the block by its hash, so they describe one
 * state of one chain; asked by number, a reorg between them could pair an answer from the old chain with a
 * block of the new one. The run count is the registry's, not the index's: found by the reorg suite (a
 * ticket performed twice), a check made after a reorg undid a run, while the index still counted that
 * run, was tied to the run after it; the undone run was mined again, and then the stale check was exactly
 * the next run.
 */
import {
  type Address,
  type Chain,
  decodeFunctionResult,
  encodeFunctionData,
  type Hash,
  type Hex,
  type PublicClient,
  size,
  type Transport,
  zeroAddress,
} from "viem";
import { chainlinkStyleUpkeepAbi, gelatoStyleResolverAbi } from "../../abis/index.js";
import { CHECK_REF_BYTES, checkRefAt, conditionPerformData } from "../../lib/check-ref.js";
import type { DueWorkflow } from "../../lib/due-types.js";
import { errorText, isOutOfGas, isTransient } from "../errors.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { runCountAt } from "./run-count.js";

export interface ConditionResult {
  workflow: DueWorkflow;
  /** The checker's performData behind the check's reference: the job's performData as the chain takes it. */
  performData: Hex;
  /** The workflow's run count on the chain at the block the check answered at. */
  runCount: bigint;
}

/** The block a pass of checks is asked at: by hash, so every answer describes that one block. */
export interface CheckBlock {
  number: bigint;
  hash: Hash;
}

/** The block to check at; its hash is looked up when the caller does not know it (the index ahead of our head). */
export type CheckAt = { number: bigint; hash?: Hash };

export interface CheckLimits {
  checkGasLimit: bigint;
  maxPerformDataBytes: number;
  /** The WorkflowRegistry, whose run count ties each "yes" to one run. */
  registry: Address;
}

type Refusal = "reverted" | "gas" | "perform_data_too_large";

/** A checker refused for gas or size is left alone 2, 4, 8, 16, then 32 blocks. */
const MAX_BACKOFF_DOUBLINGS = 5;

/** Why a check failed, or undefined when the RPC failed (not the checker's doing: ask again next block). */
function refusalOf(error: unknown): Refusal | undefined {
  if (isTransient(error)) return undefined;
  return isOutOfGas(error) ? "gas" : "reverted";
}

/** `client` should batch: every call made in the same tick then goes out as one JSON-RPC batch request. */
export function createConditionChecker(
  client: PublicClient<Transport, Chain>,
  limits: CheckLimits,
  log: Logger,
  metrics?: Metrics,
) {
  /** Checkers refused for gas or size: how often in a row, and the block before which they are not asked. */
  const backoff = new Map<bigint, { times: number; until: bigint }>();
  /** The last refusal logged per workflow: each is said once, not every block. */
  const said = new Map<bigint, Refusal>();

  function refuse(workflow: DueWorkflow, reason: Refusal, blockNumber: bigint, detail: Record<string, unknown>) {
    metrics?.checksRefused.inc({ reason });
    if (reason !== "reverted") {
      const times = (backoff.get(workflow.id)?.times ?? 0) + 1;
      backoff.set(workflow.id, { times, until: blockNumber + 2n ** BigInt(Math.min(times, MAX_BACKOFF_DOUBLINGS)) });
    }
    if (said.get(workflow.id) !== reason) {
      said.set(workflow.id, reason);
      log.warn({ workflowId: String(workflow.id), reason, ...detail }, "checker answer refused: no run");
    }
  }

  function answered(workflow: DueWorkflow) {
    backoff.delete(workflow.id);
    said.delete(workflow.id);
  }

  async function check(workflow: DueWorkflow, block: CheckBlock): Promise<ConditionResult | undefined> {
    const blockNumber = block.number;
    const chainlink = workflow.checkerKind === "CHAINLINK";
    const data = chainlink
      ? encodeFunctionData({ abi: chainlinkStyleUpkeepAbi, functionName: "checkUpkeep", args: [workflow.triggerData] })
      : encodeFunctionData({ abi: gelatoStyleResolverAbi, functionName: "checker" });
    let returned: Hex | undefined;
    try {
      ({ data: returned } = await client.call({
        account: zeroAddress,
        to: workflow.checker,
        data,
        blockHash: block.hash,
        gas: limits.checkGasLimit,
      }));
    } catch (error) {
      const reason = refusalOf(error);
      // The revert data can be 100 kB: the log gets its first characters.
      if (reason) refuse(workflow, reason, blockNumber, { err: errorText(error).slice(0, 200) });
      else log.debug({ workflowId: String(workflow.id), err: errorText(error).slice(0, 200) }, "checker call failed");
      return undefined;
    }
    if (!returned) return undefined;
    // Refused before decoding (a megabyte is not worth copying): the answer's encoding adds 3 words at most.
    if (size(returned) > limits.maxPerformDataBytes + 96) {
      refuse(workflow, "perform_data_too_large", blockNumber, {
        bytes: size(returned),
        max: limits.maxPerformDataBytes,
      });
      return undefined;
    }
    const max = limits.maxPerformDataBytes - CHECK_REF_BYTES;
    try {
      const [needed, performData] = chainlink
        ? decodeFunctionResult({ abi: chainlinkStyleUpkeepAbi, functionName: "checkUpkeep", data: returned })
        : decodeFunctionResult({ abi: gelatoStyleResolverAbi, functionName: "checker", data: returned });
      if (needed && size(performData) > max) {
        refuse(workflow, "perform_data_too_large", blockNumber, { bytes: size(performData), max });
        return undefined;
      }
      answered(workflow);
      if (!needed) return undefined;
      const runCount = await runCountOf(workflow, block);
      if (runCount === undefined) return undefined;
      return { workflow, performData: conditionPerformData(checkRefAt(runCount + 1n, block), performData), runCount };
    } catch (error) {
      refuse(workflow, "reverted", blockNumber, { err: `undecodable answer: ${errorText(error).slice(0, 200)}` });
      return undefined;
    }
  }

  /** `at` with its hash, or undefined if the RPC did not answer (the pass is tried again next block). */
  async function blockOf(at: CheckAt): Promise<CheckBlock | undefined> {
    if (at.hash) return { number: at.number, hash: at.hash };
    try {
      const { hash } = await client.getBlock({ blockNumber: at.number });
      return { number: at.number, hash };
    } catch (error) {
      log.debug({ block: String(at.number), err: errorText(error).slice(0, 200) }, "check block unread");
      return undefined;
    }
  }

  /** The workflow's run count at `block`, or undefined if the RPC did not answer (asked again next block). */
  async function runCountOf(workflow: DueWorkflow, block: CheckBlock): Promise<bigint | undefined> {
    try {
      return await runCountAt(client, limits.registry, workflow.id, block.hash);
    } catch (error) {
      log.debug({ workflowId: String(workflow.id), err: errorText(error).slice(0, 200) }, "run count unread");
      return undefined;
    }
  }

  return {
    /** The workflows whose condition holds at `block`, with the perform data their checker returned. */
    async due(workflows: DueWorkflow[], at: CheckAt): Promise<ConditionResult[]> {
      const asked = workflows.filter((w) => (backoff.get(w.id)?.until ?? 0n) <= at.number);
      if (asked.length === 0) return [];
      const block = await blockOf(at);
      if (!block) return [];
      const results = await Promise.all(asked.map((w) => check(w, block)));
      return results.filter((r): r is ConditionResult => r !== undefined);
    },
  };
}
