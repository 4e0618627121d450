import {
  type Address,
  decodeAbiParameters,
  decodeErrorResult,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  parseEther,
  zeroAddress,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  actionExecutorAbi,
  chainlinkStyleUpkeepAbi,
  chainlinkStyleUpkeepBytecode,
  counterAbi,
  counterBytecode,
  feeEscrowAbi,
  gasBurnerAbi,
  gasBurnerBytecode,
  gelatoStyleResolverAbi,
  gelatoStyleResolverBytecode,
  gelatoStyleTargetAbi,
  gelatoStyleTargetBytecode,
  recorderAbi,
  recorderBytecode,
  reverterAbi,
  reverterBytecode,
  sinkAbi,
  sinkBytecode,
  ticketUpkeepAbi,
  ticketUpkeepBytecode,
  workflowRegistryAbi,
} from "../../abis/index.js";
import { conditionPerformData } from "../../lib/check-ref.js";
import { chainlinkSpec, gelatoSpec, SkipReason, Status, timeSpec } from "../../lib/spec.js";
import { type Chain, distinctBytes, revertsWith, runsIn, startChain } from "../../tools/harness/chain.js";
import { anvilRequest } from "../../tools/harness/chain-faults.js";
import { simulationOf } from "../../tools/harness/simulation.js";

let chain: Chain;
let counter: Address;
let reverter: Address;
let burner: Address;
let sink: Address;
const FUND = parseEther("1");

const call = (target: Address, data: Hex, value = 0n) => ({ target, value, data });
const increment = () => call(counter, encodeFunctionData({ abi: counterAbi, functionName: "increment" }));
const failing = () => call(reverter, encodeFunctionData({ abi: reverterAbi, functionName: "failWithReason" }));
const count = () => chain.publicClient.readContract({ address: counter, abi: counterAbi, functionName: "count" });

/** Registers a TIME workflow first due `delay` seconds from now and returns its id and due time. */
async function scheduled(actions = [increment()], interval = 10n, delay = 100n, opts = {}, value = FUND) {
  const start = (await chain.now()) + delay;
  const { id, forwarder } = await chain.register(timeSpec(actions, interval, { startTime: start, ...opts }), value);
  return { id, start, forwarder };
}

beforeAll(async () => {
  chain = await startChain({ premiumBps: 2000, flatFee: 1000n });
  counter = await chain.deploy(counterAbi, counterBytecode);
  reverter = await chain.deploy(reverterAbi, reverterBytecode);
  burner = await chain.deploy(gasBurnerAbi, gasBurnerBytecode);
  sink = await chain.deploy(sinkAbi, sinkBytecode);
});
afterAll(() => chain?.stop());

