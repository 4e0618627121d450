/**
 * Read replicas: one `ponder start` indexes into Postgres while a `ponder serve` process, sharing only
 * the database and the schema, answers the API, GraphQL and the explorer. Both give the same workflows
 * and executions, a run indexed after the reader started shows on it too, and the scheduler can read its
 * due set from the reader.
 */
import { encodeFunctionData, parseEther } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import { counterAbi, counterBytecode, reverterAbi, reverterBytecode } from "../../abis/index.js";
import { IndexReader } from "../../executor/scheduler/index-reader.js";
import { timeSpec } from "../../lib/spec.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { type Indexer, startIndexer, startReader } from "../../tools/harness/indexer.js";
import type { PonderProcess } from "../../tools/ponder-process.js";

let chain: Chain;
let writer: Indexer;
let reader: PonderProcess;
beforeAll(async () => {
  chain = await startChain();
  writer = await startIndexer(chain, "postgres");
  reader = await startReader(chain, writer);
}, 180_000);
afterAll(async () => {
  await reader?.stop();
  await writer?.stop();
  await chain?.stop();
});

async function answer(base: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method: body ? "POST" : "GET",
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json() };
}

it("answers the API and GraphQL as the writer does, live", async () => {
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const reverter = await chain.deploy(reverterAbi, reverterBytecode);
  const call = (target: `0x${string}`, data: `0x${string}`) => ({ target, value: 0n, data });
  const good = await chain.register(
    timeSpec([call(counter, encodeFunctionData({ abi: counterAbi, functionName: "increment" }))], 10n),
    parseEther("1"),
  );
  const bad = await chain.register(
    timeSpec([call(reverter, encodeFunctionData({ abi: reverterAbi, functionName: "failWithReason" }))], 10n),
    parseEther("1"),
  );
  await chain.execute(good.id);
  await chain.execute(bad.id);
  await writer.catchUp();

  const paths = [
    `/api/workflows/${good.id}`,
    `/api/workflows/${bad.id}`,
    `/api/workflows/${good.id}/executions`,
    `/api/workflows/${bad.id}/executions`,
    "/api/workflows?limit=10",
    `/api/workflows/${good.id + 1000n}`, // 404 on both
  ];
  const graphql = {
    query: `{ workflows(orderBy: "id") { items { id status runCount successCount failureCount balance } } }`,
  };
  const compare = async () => {
    for (const path of paths) {
      const [w, r] = await Promise.all([answer(writer.url, path), answer(reader.url, path)]);
      expect({ path, ...r }).toEqual({ path, ...w });
    }
    const [w, r] = await Promise.all([
      answer(writer.url, "/graphql", graphql),
      answer(reader.url, "/graphql", graphql),
    ]);
    expect(r).toEqual(w);
    return w.json as { data: { workflows: { items: { id: string; runCount: number }[] } } };
  };
  const before = await compare();
  expect(before.data.workflows.items.map((w) => [w.id, w.runCount])).toEqual([
    [String(good.id), 1],
    [String(bad.id), 1],
  ]);

  // A run indexed after the reader started: the reader reads it from the same tables.
  await chain.setNextTimestamp((await chain.now()) + 11n);
  await chain.execute(good.id);
  await writer.catchUp();
  const after = await compare();
  expect(after.data.workflows.items.map((w) => [w.id, w.runCount])).toEqual([
    [String(good.id), 2],
    [String(bad.id), 1],
  ]);
  // The scheduler can read its due set from the reader (PONDER_URL), over the API and over SQL.
  const horizon = (await chain.now()) + 3600n;
  const due = await new IndexReader(writer.url, chain.deployment.chainId, "api").due(horizon);
  expect(due.map((w) => w.id)).toEqual([bad.id, good.id]);
  expect(await new IndexReader(reader.url, chain.deployment.chainId, "api").due(horizon)).toEqual(due);
  expect(await new IndexReader(reader.url, chain.deployment.chainId, "sql").due(horizon)).toEqual(due);
  expect(await new IndexReader(reader.url, chain.deployment.chainId, "api").indexedBlock()).toBe(
    await new IndexReader(writer.url, chain.deployment.chainId, "api").indexedBlock(),
  );
  // The explorer too: the reader serves the workflow's page.
  const page = await fetch(`${reader.url}/workflows/${good.id}`);
  expect([page.status, (await page.text()).includes("<h2>History</h2>")]).toEqual([200, true]);
}, 120_000);
