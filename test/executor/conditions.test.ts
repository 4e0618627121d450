/**
 * CONDITION workflows: a Chainlink-style upkeep and a Gelato-style resolver run when their condition
 * turns true (as seen by an eth_call from the zero address), and not otherwise; and one check's answer
 * is performed once, even when a copy of its job is sent while the first transaction is still pending.
 */
import { type Address, parseEther } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  chainlinkStyleUpkeepAbi,
  chainlinkStyleUpkeepBytecode,
  gelatoStyleResolverAbi,
  gelatoStyleResolverBytecode,
  gelatoStyleTargetAbi,
  gelatoStyleTargetBytecode,
  ticketUpkeepAbi,
  ticketUpkeepBytecode,
} from "../../abis/index.js";
import { createLogger } from "../../executor/log.js";
import { createConditionChecker } from "../../executor/scheduler/conditions.js";
import { IndexReader } from "../../executor/scheduler/index-reader.js";
import { CHECK_REF_BYTES, checkRefAt, conditionPerformData } from "../../lib/check-ref.js";
import { chainlinkSpec, gelatoSpec, SkipReason } from "../../lib/spec.js";
import { type ExecutorProcess, spawnExecutor } from "../../tools/harness/executor.js";
import { type Stack, startStack } from "../../tools/harness/stack.js";
import { sleep, until } from "../../tools/harness/wait.js";

let stack: Stack;
let executor: ExecutorProcess;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await executor?.kill();
  await stack?.stop();
});

it("runs Chainlink- and Gelato-style workflows exactly when their condition holds", async () => {
  const { chain } = stack;
  const upkeep = await chain.deploy(chainlinkStyleUpkeepAbi, chainlinkStyleUpkeepBytecode, [10n]);
  const target = await chain.deploy(gelatoStyleTargetAbi, gelatoStyleTargetBytecode);
  const resolver = await chain.deploy(gelatoStyleResolverAbi, gelatoStyleResolverBytecode, [target]);
  await chain.register(chainlinkSpec(upkeep, { checkData: "0xbeef" }), parseEther("1"));
  const { forwarder } = await chain.register(gelatoSpec(resolver, target), parseEther("1"));
  const write = async (
    address: Address,
    abi: typeof chainlinkStyleUpkeepAbi | typeof gelatoStyleResolverAbi | typeof gelatoStyleTargetAbi,
    functionName: string,
    args: unknown[],
  ) =>
    chain.mined(
      await chain.wallets.stranger.writeContract({ address, abi, functionName, args } as Parameters<
        typeof chain.wallets.stranger.writeContract
      >[0]),
    );
  await write(target, gelatoStyleTargetAbi, "setDedicatedCaller", [forwarder]);
  await stack.intervalMining(1);
  executor = spawnExecutor(await stack.env());
  await executor.waitForLog(/"index ready; scheduling"/);

  const performed = () =>
    chain.publicClient.readContract({ address: upkeep, abi: chainlinkStyleUpkeepAbi, functionName: "performed" });
  const updates = () =>
    chain.publicClient.readContract({ address: target, abi: gelatoStyleTargetAbi, functionName: "updates" });

  // Neither condition holds: several blocks pass and nothing runs.
  await sleep(5000);
  expect([await performed(), await updates()]).toEqual([0n, 0n]);

  // The upkeep's condition turns true: it runs once, and its perform resets the condition.
  await write(upkeep, chainlinkStyleUpkeepAbi, "setValue", [12n]);
  await until("the upkeep to be performed", async () => (await performed()) === 1n);
  // The resolver's condition turns true: the target gets the payload, from the forwarder.
  await write(resolver, gelatoStyleResolverAbi, "setPrice", [1234n]);
  await until("the resolver's payload to run", async () => (await updates()) === 1n);
  expect(
    await chain.publicClient.readContract({ address: target, abi: gelatoStyleTargetAbi, functionName: "lastPrice" }),
  ).toBe(1234n);

  // Both conditions are false again: more blocks pass and nothing more runs.
  await sleep(5000);
  expect([await performed(), await updates()]).toEqual([1n, 1n]);

  // And true again: each runs again, once.
  await write(upkeep, chainlinkStyleUpkeepAbi, "setValue", [50n]);
  await until("the second perform", async () => (await performed()) === 2n);
  await sleep(3000);
  expect(await performed()).toBe(2n);
  expect(await executor.stop()).toBe(0);
}, 120_000);