describe("ActionExecutor.execute on TIME workflows", () => {
  it("runs a due workflow through its forwarder, advances the schedule and charges the capped fee", async () => {
    const { id, start, forwarder } = await scheduled();
    const before = await count();
    await chain.setNextTimestamp(start);
    const { executed, receipt } = await chain.execute(id);
    expect(executed).toMatchObject({
      id,
      runNumber: 1n,
      worker: chain.wallets.worker.account.address,
      success: true,
      dueAt: start,
      nextExecutionAt: start + 10n,
      reason: "0x",
    });
    expect(await count()).toBe(before + 1n);
    expect(
      await chain.publicClient.readContract({ address: counter, abi: counterAbi, functionName: "lastCaller" }),
    ).toBe(forwarder);
    // fee = gasUsed * gasPrice * 1.2 + flat fee, below the 0.01 ether cap here
    const expected = (executed!.gasUsed * receipt.effectiveGasPrice * 12_000n) / 10_000n + 1000n;
    expect(executed!.fee).toBe(expected);
    expect(await chain.balanceOf(id)).toBe(FUND - expected);
    expect(await chain.earnings(chain.wallets.worker.account.address)).toBeGreaterThanOrEqual(expected);
    const stored = await chain.workflow(id);
    expect(stored.runCount).toBe(1n);
    expect(stored.nextExecutionAt).toBe(start + 10n);
  });

  it("skips missed slots: one run serves the due slot, the next is the first slot after now", async () => {
    const { id, start } = await scheduled();
    await chain.setNextTimestamp(start + 25n);
    const { executed } = await chain.execute(id);
    expect(executed?.dueAt).toBe(start);
    expect(executed?.nextExecutionAt).toBe(start + 30n);
    expect((await chain.workflow(id)).runCount).toBe(1n);
    const again = await chain.execute(id);
    expect(again.skipped?.reason).toBe(SkipReason.NOT_DUE);
  });

  it("completes a one-shot workflow after its run", async () => {
    const { id, start } = await scheduled([increment()], 0n);
    await chain.setNextTimestamp(start);
    const { events } = await chain.execute(id);
    expect(events.map((e) => e.eventName)).toContain("WorkflowStatusChanged");
    expect((await chain.workflow(id)).status).toBe(Status.COMPLETED);
    expect((await chain.execute(id)).skipped?.reason).toBe(SkipReason.NOT_ACTIVE);
  });

  it("completes after maxRuns and when the next slot would pass the end time", async () => {
    const a = await scheduled([increment()], 10n, 100n, { maxRuns: 2n });
    await chain.setNextTimestamp(a.start);
    await chain.execute(a.id);
    expect((await chain.workflow(a.id)).status).toBe(Status.ACTIVE);
    await chain.setNextTimestamp(a.start + 10n);
    await chain.execute(a.id);
    expect((await chain.workflow(a.id)).status).toBe(Status.COMPLETED);

    const b = await scheduled([increment()], 10n, 100n, { endTime: (await chain.now()) + 115n });
    await chain.setNextTimestamp(b.start);
    await chain.execute(b.id); // next slot start+10 > end (start+15)? no: start+10 <= start+15, stays active
    expect((await chain.workflow(b.id)).status).toBe(Status.ACTIVE);
    await chain.setNextTimestamp(b.start + 10n);
    await chain.execute(b.id); // next slot start+20 > end: completed
    expect((await chain.workflow(b.id)).status).toBe(Status.COMPLETED);
  });

  it("skips with a reason, changing nothing, when the item is unknown, paused, not due or unfunded", async () => {
    const notDue = await scheduled();
    const paused = await scheduled([increment()], 10n, 0n);
    await chain.mined(
      await chain.wallets.owner.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "pause",
        args: [paused.id],
      }),
    );
    // max fee per run is 0.01 ether; 0.005 cannot pay a run
    const unfunded = await scheduled([increment()], 10n, 0n, {}, parseEther("0.005"));
    const before = await count();
    const { events } = await chain.executeBatch([999_999n, paused.id, notDue.id, unfunded.id]);
    expect(events.map((e) => (e.eventName === "WorkflowSkipped" ? [e.args.id, e.args.reason] : e.eventName))).toEqual([
      [999_999n, SkipReason.UNKNOWN_WORKFLOW],
      [paused.id, SkipReason.NOT_ACTIVE],
      [notDue.id, SkipReason.NOT_DUE],
      [unfunded.id, SkipReason.NOT_FUNDED],
    ]);
    expect(await count()).toBe(before);
    expect(await chain.balanceOf(unfunded.id)).toBe(parseEther("0.005"));
    expect((await chain.workflow(unfunded.id)).runCount).toBe(0n);
  });

  it("runs a slot due by the end time even when it lands after it, then completes", async () => {
    const start = (await chain.now()) + 50n;
    const { id } = await chain.register(timeSpec([increment()], 10n, { startTime: start, endTime: start + 5n }), FUND);
    await chain.setNextTimestamp(start + 6n);
    const { skipped } = await chain.execute(id);
    expect(skipped).toBeUndefined();
    const w = await chain.workflow(id);
    expect([w.runCount, w.status]).toEqual([1n, Status.COMPLETED]);
  });

  it("records a failing action as a failed run with its revert reason, and still charges", async () => {
    const { id, start } = await scheduled([increment(), failing()]);
    const before = await count();
    await chain.setNextTimestamp(start);
    const { executed, receipt } = await chain.execute(id);
    expect(receipt.status).toBe("success");
    expect(executed?.success).toBe(false);
    expect(decodeErrorResult({ abi: [], data: executed!.reason }).args).toEqual(["target says no"]);
    expect(await count()).toBe(before); // the whole run is undone, including the first action
    expect(executed!.fee).toBeGreaterThan(0n);
    expect(await chain.balanceOf(id)).toBe(FUND - executed!.fee);
    expect((await chain.workflow(id)).runCount).toBe(1n);
  });

  it("keeps custom error data and bounds huge revert data to 256 bytes", async () => {
    const custom = await scheduled([
      call(reverter, encodeFunctionData({ abi: reverterAbi, functionName: "failWithCustom" })),
    ]);
    const huge = await scheduled(
      [call(reverter, encodeFunctionData({ abi: reverterAbi, functionName: "failHuge", args: [200_000n] }))],
      10n,
      100n,
      { gasLimit: 2_000_000 },
    );
    await chain.setNextTimestamp(huge.start);
    const { events } = await chain.executeBatch([custom.id, huge.id]);
    const runs = runsIn(events);
    expect(runs).toHaveLength(2);
    expect(decodeErrorResult({ abi: reverterAbi, data: runs[0]!.reason })).toMatchObject({
      errorName: "Custom",
      args: [42n],
    });
    expect((runs[1]!.reason.length - 2) / 2).toBe(256);
  });

  it("bounds a gas-burning target by the workflow's gas limit and goes on with the batch", async () => {
    const burn = await scheduled(
      [call(burner, encodeFunctionData({ abi: gasBurnerAbi, functionName: "burn" }))],
      10n,
      100n,
      {
        gasLimit: 100_000,
      },
    );
    const good = await scheduled();
    await chain.setNextTimestamp(good.start);
    const before = await count();
    const { events, receipt } = await chain.executeBatch([burn.id, good.id]);
    const runs = events.flatMap((e) => (e.eventName === "WorkflowExecuted" ? [e.args] : []));
    expect(runs.map((r) => [r.id, r.success])).toEqual([
      [burn.id, false],
      [good.id, true],
    ]);
    expect(runs[0]!.gasUsed).toBeGreaterThan(100_000n);
    expect(runs[0]!.gasUsed).toBeLessThan(200_000n);
    expect(receipt.gasUsed).toBeLessThan(400_000n);
    expect(await count()).toBe(before + 1n);
  });

  it("pays action value from the workflow's balance, and gives it back when the run fails", async () => {
    const take = call(sink, encodeFunctionData({ abi: sinkAbi, functionName: "take" }), parseEther("0.1"));
    const ok = await scheduled([take]);
    const bad = await scheduled([take, failing()]);
    await chain.setNextTimestamp(bad.start);
    const { events } = await chain.executeBatch([ok.id, bad.id]);
    const runs = events.flatMap((e) => (e.eventName === "WorkflowExecuted" ? [e.args] : []));
    expect(runs.map((r) => r.success)).toEqual([true, false]);
    expect(await chain.publicClient.readContract({ address: sink, abi: sinkAbi, functionName: "received" })).toBe(
      parseEther("0.1"),
    );
    expect(await chain.balanceOf(ok.id)).toBe(FUND - parseEther("0.1") - runs[0]!.fee);
    expect(await chain.balanceOf(bad.id)).toBe(FUND - runs[1]!.fee);
    // a workflow that cannot cover value + max fee is not funded
    const poor = await scheduled([take], 10n, 0n, {}, parseEther("0.105"));
    expect((await chain.execute(poor.id)).skipped?.reason).toBe(SkipReason.NOT_FUNDED);
  });

  it("hands the target exactly its calldata, kept in a storage word (1-31 bytes) or a store, also after an update", async () => {
    const recorder = await chain.deploy(recorderAbi, recorderBytecode);
    const lastData = () =>
      chain.publicClient.readContract({ address: recorder, abi: recorderAbi, functionName: "lastData" });
    for (const n of [1, 4, 31, 32, 100]) {
      const { id, start, forwarder } = await scheduled([call(recorder, distinctBytes(n))]);
      await chain.setNextTimestamp(start);
      expect((await chain.execute(id)).executed?.success).toBe(true);
      expect(await lastData()).toBe(distinctBytes(n));
      expect(
        await chain.publicClient.readContract({ address: recorder, abi: recorderAbi, functionName: "lastCaller" }),
      ).toBe(forwarder);
    }
    // One workflow moved from a short call to a long one and back: each run sends the spec it had then.
    const { id, start } = await scheduled([call(recorder, distinctBytes(2))]);
    let due = start;
    for (const n of [2, 40, 3]) {
      if (n !== 2) {
        await chain.mined(
          await chain.wallets.owner.writeContract({
            address: chain.deployment.registry,
            abi: workflowRegistryAbi,
            functionName: "update",
            args: [id, timeSpec([call(recorder, distinctBytes(n))], 10n, { startTime: due })],
          }),
        );
      }
      await chain.setNextTimestamp(due);
      expect((await chain.execute(id)).executed?.success).toBe(true);
      expect(await lastData()).toBe(distinctBytes(n));
      due += 10n;
    }
  });

  it("refuses callers without WORKER_ROLE and mismatched batch arrays", async () => {
    const { id } = await scheduled([increment()], 10n, 0n);
    for (const wallet of [chain.wallets.owner, chain.wallets.stranger, chain.wallets.deployer]) {
      await revertsWith(
        wallet.writeContract({
          address: chain.deployment.actionExecutor,
          abi: actionExecutorAbi,
          functionName: "execute",
          args: [id, "0x"],
        }),
        "AccessControlUnauthorizedAccount",
      );
    }
    await revertsWith(
      chain.wallets.worker.writeContract({
        address: chain.deployment.actionExecutor,
        abi: actionExecutorAbi,
        functionName: "executeBatch",
        args: [[id], []],
      }),
      "LengthMismatch",
    );
  });

  it("reverts the whole transaction when it carries too little gas for an item's limit", async () => {
    const { id } = await scheduled([increment()], 10n, 0n, { gasLimit: 1_000_000 });
    const hash = await chain.wallets.worker.writeContract({
      address: chain.deployment.actionExecutor,
      abi: actionExecutorAbi,
      functionName: "execute",
      args: [id, "0x"],
      gas: 300_000n,
    });
    const receipt = await chain.mined(hash);
    expect(receipt.status).toBe("reverted");
    expect((await chain.workflow(id)).runCount).toBe(0n);
    // with gas estimated by the node the same run goes through
    expect((await chain.execute(id)).executed?.success).toBe(true);
  });
});

