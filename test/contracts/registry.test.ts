import { encodeFunctionData, getAddress, parseEther, zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { counterAbi, counterBytecode, workflowRegistryAbi } from "../../abis/index.js";
import { CheckerKind, chainlinkSpec, gelatoSpec, Status, TriggerType, timeSpec } from "../../lib/spec.js";
import { type Chain, distinctBytes, revertsWith, startChain } from "../../tools/harness/chain.js";

let chain: Chain;
let counter: `0x${string}`;
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

const write = (functionName: "pause" | "resume" | "cancel", id: bigint, from = chain.wallets.owner) =>
  from
    .writeContract({ address: chain.deployment.registry, abi: workflowRegistryAbi, functionName, args: [id] })
    .then(chain.mined);

describe("WorkflowRegistry.register", () => {
  it("assigns sequential ids from 1, clones a deterministic forwarder and credits the value sent", async () => {
    const first = await chain.register(timeSpec([increment()], 60n), parseEther("1"));
    const second = await chain.register(timeSpec([increment()], 60n));
    expect(second.id).toBe(first.id + 1n);
    const count = await chain.publicClient.readContract({
      address: chain.deployment.registry,
      abi: workflowRegistryAbi,
      functionName: "workflowCount",
    });
    expect(count).toBe(second.id);
    expect(first.id).toBe(1n);

    const predicted = await chain.publicClient.readContract({
      address: chain.deployment.registry,
      abi: workflowRegistryAbi,
      functionName: "forwarderOf",
      args: [first.id],
    });
    expect(first.forwarder).toBe(predicted);
    expect(first.forwarder).not.toBe(second.forwarder);
    expect(await chain.publicClient.getCode({ address: first.forwarder })).toMatch(/^0x363d3d37/); // EIP-1167
    expect(await chain.balanceOf(first.id)).toBe(parseEther("1"));
    expect(await chain.balanceOf(second.id)).toBe(0n);
  });

  it("emits the full spec, owner, forwarder, first due time and deposit", async () => {
    const start = (await chain.now()) + 1000n;
    const spec = timeSpec([increment()], 30n, {
      gasLimit: 150_000,
      maxFeePerRun: 12345n,
      startTime: start,
      maxRuns: 7n,
      endTime: start + 10_000n,
    });
    const { event, id } = await chain.register(spec, 5n);
    expect(event.args.owner).toBe(chain.wallets.owner.account.address);
    expect(event.args.nextExecutionAt).toBe(start);
    expect(event.args.deposit).toBe(5n);
    expect(event.args.spec.trigger.kind).toBe(TriggerType.TIME);
    expect(event.args.spec.trigger.interval).toBe(30n);
    expect(event.args.spec.actions).toEqual([{ ...increment(), target: getAddress(counter) }]);
    expect(event.args.spec.gasLimit).toBe(150_000);
    expect(event.args.spec.maxFeePerRun).toBe(12345n);
    expect(event.args.spec.maxRuns).toBe(7n);
    expect(event.args.spec.endTime).toBe(start + 10_000n);

    const stored = await chain.workflow(id);
    expect(stored.status).toBe(Status.ACTIVE);
    expect(stored.nextExecutionAt).toBe(start);
    expect(stored.runCount).toBe(0n);
    expect(stored.spec.actions[0]?.data).toBe(increment().data);
  });

  it("starts a workflow whose start time is in the past (or 0) at the registration block", async () => {
    const { receipt, event } = await chain.register(timeSpec([increment()], 10n, { startTime: 1n }));
    const block = await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    expect(event.args.nextExecutionAt).toBe(block.timestamp);
  });

  it("accepts Chainlink-style and Gelato-style CONDITION workflows", async () => {
    const cl = await chain.register(chainlinkSpec(counter, { checkData: "0xabcd", minInterval: 15n }));
    expect(cl.event.args.spec.trigger.checkerKind).toBe(CheckerKind.CHAINLINK);
    expect(cl.event.args.spec.trigger.data).toBe("0xabcd");
    const g = await chain.register(gelatoSpec(counter, counter));
    expect(g.event.args.spec.trigger.checkerKind).toBe(CheckerKind.GELATO);
  });

  it("gives back every shape of spec as registered, though each keeps its actions its own way", async () => {
    // TIME keeps its actions in a CodeStore, or one valueless call of 1-31 bytes in a storage word (a
    // longer one, or one with value, goes to a store); a Chainlink upkeep has none, a Gelato task keeps its
    // target (with value here) in the word the others use for the store; the forwarder is computed, not stored.
    const gelato = gelatoSpec(counter, counter);
    const specs = [
      timeSpec([increment(), { ...increment(), value: 3n }], 10n),
      timeSpec([increment()], 10n),
      timeSpec([{ ...increment(), data: distinctBytes(1) }], 10n),
      timeSpec([{ ...increment(), data: distinctBytes(31) }], 10n),
      timeSpec([{ ...increment(), data: distinctBytes(32) }], 10n),
      timeSpec([{ ...increment(), value: 3n }], 10n),
      chainlinkSpec(counter, { checkData: "0xabcd" }),
      { ...gelato, actions: [{ ...gelato.actions[0]!, value: 7n }] },
    ];
    for (const spec of specs) {
      const { event, id, forwarder } = await chain.register(spec, parseEther("1"));
      const stored = await chain.workflow(id);
      // (the stored start is the effective one: the registration block's time for a start of 0)
      expect({ ...stored.spec, startTime: 0n }).toEqual(event.args.spec);
      expect(stored.forwarder).toBe(forwarder);
    }
  });

  it("rejects invalid specs with a named error", async () => {
    const base = timeSpec([increment()], 10n);
    const cases: [string, typeof base][] = [
      ["InvalidActions", timeSpec([], 10n)],
      ["InvalidActions", timeSpec([{ ...increment(), target: zeroAddress }], 10n)],
      ["InvalidActions", timeSpec(Array(17).fill(increment()), 10n)],
      ["InvalidGasLimit", { ...base, gasLimit: 1000 }],
      ["InvalidGasLimit", { ...base, gasLimit: 20_000_000 }],
      ["InvalidMaxFee", { ...base, maxFeePerRun: 0n }],
      ["InvalidSchedule", { ...base, startTime: (await chain.now()) + 100n, endTime: (await chain.now()) + 50n }],
      // times and counts are kept in 40 bits: beyond MAX_TIME (about the year 19,400) is refused, not cut
      ["InvalidSchedule", { ...base, endTime: 2n ** 40n }],
      ["InvalidSchedule", timeSpec([increment()], 2n ** 39n)],
      ["InvalidSchedule", { ...base, maxRuns: 2n ** 40n }],
      ["InvalidTrigger", { ...base, trigger: { ...base.trigger, kind: TriggerType.LOG } }],
      ["InvalidCronExpression", { ...base, trigger: { ...base.trigger, kind: TriggerType.CRON, interval: 0n } }],
      ["InvalidTrigger", { ...base, trigger: { ...base.trigger, checker: counter } }],
      [
        "InvalidTrigger",
        { ...chainlinkSpec(counter), trigger: { ...chainlinkSpec(counter).trigger, checker: zeroAddress } },
      ],
      ["InvalidTrigger", { ...chainlinkSpec(counter), trigger: { ...chainlinkSpec(counter).trigger, checkerKind: 0 } }],
      ["InvalidActions", { ...chainlinkSpec(counter), actions: [increment()] }],
      ["InvalidActions", { ...gelatoSpec(counter, counter), actions: [increment()] }],
      ["InvalidTrigger", { ...base, trigger: { ...base.trigger, data: `0x${"00".repeat(1025)}` } }],
    ];
    for (const [error, spec] of cases) {
      await revertsWith(chain.register(spec), error);
    }
  });
});

describe("WorkflowRegistry owner actions", () => {
  it("pause and resume change status with events; only the owner may", async () => {
    const { id } = await chain.register(timeSpec([increment()], 10n));
    await revertsWith(write("pause", id, chain.wallets.stranger), "NotWorkflowOwner");
    const paused = chain.events(await write("pause", id));
    expect(paused).toContainEqual(
      expect.objectContaining({
        eventName: "WorkflowStatusChanged",
        args: expect.objectContaining({ id, previous: Status.ACTIVE, status: Status.PAUSED }),
      }),
    );
    await revertsWith(write("pause", id), "InvalidStatus");
    await revertsWith(write("resume", id, chain.wallets.stranger), "NotWorkflowOwner");
    await write("resume", id);
    expect((await chain.workflow(id)).status).toBe(Status.ACTIVE);
    await revertsWith(write("resume", id), "InvalidStatus");
  });

  it("resume skips the slots missed while paused instead of replaying them", async () => {
    const { id, event } = await chain.register(timeSpec([increment()], 10n));
    const first = event.args.nextExecutionAt;
    await write("pause", id);
    await chain.setNextTimestamp(first + 35n);
    await write("resume", id);
    // slots first, +10, +20, +30 were missed; the next is the first slot at or after now (+40)
    expect((await chain.workflow(id)).nextExecutionAt).toBe(first + 40n);
  });

  it("cancel refunds the whole balance to the owner and is final", async () => {
    const { id } = await chain.register(timeSpec([increment()], 10n), parseEther("2"));
    const before = await chain.publicClient.getBalance({ address: chain.wallets.owner.account.address });
    await revertsWith(write("cancel", id, chain.wallets.stranger), "NotWorkflowOwner");
    const receipt = await write("cancel", id);
    const gas = receipt.gasUsed * receipt.effectiveGasPrice;
    const after = await chain.publicClient.getBalance({ address: chain.wallets.owner.account.address });
    expect(after - before + gas).toBe(parseEther("2"));
    expect(await chain.balanceOf(id)).toBe(0n);
    expect(chain.events(receipt).map((e) => e.eventName)).toEqual(["WorkflowStatusChanged", "Refunded"]);
    expect((await chain.workflow(id)).status).toBe(Status.CANCELLED);
    await revertsWith(write("cancel", id), "InvalidStatus");
    await revertsWith(write("resume", id), "InvalidStatus");
  });

  it("update replaces the spec and re-emits it; non-owners and cancelled workflows are refused", async () => {
    const { id, forwarder } = await chain.register(timeSpec([increment()], 10n));
    const next = timeSpec([increment(), increment()], 99n, { gasLimit: 300_000 });
    await revertsWith(
      chain.wallets.stranger.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "update",
        args: [id, next],
      }),
      "NotWorkflowOwner",
    );
    const receipt = await chain.mined(
      await chain.wallets.owner.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "update",
        args: [id, next],
      }),
    );
    const updated = chain.events(receipt).find((e) => e.eventName === "WorkflowUpdated");
    expect(updated?.eventName === "WorkflowUpdated" && updated.args.spec.trigger.interval).toBe(99n);
    const stored = await chain.workflow(id);
    expect(stored.spec.actions).toHaveLength(2);
    expect(stored.spec.gasLimit).toBe(300_000);
    expect(stored.forwarder).toBe(forwarder);
    // and back to one short call, kept in its storage word again
    await chain.mined(
      await chain.wallets.owner.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "update",
        args: [id, timeSpec([increment()], 10n)],
      }),
    );
    expect((await chain.workflow(id)).spec.actions).toEqual([{ ...increment(), target: getAddress(counter) }]);
    await write("cancel", id);
    await revertsWith(
      chain.wallets.owner.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "update",
        args: [id, next],
      }),
      "InvalidStatus",
    );
  });

  it("transferWorkflowOwnership hands over every owner right", async () => {
    const { id } = await chain.register(timeSpec([increment()], 10n));
    const newOwner = chain.wallets.stranger.account.address;
    await revertsWith(
      chain.wallets.stranger.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "transferWorkflowOwnership",
        args: [id, newOwner],
      }),
      "NotWorkflowOwner",
    );
    await revertsWith(
      chain.wallets.owner.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "transferWorkflowOwnership",
        args: [id, zeroAddress],
      }),
      "ZeroAddress",
    );
    const receipt = await chain.mined(
      await chain.wallets.owner.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "transferWorkflowOwnership",
        args: [id, newOwner],
      }),
    );
    expect(chain.events(receipt)[0]).toMatchObject({
      eventName: "WorkflowOwnershipTransferred",
      args: { id, previousOwner: chain.wallets.owner.account.address, newOwner },
    });
    await revertsWith(write("pause", id), "NotWorkflowOwner");
    await write("pause", id, chain.wallets.stranger);
  });

  it("unknown ids are refused by name", async () => {
    await revertsWith(write("pause", 999_999n), "UnknownWorkflow");
  });
});

describe("WorkflowRegistry admin", () => {
  it("can be wired only once, by the admin; beginRun is for the executor only", async () => {
    await revertsWith(
      chain.wallets.deployer.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "wire",
        args: [chain.deployment.feeEscrow, chain.deployment.actionExecutor],
      }),
      "AlreadyWired",
    );
    await revertsWith(
      chain.wallets.stranger.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "wire",
        args: [chain.deployment.feeEscrow, chain.deployment.actionExecutor],
      }),
      "AccessControlUnauthorizedAccount",
    );
    await revertsWith(
      chain.wallets.worker.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "beginRun",
        args: [1n, parseEther("100"), "0x"],
      }),
      "AccessControlUnauthorizedAccount",
    );
  });
});
