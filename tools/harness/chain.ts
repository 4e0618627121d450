/**
 * A fresh anvil with Autokeeper deployed, plus the handful of actions every contract test needs.
 * One per test file, so files run in parallel without sharing a chain.
 */
import {
  type Abi,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  createTestClient,
  getAddress,
  type Hash,
  type Hex,
  http,
  parseEventLogs,
  type TransactionReceipt,
  toHex,
} from "viem";
import { actionExecutorAbi, feeEscrowAbi, workflowRegistryAbi } from "../../abis/index.js";
import { failureReason } from "../../executor/worker/receipt.js";
import { type CheckRef, checkRefAt } from "../../lib/check-ref.js";
import type { Deployment } from "../../lib/deployments.js";
import type { WorkflowSpec } from "../../lib/spec.js";
import { DEV_KEYS } from "../accounts.js";
import { type Anvil, type AnvilOptions, startAnvil } from "../anvil.js";
import { publicClientFor, type Wallet, walletFor } from "../clients.js";
import { deployAutokeeper } from "../deploy.js";
import { registeredEvent } from "../registered.js";

export const systemAbi = [...workflowRegistryAbi, ...actionExecutorAbi, ...feeEscrowAbi] as const;

export type Chain = Awaited<ReturnType<typeof startChain>>;
type SystemEvent = ReturnType<typeof parseEventLogs<typeof systemAbi>>[number];

/**
 * Each run's WorkflowExecuted, with its failure reason ("0x" when it succeeded) from the WorkflowFailed the
 * contract emits just before a failed run's WorkflowExecuted.
 */
export function runsIn(events: SystemEvent[]) {
  return events.flatMap((e, i) =>
    e.eventName === "WorkflowExecuted" ? [{ ...e.args, reason: failureReason(events[i - 1], e.args) }] : [],
  );
}

/** `n` bytes, none zero and each its own (1, 2, ... 255, 1, ...): a byte lost, moved or added shows. */
export function distinctBytes(n: number): Hex {
  return toHex(Uint8Array.from({ length: n }, (_, i) => (i % 255) + 1));
}