describe("a mixed batch", () => {
  it("executes exactly the good items among due, not-due, paused, unfunded, reverting and gas-burning ones", async () => {
    const good1 = await scheduled([increment()], 10n, 0n);
    const notDue = await scheduled([increment()], 10n, 10_000n);
    const paused = await scheduled([increment()], 10n, 0n);
    await chain.mined(
      await chain.wallets.owner.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "pause",
        args: [paused.id],
      }),
    );
    const unfunded = await scheduled([increment()], 10n, 0n, {}, 0n);
    const reverting = await scheduled([failing()], 10n, 0n);
    const burning = await scheduled(
      [call(burner, encodeFunctionData({ abi: gasBurnerAbi, functionName: "burn" }))],
      10n,
      0n,
      {
        gasLimit: 80_000,
      },
    );
    const good2 = await scheduled([increment(), increment()], 10n, 0n);
    const ids = [good1, notDue, paused, unfunded, reverting, burning, good2].map((w) => w.id);
    const before = await count();
    const { events, receipt } = await chain.executeBatch(ids);
    expect(receipt.status).toBe("success");
    const outcome = events.flatMap((e) =>
      e.eventName === "WorkflowExecuted"
        ? [[e.args.id, e.args.success ? "ok" : "failed"]]
        : e.eventName === "WorkflowSkipped"
          ? [[e.args.id, `skip:${e.args.reason}`]]
          : [],
    );
    expect(outcome).toEqual([
      [good1.id, "ok"],
      [notDue.id, `skip:${SkipReason.NOT_DUE}`],
      [paused.id, `skip:${SkipReason.NOT_ACTIVE}`],
      [unfunded.id, `skip:${SkipReason.NOT_FUNDED}`],
      [reverting.id, "failed"],
      [burning.id, "failed"],
      [good2.id, "ok"],
    ]);
    expect(await count()).toBe(before + 3n);
  });
});

