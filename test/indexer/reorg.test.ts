/**
 * A run that leaves the canonical chain leaves the API too: Ponder indexes it, the chain is reverted
 * under the running Ponder and re-mined differently, and the run disappears from every answer.
 */
import { encodeFunctionData, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { counterAbi, counterBytecode } from "../../abis/index.js";
import { timeSpec } from "../../lib/spec.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { type DatabaseKind, type Indexer, startIndexer } from "../../tools/harness/indexer.js";
import { sleep } from "../../tools/harness/wait.js";

type Body = Record<string, unknown> & { items?: Record<string, unknown>[] };

let chain: Chain;
beforeAll(async () => {
  chain = await startChain();
});
afterAll(() => chain?.stop());

describe.each<DatabaseKind>(["pglite", "postgres"])("reorg on %s", (kind) => {
  let ix: Indexer;
  beforeAll(async () => {
    ix = await startIndexer(chain, kind);
  });
  afterAll(() => ix?.stop());

  it("drops a run that left the canonical chain from the index and the API", async () => {
    const counter = await chain.deploy(counterAbi, counterBytecode);
    const inc = {
      target: counter,
      value: 0n,
      data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }),
    };
    const { id } = await chain.register(timeSpec([inc], 3600n), parseEther("1"));
    await ix.catchUp();
    const snapshot = await chain.testClient.snapshot();

    const { receipt } = await chain.execute(id);
    await chain.testClient.mine({ blocks: 2 });
    await ix.catchUp();
    const before = await ix.get<Body>(`/api/workflows/${id}/executions`);
    expect(before.body.items?.map((r) => r.txHash)).toEqual([receipt.transactionHash]);
    expect((await ix.get(`/api/tx/${receipt.transactionHash}`)).status).toBe(200);

    // Replace the blocks holding the run with a longer fork that does not contain it.
    await chain.testClient.revert({ id: snapshot });
    await chain.testClient.mine({ blocks: 6 });
    await ix.catchUp();

    const deadline = Date.now() + 20_000;
    let after = await ix.get<Body>(`/api/workflows/${id}/executions`);
    while (after.body.items?.length && Date.now() < deadline) {
      await sleep(250);
      after = await ix.get<Body>(`/api/workflows/${id}/executions`);
    }
    expect(after.body.items).toEqual([]);
    expect((await ix.get(`/api/tx/${receipt.transactionHash}`)).status).toBe(404);
    expect((await ix.get<Body>(`/api/workflows/${id}`)).body).toMatchObject({
      counts: { runs: 0, succeeded: 0 },
      lastRun: null,
      balance: parseEther("1").toString(),
    });
    expect(ix.output()).toMatch(/reorg/i);
  });
});
