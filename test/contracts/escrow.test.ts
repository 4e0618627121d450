import { type Address, encodeErrorResult, encodeFunctionData, type Hex, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  actionExecutorAbi,
  counterAbi,
  counterBytecode,
  feeEscrowAbi,
  forwarderAbi,
  relayAbi,
  relayBytecode,
  workflowRegistryAbi,
} from "../../abis/index.js";
import { Status, timeSpec } from "../../lib/spec.js";
import { type Chain, revertsWith, startChain } from "../../tools/harness/chain.js";

let chain: Chain;
let counter: Address;
const increment = () => ({
  target: counter,
  value: 0n,
  data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }),
});

beforeAll(async () => {
  chain = await startChain();
  counter = await chain.deploy(counterAbi, counterBytecode);
});
afterAll(() => chain?.stop());

const escrowWrite = (
  from: Chain["wallets"][keyof Chain["wallets"]],
  functionName: "deposit" | "withdraw" | "claim",
  args: readonly unknown[],
  value?: bigint,
) =>
  from
    .writeContract({
      address: chain.deployment.feeEscrow,
      abi: feeEscrowAbi,
      functionName,
      args,
      value,
    } as Parameters<typeof from.writeContract>[0])
    .then(chain.mined);

describe("FeeEscrow deposits and withdrawals", () => {
  it("lets anyone deposit to an open workflow and refuses unknown, cancelled and empty deposits", async () => {
    const { id } = await chain.register(timeSpec([increment()], 10n));
    const receipt = await escrowWrite(chain.wallets.stranger, "deposit", [id], parseEther("0.3"));
    expect(chain.events(receipt)[0]).toMatchObject({
      eventName: "Deposited",
      args: { id, from: chain.wallets.stranger.account.address, amount: parseEther("0.3"), balance: parseEther("0.3") },
    });
    await revertsWith(escrowWrite(chain.wallets.stranger, "deposit", [12345n], 1n), "UnknownWorkflow");
    await revertsWith(escrowWrite(chain.wallets.stranger, "deposit", [id], 0n), "ZeroAmount");
    await chain.mined(
      await chain.wallets.owner.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "cancel",
        args: [id],
      }),
    );
    await revertsWith(escrowWrite(chain.wallets.stranger, "deposit", [id], 1n), "WorkflowCancelled");
  });

  it("lets only the owner withdraw, and no more than the balance", async () => {
    const { id } = await chain.register(timeSpec([increment()], 10n), parseEther("1"));
    await revertsWith(escrowWrite(chain.wallets.stranger, "withdraw", [id, 1n]), "NotWorkflowOwner");
    await revertsWith(escrowWrite(chain.wallets.owner, "withdraw", [id, parseEther("2")]), "InsufficientBalance");
    await revertsWith(escrowWrite(chain.wallets.owner, "withdraw", [id, 0n]), "ZeroAmount");
    await revertsWith(escrowWrite(chain.wallets.owner, "withdraw", [999n, 1n]), "UnknownWorkflow");
    const owner = chain.wallets.owner.account.address;
    const before = await chain.publicClient.getBalance({ address: owner });
    const receipt = await escrowWrite(chain.wallets.owner, "withdraw", [id, parseEther("0.4")]);
    const after = await chain.publicClient.getBalance({ address: owner });
    expect(after - before + receipt.gasUsed * receipt.effectiveGasPrice).toBe(parseEther("0.4"));
    expect(await chain.balanceOf(id)).toBe(parseEther("0.6"));
  });

  it("only the registry may credit or refund, and only the executor may charge or release", async () => {
    const { id } = await chain.register(timeSpec([increment()], 10n), parseEther("1"));
    const stranger = chain.wallets.stranger;
    const w = (functionName: "credit" | "refund" | "charge" | "release", args: readonly unknown[], value?: bigint) =>
      stranger.writeContract({
        address: chain.deployment.feeEscrow,
        abi: feeEscrowAbi,
        functionName,
        args,
        value,
      } as Parameters<typeof stranger.writeContract>[0]);
    await revertsWith(w("credit", [id, stranger.account.address], 1n), "OnlyRegistry");
    await revertsWith(w("refund", [id, stranger.account.address]), "OnlyRegistry");
    await revertsWith(w("charge", [id, stranger.account.address, 1n, 1n, 1n]), "AccessControlUnauthorizedAccount");
    await revertsWith(w("release", [id, 1n]), "AccessControlUnauthorizedAccount");
    expect(await chain.balanceOf(id)).toBe(parseEther("1"));
  });
});

describe("worker earnings", () => {
  it("accrue per run and are paid out by claim (pull payment)", async () => {
    const { id } = await chain.register(timeSpec([increment()], 1n), parseEther("1"));
    const worker = chain.wallets.worker.account.address;
    const startEarnings = await chain.earnings(worker);
    const { executed } = await chain.execute(id);
    expect(await chain.earnings(worker)).toBe(startEarnings + executed!.fee);
    const before = await chain.publicClient.getBalance({ address: worker });
    const receipt = await escrowWrite(chain.wallets.worker, "claim", []);
    const after = await chain.publicClient.getBalance({ address: worker });
    expect(after - before + receipt.gasUsed * receipt.effectiveGasPrice).toBe(startEarnings + executed!.fee);
    expect(await chain.earnings(worker)).toBe(0n);
    await revertsWith(escrowWrite(chain.wallets.worker, "claim", []), "NothingToClaim");
  });
});

