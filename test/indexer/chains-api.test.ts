/**
 * GET /api/chains when the chain's RPC misbehaves, against a real anvil behind a fault proxy and a real
 * Ponder (PGlite): the head is null with a reason and the indexed block still shows; never a 500, and
 * never the RPC's URL, whose path here holds a key as a hosted endpoint's does.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { type Indexer, startIndexer } from "../../tools/harness/indexer.js";
import { type FaultProxy, startFaultProxy } from "../../tools/harness/rpc-proxy.js";

const KEY = "k3y-6f1d2c9a0b";

interface ChainItem {
  chainId: number;
  name: string;
  headBlock: string | null;
  indexedBlock: string | null;
  lag: number | null;
  error: string | null;
}

let chain: Chain;
let proxy: FaultProxy;
let ix: Indexer;

beforeAll(async () => {
  chain = await startChain();
  proxy = await startFaultProxy(chain.anvil.rpcUrl);
  ix = await startIndexer(chain, "pglite", { RPC_URL: `${proxy.url}/v3/${KEY}` });
  await ix.catchUp();
});
afterAll(async () => {
  await ix?.stop();
  await proxy?.close();
  await chain?.stop();
});

/** /api/chains once the last answer's second is over (heads are asked at most once a second). */
async function chains(): Promise<{ status: number; item: ChainItem; text: string }> {
  await sleep(1_100);
  const res = await fetch(`${ix.url}/api/chains`);
  const text = await res.text();
  const body = JSON.parse(text) as { items: ChainItem[] };
  expect(body.items).toHaveLength(1);
  return { status: res.status, item: body.items[0]!, text };
}

it("answers a null head and why when the RPC does not, with the indexed block, never a 500 nor the URL", async () => {
  const healthy = await chains();
  expect(healthy.item).toMatchObject({ chainId: chain.deployment.chainId, error: null });
  expect(healthy.item.headBlock).toMatch(/^\d+$/);
  const indexed = healthy.item.indexedBlock;
  expect(indexed).toMatch(/^\d+$/);

  const faults: [string, () => Promise<void> | void, string][] = [
    ["refused", () => proxy.down("refuse"), "RPC unreachable"],
    ["HTTP 401", () => proxy.set({ errorRate: 1, errorStatuses: [401] }), "RPC answered HTTP 401"],
    ["no answer", () => proxy.down("hang"), "RPC did not answer within 2 s"],
  ];
  try {
    for (const [fault, start, error] of faults) {
      await start();
      const { status, item, text } = await chains();
      expect([fault, status, item.headBlock, item.lag, item.error]).toEqual([fault, 200, null, null, error]);
      expect(item.indexedBlock).toMatch(/^\d+$/);
      for (const secret of [KEY, proxy.url, String(proxy.port)]) expect(text).not.toContain(secret);
      proxy.clear();
      await proxy.up();
    }
  } finally {
    proxy.clear();
    await proxy.up();
  }
  // Back: the head again, the index caught up.
  await chain.testClient.mine({ blocks: 1 });
  await ix.catchUp();
  const back = await chains();
  expect(back.item.error).toBeNull();
  expect(BigInt(back.item.headBlock ?? "0")).toBeGreaterThanOrEqual(BigInt(back.item.indexedBlock ?? "0"));
  expect(BigInt(back.item.indexedBlock ?? "0")).toBeGreaterThan(BigInt(indexed ?? "0"));
});
