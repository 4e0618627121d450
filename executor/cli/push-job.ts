/**
 * npm run push-job -- <workflowId> [--perform-data 0x…] [--chain <id>]
 * Injects a run job by hand for a workflow's current due slot (read from the index), with the same
 * deterministic id the scheduler would use, so it can never double a run. --chain names the workflow's
 * chain when the deployment serves several (CHAINS).
 */
import { and, eq } from "drizzle-orm";
import { createPublicClient, type Hex, isHex } from "viem";
import { chainFor } from "../../lib/chains.js";
import { checkRefAt, conditionPerformData } from "../../lib/check-ref.js";
import { ConfigError, runMain } from "../../lib/env.js";
import { chainArg, type Network, oneNetwork } from "../../lib/network.js";
import { liveStateOf, slotJob } from "../../lib/queue.js";
import { loadConfig } from "../config.js";
import { createQueue } from "../queue.js";
import { rpcTransport } from "../rpc.js";
import { runCountAt } from "../scheduler/run-count.js";
import { resolveQueuePrefix } from "./find-queue.js";

/**
 * A hand-given CONDITION answer, tied as the scheduler's checks are (lib/check-ref.ts): to the chain's
 * latest block and the run that comes next there.
 */
async function tiedToHead(network: Network, workflowId: bigint, performData: Hex, timeoutMs: number): Promise<Hex> {
  const client = createPublicClient({
    chain: chainFor(network.chainId, network.rpcUrl),
    transport: rpcTransport(network.rpcUrls, { timeoutMs, rankIntervalMs: 10_000 }),
  });
  const block = await client.getBlock();
  const runCount = await runCountAt(client, network.registry, workflowId, block.hash);
  return conditionPerformData(checkRefAt(runCount + 1n, block), performData);
}

runMain(async () => {
  const { chain, rest: args } = chainArg(process.argv.slice(2));
  const [idArg, ...rest] = args;
  if (!idArg || !/^\d+$/.test(idArg) || BigInt(idArg) < 1n) {
    throw new ConfigError("usage: npm run push-job -- <workflowId> [--perform-data 0x…] [--chain <id>]");
  }
  const i = rest.indexOf("--perform-data");
  const performData = i >= 0 ? rest[i + 1] : "0x";
  if (!performData || !isHex(performData)) throw new ConfigError("--perform-data: must be 0x-prefixed hex");

  const config = loadConfig("scheduler", process.env, { chain });
  const network = oneNetwork(config.networks, undefined);
  const { chainId } = network;
  // import(): both are published as ES modules only, and npm run build compiles this tool to CommonJS.
  const [{ createClient }, schema] = await Promise.all([import("@ponder/client"), import("../../ponder.schema.js")]);
  const client = createClient(`${config.ponderUrl}/sql`, { schema });
  const [w] = await client.db
    .select()
    .from(schema.workflow)
    .where(and(eq(schema.workflow.chainId, chainId), eq(schema.workflow.id, BigInt(idArg))));
  if (!w) throw new Error(`workflow ${idArg} is not in the index of chain ${chainId} at ${config.ponderUrl}`);
  if (w.status !== "ACTIVE") throw new Error(`workflow ${idArg} is ${w.status}; only ACTIVE workflows run`);

  const { prefix, note } = await resolveQueuePrefix(config, chainId);
  if (note) console.error(note);
  const queue = createQueue({ ...config, queuePrefix: prefix, chainId });
  try {
    const condition = w.triggerKind === "CONDITION";
    const tied = condition ? await tiedToHead(network, w.id, performData, config.rpcTimeoutMs) : performData;
    const { jobId: id, data } = slotJob(chainId, w, w.nextExecutionAt, tied);
    const existing = await queue.getJob(id);
    if (existing) {
      const state = liveStateOf(await existing.getState(), existing);
      console.log(`job ${id} already exists (${state.state}); nothing pushed`);
      return;
    }
    await queue.add("run", data, { jobId: id });
    console.log(`pushed job ${id} (workflow ${w.id}, due ${new Date(Number(w.nextExecutionAt) * 1000).toISOString()})`);
  } finally {
    await queue.close();
  }
});