describe("forwarder isolation", () => {
  /** Registers a workflow whose one action makes its forwarder call `target` with `data`. */
  async function hostile(target: Address, data: Hex) {
    const { id } = await chain.register(timeSpec([{ target, value: 0n, data }], 10n), parseEther("0.5"));
    const { executed } = await chain.execute(id);
    return { id, executed: executed! };
  }

  it("a workflow cannot move another workflow's funds or change state it doesn't own", async () => {
    const victim = await chain.register(timeSpec([increment()], 10n), parseEther("1"));
    const worker = chain.wallets.worker.account.address;
    const escrowBalance = await chain.publicClient.getBalance({ address: chain.deployment.feeEscrow });

    const attempts: Hex[] = [
      encodeFunctionData({ abi: feeEscrowAbi, functionName: "withdraw", args: [victim.id, parseEther("1")] }),
      encodeFunctionData({
        abi: feeEscrowAbi,
        functionName: "charge",
        args: [victim.id, worker, 10n ** 9n, 10n ** 9n, 10n ** 18n],
      }),
      encodeFunctionData({ abi: feeEscrowAbi, functionName: "release", args: [victim.id, parseEther("1")] }),
      encodeFunctionData({ abi: feeEscrowAbi, functionName: "refund", args: [victim.id, worker] }),
      encodeFunctionData({ abi: feeEscrowAbi, functionName: "claim" }),
    ];
    for (const data of attempts) {
      const { executed } = await hostile(chain.deployment.feeEscrow, data);
      expect(executed.success).toBe(false);
    }
    const registryAttempts: Hex[] = [
      encodeFunctionData({ abi: workflowRegistryAbi, functionName: "pause", args: [victim.id] }),
      encodeFunctionData({ abi: workflowRegistryAbi, functionName: "cancel", args: [victim.id] }),
      encodeFunctionData({ abi: workflowRegistryAbi, functionName: "beginRun", args: [victim.id, 10n ** 18n, "0x"] }),
      encodeFunctionData({
        abi: workflowRegistryAbi,
        functionName: "transferWorkflowOwnership",
        args: [victim.id, worker],
      }),
    ];
    for (const data of registryAttempts) {
      const { executed } = await hostile(chain.deployment.registry, data);
      expect(executed.success).toBe(false);
    }
    const executorAttempt = encodeFunctionData({
      abi: actionExecutorAbi,
      functionName: "execute",
      args: [victim.id, "0x"],
    });
    expect((await hostile(chain.deployment.actionExecutor, executorAttempt)).executed.success).toBe(false);

    const state = await chain.workflow(victim.id);
    expect(state.status).toBe(Status.ACTIVE);
    expect(state.owner).toBe(chain.wallets.owner.account.address);
    expect(state.runCount).toBe(0n);
    expect(await chain.balanceOf(victim.id)).toBe(parseEther("1"));
    // only the hostile workflows' own deposits and fees moved
    expect(await chain.publicClient.getBalance({ address: chain.deployment.feeEscrow })).toBeGreaterThan(escrowBalance);
  });

  it("a forwarder obeys only ActionExecutor, even when another workflow's forwarder calls it", async () => {
    const victim = await chain.register(timeSpec([increment()], 10n), parseEther("1"));
    // the victim's own action, sent by someone else: refused all the same
    const payload = encodeFunctionData({
      abi: forwarderAbi,
      functionName: "forward",
      args: [[increment()]],
    });
    await revertsWith(
      chain.wallets.stranger.writeContract({
        address: victim.forwarder,
        abi: forwarderAbi,
        functionName: "forward",
        args: [[increment()]],
      }),
      "OnlyExecutor",
    );
    // The one-call path (checker-driven runs) obeys only ActionExecutor too.
    await revertsWith(
      chain.wallets.stranger.writeContract({
        address: victim.forwarder,
        abi: forwarderAbi,
        functionName: "forwardCall",
        args: [increment().target, increment().data],
      }),
      "OnlyExecutor",
    );
    const { executed } = await hostile(victim.forwarder, payload);
    expect(executed.success).toBe(false);
    expect(executed.reason).toBe(encodeErrorResult({ abi: forwarderAbi, errorName: "OnlyExecutor" }));
  });

  it("a target that re-enters through a relay cannot reach the executor or another's escrow", async () => {
    const relay = await chain.deploy(relayAbi, relayBytecode);
    const victim = await chain.register(timeSpec([increment()], 10n), parseEther("1"));
    const reenter = encodeFunctionData({
      abi: relayAbi,
      functionName: "relay",
      args: [
        chain.deployment.actionExecutor,
        encodeFunctionData({ abi: actionExecutorAbi, functionName: "executeBatch", args: [[victim.id], ["0x"]] }),
      ],
    });
    expect((await hostile(relay, reenter)).executed.success).toBe(false);
    const drain = encodeFunctionData({
      abi: relayAbi,
      functionName: "relay",
      args: [
        chain.deployment.feeEscrow,
        encodeFunctionData({ abi: feeEscrowAbi, functionName: "withdraw", args: [victim.id, 1n] }),
      ],
    });
    expect((await hostile(relay, drain)).executed.success).toBe(false);
    expect(await chain.balanceOf(victim.id)).toBe(parseEther("1"));
  });
});
