/** A workflow named by id and, where it matters, its chain: the one lookup the API and the explorer share. */
import { impliedChain, multiChain } from "./chain.js";
import { AmbiguousWorkflow, notFound } from "./errors.js";
import { findWorkflows, type WorkflowRow } from "./queries.js";

/**
 * On the chain `?chainId=` names, else the only chain when one is configured. With several chains and none
 * named, the workflow if only one chain has that id (links from before several chains keep working), else a
 * 400 naming the chains that have it.
 */
export async function lookupWorkflow(id: bigint, rawChainId: string | undefined): Promise<WorkflowRow> {
  const chainId = impliedChain(rawChainId);
  const rows = await findWorkflows(id, chainId);
  const [found, ...others] = rows;
  if (!found) {
    throw notFound(`workflow ${id} does not exist${multiChain && chainId !== undefined ? ` on chain ${chainId}` : ""}`);
  }
  if (others.length > 0)
    throw new AmbiguousWorkflow(
      id,
      rows.map((w) => w.chainId),
    );
  return found;
}