describe("CONDITION workflows", () => {
  it("runs a Chainlink-style upkeep: checked off-chain from the zero address, performed through the forwarder", async () => {
    const upkeep = await chain.deploy(chainlinkStyleUpkeepAbi, chainlinkStyleUpkeepBytecode, [10n]);
    const { id, forwarder } = await chain.register(
      chainlinkSpec(upkeep, { checkData: "0x1234", minInterval: 60n }),
      FUND,
    );
    const check = (account: Address = zeroAddress) =>
      chain.publicClient.readContract({
        address: upkeep,
        abi: chainlinkStyleUpkeepAbi,
        functionName: "checkUpkeep",
        args: ["0x1234"],
        account,
      });
    // simulation-only: a real sender is refused, as Chainlink's cannotExecute does
    await revertsWith(check(chain.wallets.stranger.account.address), "OnlySimulatedBackend");
    expect((await check())[0]).toBe(false);
    await chain.mined(
      await chain.wallets.stranger.writeContract({
        address: upkeep,
        abi: chainlinkStyleUpkeepAbi,
        functionName: "setValue",
        args: [12n],
      }),
    );
    const [needed, performData] = await check();
    expect(needed).toBe(true);
    expect(performData).toBe(encodeAbiParameters([{ type: "uint256" }, { type: "bytes" }], [12n, "0x1234"]));
    // The item carries the check's reference (the run and block it was answered for); the upkeep gets its own bytes.
    const { executed } = await chain.execute(id, conditionPerformData(await chain.checkRef(1n), performData));
    expect(executed?.success).toBe(true);
    const read = (functionName: "performed" | "lastCaller" | "value") =>
      chain.publicClient.readContract({ address: upkeep, abi: chainlinkStyleUpkeepAbi, functionName });
    expect(await read("performed")).toBe(1n);
    expect(await read("lastCaller")).toBe(forwarder);
    expect(await read("value")).toBe(0n);
    // the minimum interval is enforced on-chain
    expect((await chain.execute(id, conditionPerformData(await chain.checkRef(2n), performData))).skipped?.reason).toBe(
      SkipReason.NOT_DUE,
    );
    // after it, a run whose condition no longer holds fails in the upkeep's own guard
    await chain.setNextTimestamp((await chain.now()) + 61n);
    const late = await chain.execute(id, conditionPerformData(await chain.checkRef(2n), performData));
    expect(late.executed?.success).toBe(false);
    expect(decodeErrorResult({ abi: chainlinkStyleUpkeepAbi, data: late.executed!.reason }).errorName).toBe(
      "ConditionNotMet",
    );
  });

  it("runs a Gelato-style task: the resolver's payload is called on the target by the forwarder", async () => {
    const target = await chain.deploy(gelatoStyleTargetAbi, gelatoStyleTargetBytecode);
    const resolver = await chain.deploy(gelatoStyleResolverAbi, gelatoStyleResolverBytecode, [target]);
    const { id, forwarder } = await chain.register(gelatoSpec(resolver, target), FUND);
    await chain.mined(
      await chain.wallets.deployer.writeContract({
        address: target,
        abi: gelatoStyleTargetAbi,
        functionName: "setDedicatedCaller",
        args: [forwarder],
      }),
    );
    const checker = () =>
      chain.publicClient.readContract({ address: resolver, abi: gelatoStyleResolverAbi, functionName: "checker" });
    expect((await checker())[0]).toBe(false);
    await chain.mined(
      await chain.wallets.stranger.writeContract({
        address: resolver,
        abi: gelatoStyleResolverAbi,
        functionName: "setPrice",
        args: [1234n],
      }),
    );
    const [canExec, payload] = await checker();
    expect(canExec).toBe(true);
    const { executed } = await chain.execute(id, conditionPerformData(await chain.checkRef(1n), payload));
    expect(executed?.success).toBe(true);
    expect(
      await chain.publicClient.readContract({ address: target, abi: gelatoStyleTargetAbi, functionName: "lastPrice" }),
    ).toBe(1234n);
    expect((await checker())[0]).toBe(false);
    // the target trusts only this workflow's forwarder
    await revertsWith(
      chain.wallets.stranger.writeContract({
        address: target,
        abi: gelatoStyleTargetAbi,
        functionName: "updatePrice",
        args: [1n],
      }),
      "NotDedicatedCaller",
    );
  });

  it("performs a check's answer once: a copy sent after the workflow ran, or an item without a check, is skipped", async () => {
    // TicketUpkeep performs whatever ticket it is handed, as often as it is handed it: only the registry's
    // check reference stands between a copy of one answer and a second perform.
    const upkeep = await chain.deploy(ticketUpkeepAbi, ticketUpkeepBytecode, [5n, await chain.now()]);
    const { id } = await chain.register(chainlinkSpec(upkeep), FUND);
    const [needed, performData] = await chain.publicClient.readContract({
      address: upkeep,
      abi: ticketUpkeepAbi,
      functionName: "checkUpkeep",
      args: ["0x"],
      account: zeroAddress,
    });
    expect(needed).toBe(true);
    const ticket = decodeAbiParameters([{ type: "uint64" }], performData)[0];
    const ref = await chain.checkRef(1n);
    const answer = conditionPerformData(ref, performData);
    // The same answer twice in one batch (a job and its copy): the first performs, the second is stale.
    const { events } = await chain.executeBatch([id, id], [answer, answer]);
    const outcomes = events.filter((e) => e.eventName === "WorkflowExecuted" || e.eventName === "WorkflowSkipped");
    expect(outcomes.map((e) => (e.eventName === "WorkflowSkipped" ? `skip:${e.args.reason}` : e.eventName))).toEqual([
      "WorkflowExecuted",
      `skip:${SkipReason.STALE_CHECK}`,
    ]);
    // ...and again in a later transaction; nor does an item run without a reference, or with another run's,
    // or with a block this chain does not have (another hash, a block not mined yet).
    const head = await chain.checkRef(2n);
    for (const data of [
      answer,
      performData,
      "0x" as Hex,
      conditionPerformData({ ...ref, runNumber: 3n }, performData),
      conditionPerformData({ ...head, blockHash: `0x${"ab".repeat(32)}` }, performData),
      conditionPerformData({ ...head, blockNumber: head.blockNumber + 5n }, performData),
    ]) {
      expect((await chain.execute(id, data)).skipped?.reason).toBe(SkipReason.STALE_CHECK);
    }
    const performs = await chain.publicClient.readContract({
      address: upkeep,
      abi: ticketUpkeepAbi,
      functionName: "performs",
      args: [ticket],
    });
    expect([performs, (await chain.workflow(id)).runCount]).toEqual([1n, 1n]);
    // A check answered after that run (for run 2) performs the next ticket.
    await chain.setNextTimestamp((await chain.now()) + 6n);
    await chain.testClient.mine({ blocks: 1 });
    const [again, next] = await chain.publicClient.readContract({
      address: upkeep,
      abi: ticketUpkeepAbi,
      functionName: "checkUpkeep",
      args: ["0x"],
      account: zeroAddress,
    });
    expect(again).toBe(true);
    expect(next).not.toBe(performData);
    expect((await chain.execute(id, conditionPerformData(await chain.checkRef(2n), next))).executed?.success).toBe(
      true,
    );
  });

  it("refuses an answer asked at a block a reorg replaced: re-sent onto the new chain it would perform a ticket twice", async () => {
    // Found by the reorg suite (tickets performed twice). A reorg hands the run numbers to a new history,
    // and anvil's (like a real fork's) blocks can carry earlier times than the ones they replace. An
    // answer "ticket T is due" asked on the old chain and re-sent onto the new one performed T before it
    // was due there; TicketUpkeep then set T due again (its time plus the period), and T was performed a
    // second time when it came. The block the answer was asked at is gone, so the chain refuses it.
    const period = 5n;
    const upkeep = await chain.deploy(ticketUpkeepAbi, ticketUpkeepBytecode, [period, await chain.now()]);
    const { id } = await chain.register(chainlinkSpec(upkeep), FUND);
    const ask = () =>
      chain.publicClient.readContract({
        address: upkeep,
        abi: ticketUpkeepAbi,
        functionName: "checkUpkeep",
        args: ["0x"],
        account: zeroAddress,
      });
    const performs = (ticket: bigint) =>
      chain.publicClient.readContract({
        address: upkeep,
        abi: ticketUpkeepAbi,
        functionName: "performs",
        args: [ticket],
      });
    const first = await ask();
    expect((await chain.execute(id, conditionPerformData(await chain.checkRef(1n), first[1]))).executed?.success).toBe(
      true,
    );
    // The next ticket falls due; asked at that block, the answer is performed in the next.
    const ticket = (await chain.now()) + period;
    await chain.setNextTimestamp(ticket);
    await chain.testClient.mine({ blocks: 1 });
    const [needed, performData] = await ask();
    expect([needed, decodeAbiParameters([{ type: "uint64" }], performData)[0]]).toEqual([true, ticket]);
    const answer = conditionPerformData(await chain.checkRef(2n), performData);
    expect((await chain.execute(id, answer)).executed?.success).toBe(true);
    expect(await performs(ticket)).toBe(1n);

    // Both blocks reorged away: the new chain is back before the ticket fell due, at run 1.
    await anvilRequest(chain, "anvil_reorg", [2, []]);
    expect([await performs(ticket), (await chain.workflow(id)).runCount]).toEqual([0n, 1n]);
    expect(await chain.now()).toBeLessThan(ticket);
    // The re-sent answer names run 2, the run that comes next here too, but a block this chain does not have.
    expect((await chain.execute(id, answer)).skipped?.reason).toBe(SkipReason.STALE_CHECK);
    expect(await performs(ticket)).toBe(0n);
    // Asked afresh on the new chain once the ticket is due, it is performed once.
    await chain.setNextTimestamp(ticket + 1n);
    await chain.testClient.mine({ blocks: 1 });
    const [dueAgain, again] = await ask();
    expect(dueAgain).toBe(true);
    expect((await chain.execute(id, conditionPerformData(await chain.checkRef(2n), again))).executed?.success).toBe(
      true,
    );
    expect(await performs(ticket)).toBe(1n);
  });
});

