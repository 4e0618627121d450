/**
 * CONDITION workflows: a Chainlink-style upkeep and a Gelato-style resolver run when their condition
 * turns true (as seen by an eth_call from the zero address), and not otherwise.
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
} from "../../abis/index.js";
import { chainlinkSpec, gelatoSpec } from "../../lib/spec.js";
import { type ExecutorProcess, spawnExecutor } from "../helpers/executor.js";
import { type Stack, startStack } from "../helpers/stack.js";
import { sleep, until } from "../helpers/wait.js";

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
