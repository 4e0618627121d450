/** Deploys and wires the four contracts; shared by `npm run deploy`, `npm run dev` and the tests. */
import { type Address, type Chain, getAddress, type Hash, type PublicClient, type Transport } from "viem";
import {
  actionExecutorAbi,
  actionExecutorBytecode,
  feeEscrowAbi,
  feeEscrowBytecode,
  workflowRegistryAbi,
  workflowRegistryBytecode,
} from "../abis/index.js";
import type { Deployment } from "../lib/deployments.js";
import type { Wallet } from "./clients.js";
import { EXECUTOR_ROLE, WORKER_ROLE } from "./roles.js";

export interface DeployOptions {
  /** Premium on top of gas cost, in basis points (default 2000 = +20%). */
  premiumBps?: number;
  /** Flat fee per run in wei (default 0). */
  flatFee?: bigint;
  /** Workers to grant WORKER_ROLE right away. */
  workers?: Address[];
}

export async function deployAutokeeper(
  publicClient: PublicClient<Transport, Chain>,
  wallet: Wallet,
  options: DeployOptions = {},
): Promise<Deployment> {
  const admin = wallet.account.address;
  const mined = async (hash: Hash) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`deployment transaction ${hash} reverted`);
    return receipt;
  };
  const deployed = async (hash: Hash): Promise<{ address: Address; block: bigint }> => {
    const receipt = await mined(hash);
    if (!receipt.contractAddress) throw new Error(`transaction ${hash} created no contract`);
    return { address: getAddress(receipt.contractAddress), block: receipt.blockNumber };
  };

  const registry = await deployed(
    await wallet.deployContract({ abi: workflowRegistryAbi, bytecode: workflowRegistryBytecode, args: [admin] }),
  );
  const escrow = await deployed(
    await wallet.deployContract({
      abi: feeEscrowAbi,
      bytecode: feeEscrowBytecode,
      args: [admin, registry.address, options.premiumBps ?? 2000, options.flatFee ?? 0n],
    }),
  );
  const executor = await deployed(
    await wallet.deployContract({
      abi: actionExecutorAbi,
      bytecode: actionExecutorBytecode,
      args: [admin, registry.address, escrow.address],
    }),
  );
  await mined(
    await wallet.writeContract({
      address: registry.address,
      abi: workflowRegistryAbi,
      functionName: "wire",
      args: [escrow.address, executor.address],
    }),
  );
  await mined(
    await wallet.writeContract({
      address: escrow.address,
      abi: feeEscrowAbi,
      functionName: "grantRole",
      args: [EXECUTOR_ROLE, executor.address],
    }),
  );
  for (const worker of options.workers ?? []) {
    await mined(
      await wallet.writeContract({
        address: executor.address,
        abi: actionExecutorAbi,
        functionName: "grantRole",
        args: [WORKER_ROLE, worker],
      }),
    );
  }
  const forwarderImplementation = await publicClient.readContract({
    address: executor.address,
    abi: actionExecutorAbi,
    functionName: "forwarderImplementation",
  });
  return {
    chainId: publicClient.chain.id,
    registry: registry.address,
    actionExecutor: executor.address,
    feeEscrow: escrow.address,
    forwarderImplementation,
    startBlock: Number(registry.block),
    deployer: admin,
  };
}