describe("fees", () => {
  it("caps the fee at the workflow's max fee per run", async () => {
    const { id, start } = await scheduled([increment()], 10n, 100n, { maxFeePerRun: 1000n }, FUND);
    await chain.setNextTimestamp(start);
    const { executed } = await chain.execute(id);
    expect(executed?.fee).toBe(1000n);
    expect(await chain.balanceOf(id)).toBe(FUND - 1000n);
  });

  it("follows the admin's fee parameters, which only the admin may set", async () => {
    await revertsWith(
      chain.wallets.stranger.writeContract({
        address: chain.deployment.feeEscrow,
        abi: feeEscrowAbi,
        functionName: "setFeeParams",
        args: [0, 0n],
      }),
      "AccessControlUnauthorizedAccount",
    );
    await revertsWith(
      chain.wallets.deployer.writeContract({
        address: chain.deployment.feeEscrow,
        abi: feeEscrowAbi,
        functionName: "setFeeParams",
        args: [10_001, 0n],
      }),
      "PremiumTooHigh",
    );
    const receipt = await chain.mined(
      await chain.wallets.deployer.writeContract({
        address: chain.deployment.feeEscrow,
        abi: feeEscrowAbi,
        functionName: "setFeeParams",
        args: [500, 7n],
      }),
    );
    expect(chain.events(receipt)[0]).toMatchObject({
      eventName: "FeeParamsSet",
      args: { premiumBps: 500, flatFee: 7n },
    });
    const { id, start } = await scheduled();
    await chain.setNextTimestamp(start);
    const { executed, receipt: run } = await chain.execute(id);
    expect(executed?.fee).toBe((executed!.gasUsed * run.effectiveGasPrice * 10_500n) / 10_000n + 7n);
    await chain.mined(
      await chain.wallets.deployer.writeContract({
        address: chain.deployment.feeEscrow,
        abi: feeEscrowAbi,
        functionName: "setFeeParams",
        args: [2000, 1000n],
      }),
    );
  });
});

