/**
 * The demo workflows `npm run dev` registers: a TIME counter every 5 s, a Chainlink-style interval
 * upkeep, a Gelato-style price task, one whose target reverts so failures show, a LOG workflow that
 * counts the demo emitter's pings, and a CRON workflow every minute.
 */
import {
  type Address,
  type Chain,
  encodeFunctionData,
  type Hash,
  type PublicClient,
  parseEther,
  type Transport,
  toEventSelector,
} from "viem";
import {
  counterAbi,
  counterBytecode,
  emitterAbi,
  emitterBytecode,
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
import type { Deployment } from "../lib/deployments.js";
import { chainlinkSpec, cronSpec, gelatoSpec, logSpec, timeSpec, type WorkflowSpec } from "../lib/spec.js";
import type { Wallet } from "./clients.js";
import { registeredId, withRegisterHeadroom } from "./registered.js";

export interface Demo {
  counter: Address;
  upkeep: Address;
  resolver: Address;
  target: Address;
  emitter: Address;
  ids: { counter: bigint; upkeep: bigint; gelato: bigint; failing: bigint; onPing: bigint; cron: bigint };
  /** Moves the demo oracle price, which makes the Gelato-style task due. */
  nudgePrice(): Promise<void>;
  /** Emits a Ping from the demo emitter: the LOG workflow runs once for it. */
  ping(): Promise<void>;
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
  const emitter = await deploy(emitterAbi, emitterBytecode);

  // Each id from its own receipt: anyone else registering meanwhile takes ids a local count would claim.
  const register = async (spec: WorkflowSpec) => {
    const call = {
      address: deployment.registry,
      abi: workflowRegistryAbi,
      functionName: "register",
      args: [spec],
      value: parseEther("10"),
    } as const;
    const gas = withRegisterHeadroom(await client.estimateContractGas({ ...call, account: owner.account }));
    const receipt = await mined(await owner.writeContract({ ...call, gas }));
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
    onPing: await register(
      logSpec({ emitter, topic0: toEventSelector("Ping(address,uint256,uint256,bytes)") }, [
        call(counter, encodeFunctionData({ abi: counterAbi, functionName: "add", args: [100n] })),
      ]),
    ),
    cron: await register(
      cronSpec("* * * * *", [
        call(counter, encodeFunctionData({ abi: counterAbi, functionName: "add", args: [1000n] })),
      ]),
    ),
  };
  let price = 1000n;
  return {
    counter,
    upkeep,
    resolver,
    target,
    emitter,
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
    ping: async () => {
      await mined(
        await deployer.writeContract({ address: emitter, abi: emitterAbi, functionName: "ping", args: [0n, "0x"] }),
      );
    },
  };
}