it("ties a check to the run count on the chain at its block, not the index's, which a reorg leaves ahead", async () => {
  // Found by the reorg suite (a ticket performed twice): a reorg undid a run; the index, not yet past the
  // reorg, still counted it, and a check made on the new chain (the ticket open again) was tied to the
  // run after it. The undone run was mined again, and the stale check then ran as that next run.
  const { chain, indexer } = stack;
  const ticketAt = await chain.now();
  const upkeep = await chain.deploy(ticketUpkeepAbi, ticketUpkeepBytecode, [3600n, ticketAt]);
  const { id } = await chain.register(chainlinkSpec(upkeep, { gasLimit: 150_000 }), parseEther("1"));
  await indexer.catchUp();
  const performs = () =>
    chain.publicClient.readContract({
      address: upkeep,
      abi: ticketUpkeepAbi,
      functionName: "performs",
      args: [ticketAt],
    });
  const checker = createConditionChecker(
    chain.publicClient,
    { checkGasLimit: 6_500_000n, maxPerformDataBytes: 5_000, registry: chain.deployment.registry },
    createLogger("silent"),
  );
  const checkAtHead = async () => {
    const reader = new IndexReader(indexer.url, chain.deployment.chainId);
    const [row] = (await reader.due((await chain.now()) + 60n)).filter((w) => w.id === id);
    expect(row).toBeDefined();
    return { row: row!, hits: await checker.due([row!], await chain.publicClient.getBlock()) };
  };

  // Run 1 performs the ticket; the index sees it.
  const before = await chain.testClient.snapshot();
  const first = await checkAtHead();
  expect(first.hits.map((h) => h.runCount)).toEqual([0n]);
  const run1 = first.hits[0]!.performData;
  expect((await chain.execute(id, run1)).executed?.runNumber).toBe(1n);
  await chain.testClient.mine({ blocks: 2 });
  await indexer.catchUp();
  const indexed = await new IndexReader(indexer.url, chain.deployment.chainId).due((await chain.now()) + 60n);
  expect(indexed.find((w) => w.id === id)?.runCount).toBe(1);

  // A reorg undoes run 1 while the index is frozen: it still counts run 1, the ticket is open again.
  indexer.process.kill("SIGSTOP");
  try {
    await chain.testClient.revert({ id: before });
    await chain.testClient.mine({ blocks: 3 });
    const row = indexed.find((w) => w.id === id)!;
    const block = await chain.publicClient.getBlock();
    const hits = await checker.due([row], block);
    expect(hits.map((h) => h.runCount)).toEqual([0n]);
    // The undone run is mined again (as the worker re-sends it at its nonce), then the new check's job.
    expect((await chain.execute(id, run1)).executed?.runNumber).toBe(1n);
    const stale = await chain.execute(id, hits[0]!.performData);
    expect([stale.executed, stale.skipped?.reason]).toEqual([undefined, SkipReason.STALE_CHECK]);
    expect(await performs()).toBe(1n);
    // Tied by the index's count instead (the rule before), the same answer is the next run: it performs
    // the ticket a second time.
    const answer = `0x${hits[0]!.performData.slice(2 + 2 * CHECK_REF_BYTES)}` as const;
    const byIndex = await chain.execute(id, conditionPerformData(checkRefAt(BigInt(row.runCount) + 1n, block), answer));
    expect([byIndex.executed?.runNumber, await performs()]).toEqual([2n, 2n]);
  } finally {
    indexer.process.kill("SIGCONT");
  }
  await indexer.catchUp();
}, 90_000);

it("performs a check once when Redis loses its job while the run's transaction is pending, and loses nothing", async () => {
  // Found by the chaos suite (a ticket performed twice around its fee spike): a transaction still pending
  // past TX_TIMEOUT_MS no longer holds its workflow in the worker, and a copy of the job (here: Redis lost
  // every job, and the scheduler asked the checker again) was checked against the chain without that run,
  // sent at the next nonce, and both were mined. TicketUpkeep performs whatever ticket it is handed, so
  // the count of performs per ticket shows every run the keeper got wrong.
  const { chain } = stack;
  await stack.intervalMining(1);
  const firstAt = (await chain.now()) + 10n;
  const upkeep = await chain.deploy(ticketUpkeepAbi, ticketUpkeepBytecode, [3n, firstAt]);
  const { id } = await chain.register(chainlinkSpec(upkeep, { gasLimit: 150_000 }), parseEther("1"));
  executor = spawnExecutor(await stack.env({ TX_TIMEOUT_MS: "2000" }));
  await executor.waitForLog(/"index ready; scheduling"/);
  // Mining stops before the ticket is due; one empty block at its time makes the condition true.
  await chain.testClient.setIntervalMining({ interval: 0 });
  await sleep(1500); // a block that was being mined when the interval stopped
  expect((await chain.now()) < firstAt).toBe(true);
  await chain.setNextTimestamp(firstAt);
  await chain.testClient.mine({ blocks: 1 });
  const read = <F extends "nextAt" | "performs">(functionName: F, args: [] | [bigint] = []) =>
    chain.publicClient.readContract({
      address: upkeep,
      abi: ticketUpkeepAbi,
      functionName,
      args,
    } as never) as Promise<bigint>;
  expect(await read("nextAt")).toBe(firstAt);

  // The run goes out and sits in the mempool past TX_TIMEOUT_MS; then Redis loses every job.
  await executor.waitForLog(/"transaction not mined within TX_TIMEOUT_MS"/, 30_000);
  const keys = await stack.redis.keys(`${stack.queuePrefix}:*`);
  expect(keys.length).toBeGreaterThan(0);
  await stack.redis.del(...keys);
  // The scheduler notices (its next pass, at most FULL_PASS_MS without blocks), asks the checker, which
  // still says "run" (the run is not mined), and the worker sends the copy: a second transaction.
  await executor.waitForLog(/"batch sent"[\s\S]*"batch sent"/, 60_000);
  expect(await read("performs", [firstAt])).toBe(0n);

  // Mining resumes: both transactions are mined; the ticket is performed once.
  await stack.intervalMining(1);
  await until("the run", async () => (await chain.workflow(id)).runCount >= 1n, 20_000);
  const next = await read("nextAt");
  // Nothing lost either: the next ticket (3 s on) is performed, once.
  await until("the next ticket", async () => (await read("performs", [next])) >= 1n, 30_000);
  await sleep(3000);
  expect([await read("performs", [firstAt]), await read("performs", [next])]).toEqual([1n, 1n]);
  expect(executor.output()).toMatch(/"reason":"STALE_CHECK"[^\n]*"nothing to run"|"nothing to run"[^\n]*"STALE_CHECK"/);
  expect(await executor.stop()).toBe(0);
}, 180_000);