describe("simulateBatch", () => {
  it("reports each item's outcome and the gas the batch needs, changing nothing", async () => {
    const good = await scheduled([increment()], 10n, 0n);
    const bad = await scheduled([failing()], 10n, 0n);
    const later = await scheduled([increment()], 10n, 1000n);
    const ids = [good.id, bad.id, later.id];
    const before = await count();
    // (simulationOf throws unless the call reverts with SimulationResult)
    const { results, gasRequired } = await simulationOf(chain, ids, ["0x", "0x", "0x"]);
    expect(results.map((r) => [r.skipReason, r.success, r.dueAt])).toEqual([
      [SkipReason.NONE, true, (await chain.workflow(good.id)).nextExecutionAt],
      [SkipReason.NONE, false, (await chain.workflow(bad.id)).nextExecutionAt],
      [SkipReason.NOT_DUE, false, 0n],
    ]);
    expect(decodeErrorResult({ abi: [], data: results[1]!.reason }).args).toEqual(["target says no"]);
    // enough for every item's full limit: at least the last runnable item's 200k limit plus bookkeeping
    expect(gasRequired).toBeGreaterThan((200_000n * 64n) / 63n);
    expect(await count()).toBe(before);
    expect((await chain.workflow(good.id)).runCount).toBe(0n);
    // and a batch sent with that much gas (plus intrinsic) goes through with the same outcomes
    const hash = await chain.wallets.worker.writeContract({
      address: chain.deployment.actionExecutor,
      abi: actionExecutorAbi,
      functionName: "executeBatch",
      args: [ids, ["0x", "0x", "0x"]],
      gas: gasRequired + 60_000n,
    });
    const receipt = await chain.mined(hash);
    expect(receipt.status).toBe("success");
    expect(await count()).toBe(before + 1n);
  });

  it("is for workers only", async () => {
    await revertsWith(
      chain.publicClient.simulateContract({
        account: chain.wallets.stranger.account,
        address: chain.deployment.actionExecutor,
        abi: actionExecutorAbi,
        functionName: "simulateBatch",
        args: [[1n], ["0x"], 0n],
      }),
      "AccessControlUnauthorizedAccount",
    );
  });
});