export async function startChain(options: { premiumBps?: number; flatFee?: bigint; anvil?: AnvilOptions } = {}) {
  const { anvil: anvilOptions, ...feeOptions } = options;
  const anvil: Anvil = await startAnvil(anvilOptions);
  const publicClient = await publicClientFor(anvil.rpcUrl);
  const testClient = createTestClient({ mode: "anvil", chain: publicClient.chain, transport: http(anvil.rpcUrl) });
  const wallets = {
    deployer: walletFor(publicClient, DEV_KEYS.deployer),
    worker: walletFor(publicClient, DEV_KEYS.worker),
    owner: walletFor(publicClient, DEV_KEYS.owner),
    stranger: walletFor(publicClient, DEV_KEYS.stranger),
  };
  const deployment: Deployment = await deployAutokeeper(publicClient, wallets.deployer, {
    workers: [wallets.worker.account.address],
    ...feeOptions,
  });

  async function mined(hash: Hash): Promise<TransactionReceipt> {
    return publicClient.waitForTransactionReceipt({ hash });
  }

  function events(receipt: TransactionReceipt) {
    return parseEventLogs({ abi: systemAbi, logs: receipt.logs });
  }

  async function deploy(abi: Abi, bytecode: Hex, args: readonly unknown[] = []): Promise<Address> {
    const hash = await wallets.deployer.deployContract({ abi, bytecode, args });
    const receipt = await mined(hash);
    if (!receipt.contractAddress) throw new Error("no contract created");
    return getAddress(receipt.contractAddress);
  }

  async function register(spec: WorkflowSpec, value = 0n, from: Wallet = wallets.owner) {
    const hash = await from.writeContract({
      address: deployment.registry,
      abi: workflowRegistryAbi,
      functionName: "register",
      args: [spec],
      value,
    });
    const receipt = await mined(hash);
    const registered = registeredEvent(receipt, deployment.registry);
    return { id: registered.args.id, forwarder: registered.args.forwarder, receipt, event: registered };
  }

  /** `gas`: sent with this much instead of eth_estimateGas's figure (which can come out short before the block's time is known). */
  async function executeBatch(
    ids: readonly bigint[],
    performData?: readonly Hex[],
    from: Wallet = wallets.worker,
    gas?: bigint,
  ) {
    const hash = await from.writeContract({
      address: deployment.actionExecutor,
      abi: actionExecutorAbi,
      functionName: "executeBatch",
      args: [ids, performData ?? ids.map(() => "0x" as Hex)],
      gas,
    });
    const receipt = await mined(hash);
    return { receipt, events: events(receipt) };
  }

  async function execute(id: bigint, performData: Hex = "0x", from: Wallet = wallets.worker) {
    const hash = await from.writeContract({
      address: deployment.actionExecutor,
      abi: actionExecutorAbi,
      functionName: "execute",
      args: [id, performData],
    });
    const receipt = await mined(hash);
    const all = events(receipt);
    const skipped = all.find((e) => e.eventName === "WorkflowSkipped");
    return {
      receipt,
      events: all,
      executed: runsIn(all)[0],
      skipped: skipped?.eventName === "WorkflowSkipped" ? skipped.args : undefined,
    };
  }

  /** An owner's call on the registry, mined: pause, resume, cancel, or hand the workflow to `newOwner`. */
  async function manage(
    id: bigint,
    action: "pause" | "resume" | "cancel" | { transferTo: Address },
    from: Wallet = wallets.owner,
  ): Promise<TransactionReceipt> {
    const registry = { address: deployment.registry, abi: workflowRegistryAbi } as const;
    const hash =
      typeof action === "string"
        ? await from.writeContract({ ...registry, functionName: action, args: [id] })
        : await from.writeContract({
            ...registry,
            functionName: "transferWorkflowOwnership",
            args: [id, action.transferTo],
          });
    return mined(hash);
  }

  /** A check reference for run `runNumber` at the latest block (lib/check-ref.ts): as if the checker were asked now. */
  async function checkRef(runNumber: bigint): Promise<CheckRef> {
    return checkRefAt(runNumber, await publicClient.getBlock());
  }

  async function now(): Promise<bigint> {
    return (await publicClient.getBlock()).timestamp;
  }

  /** Makes the next block's timestamp `t` (the next transaction mines in it). */
  async function setNextTimestamp(t: bigint): Promise<void> {
    await testClient.setNextBlockTimestamp({ timestamp: t });
  }

  async function workflow(id: bigint) {
    const [owner, status, forwarder, nextExecutionAt, runCount, spec] = await publicClient.readContract({
      address: deployment.registry,
      abi: workflowRegistryAbi,
      functionName: "getWorkflow",
      args: [id],
    });
    return { owner, status, forwarder, nextExecutionAt, runCount, spec };
  }

  async function balanceOf(id: bigint): Promise<bigint> {
    return publicClient.readContract({
      address: deployment.feeEscrow,
      abi: feeEscrowAbi,
      functionName: "balanceOf",
      args: [id],
    });
  }

  async function earnings(worker: Address): Promise<bigint> {
    return publicClient.readContract({
      address: deployment.feeEscrow,
      abi: feeEscrowAbi,
      functionName: "earnings",
      args: [worker],
    });
  }

  /** What a worker is worth: its balance plus the earnings the escrow holds for it. */
  async function worth(worker: Address): Promise<bigint> {
    const [balance, earned] = await Promise.all([publicClient.getBalance({ address: worker }), earnings(worker)]);
    return balance + earned;
  }

  return {
    anvil,
    publicClient,
    testClient,
    wallets,
    deployment,
    mined,
    events,
    deploy,
    register,
    execute,
    executeBatch,
    manage,
    now,
    setNextTimestamp,
    workflow,
    checkRef,
    balanceOf,
    earnings,
    worth,
    stop: () => anvil.stop(),
  };
}

/** Asserts that `promise` reverts with the custom error `name` (decoded, not string-matched). */
export async function revertsWith(promise: Promise<unknown>, name: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    const reverted =
      error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
    const actual = reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
    if (actual === name) return;
    throw new Error(`expected revert ${name}, got ${actual ?? String(error).slice(0, 300)}`);
  }
  throw new Error(`expected revert ${name}, but it succeeded`);
}

/** The environment that points a process (executor, CLI) at this chain and its contracts. */
export function chainEnv(chain: Chain): Record<string, string> {
  return {
    CHAIN: "custom",
    CHAIN_ID: String(chain.deployment.chainId),
    RPC_URL: chain.anvil.rpcUrl,
    REGISTRY_ADDRESS: chain.deployment.registry,
    ACTIONEXECUTOR_ADDRESS: chain.deployment.actionExecutor,
    FEEESCROW_ADDRESS: chain.deployment.feeEscrow,
    START_BLOCK: String(chain.deployment.startBlock),
  };
}
