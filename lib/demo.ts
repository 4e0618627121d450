/**
 * The demo workflows `npm run dev` registers: a TIME counter every 5 s, a Chainlink-style interval
 * upkeep, a Gelato-style price task, and one whose target reverts so failures show.
 */
import {
  type Address,
  type Chain,
  encodeFunctionData,
  type Hash,
  type PublicClient,
  parseEther,
  type Transport,
} from "viem";
import {
  counterAbi,
  counterBytecode,
  gelatoStyleResolverAbi,
  gelatoStyleResolverBytecode,
  gelatoStyleTargetAbi,
  gelatoStyleTargetBytecode,
  intervalUpkeepAbi,
  intervalUpkeepBytecode,
  reverterAbi,
  reverterBytecode,
  workflowRegistryAbi,
} from "../abis/index.js";
import type { Wallet } from "./clients.js";
import type { Deployment } from "./deployments.js";
import { registeredId } from "./registered.js";
import { chainlinkSpec, gelatoSpec, timeSpec, type WorkflowSpec } from "./spec.js";

export interface Demo {
  counter: Address;
  upkeep: Address;
  resolver: Address;
  target: Address;
  ids: { counter: bigint; upkeep: bigint; gelato: bigint; failing: bigint };
  /** Moves the demo oracle price, which makes the Gelato-style task due. */
  nudgePrice(): Promise<void>;
}

export async function registerDemo(
  client: PublicClient<Transport, Chain>,
  deployer: Wallet,
  owner: Wallet,
  deployment: Deployment,
): Promise<Demo> {
  const mined = async (hash: Hash) => {
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`demo setup transaction ${hash} reverted`);
    return receipt;
  };
  const deploy = async (abi: readonly unknown[], bytecode: `0x${string}`, args: readonly unknown[] = []) => {
    const receipt = await mined(
      await deployer.deployContract({ abi, bytecode, args } as Parameters<Wallet["deployContract"]>[0]),
    );
    return receipt.contractAddress!;
  };
  const counter = await deploy(counterAbi, counterBytecode);
  const upkeep = await deploy(intervalUpkeepAbi, intervalUpkeepBytecode, [10n]);
  const target = await deploy(gelatoStyleTargetAbi, gelatoStyleTargetBytecode);
  const resolver = await deploy(gelatoStyleResolverAbi, gelatoStyleResolverBytecode, [target]);
  const reverter = await deploy(reverterAbi, reverterBytecode);

  // Each id from its own receipt: anyone else registering meanwhile takes ids a local count would claim.
  const register = async (spec: WorkflowSpec) => {
    const receipt = await mined(
      await owner.writeContract({
        address: deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "register",
        args: [spec],
        value: parseEther("10"),
      }),
    );
    return registeredId(receipt, deployment.registry);
  };
  const call = (to: Address, data: `0x${string}`) => ({ target: to, value: 0n, data });
  const ids = {
    counter: await register(
      timeSpec([call(counter, encodeFunctionData({ abi: counterAbi, functionName: "increment" }))], 5n),
    ),
    upkeep: await register(chainlinkSpec(upkeep)),
    gelato: await register(gelatoSpec(resolver, target, { minInterval: 5n })),
    failing: await register(
      timeSpec([call(reverter, encodeFunctionData({ abi: reverterAbi, functionName: "failWithReason" }))], 7n),
    ),
  };
  let price = 1000n;
  return {
    counter,
    upkeep,
    resolver,
    target,
    ids,
    nudgePrice: async () => {
      price += 7n;
      await mined(
        await deployer.writeContract({
          address: resolver,
          abi: gelatoStyleResolverAbi,
          functionName: "setPrice",
          args: [price],
        }),
      );
    },
  };
}
