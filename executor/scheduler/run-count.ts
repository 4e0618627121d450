/**
 * A workflow's run count as of one block, read by that block's hash: what a CONDITION check is tied to
 * (lib/check-ref.ts), so a reorg can never answer for another history. The scheduler's checks and
 * `npm run push-job` both tie their answers with it.
 */
import type { Address, Hash, PublicClient } from "viem";
import { workflowRegistryAbi } from "../../abis/index.js";

export async function runCountAt(
  client: Pick<PublicClient, "readContract">,
  registry: Address,
  workflowId: bigint,
  blockHash: Hash,
): Promise<bigint> {
  const [, , , , runCount] = await client.readContract({
    address: registry,
    abi: workflowRegistryAbi,
    functionName: "getWorkflow",
    args: [workflowId],
    blockHash,
  });
  return runCount;
}
