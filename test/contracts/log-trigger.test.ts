/**
 * LOG workflows on chain: a run is tied to one log (workflow, block hash, log index), so no log is
 * served twice, whoever sends it; a log whose block this chain does not have never runs; a Chainlink log
 * upkeep gets the performData after the log's reference.
 */
import { type Address, encodeAbiParameters, encodeFunctionData, type Hex, parseEther, zeroHash } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chainlinkStyleLogUpkeepAbi,
  chainlinkStyleLogUpkeepBytecode,
  counterAbi,
  counterBytecode,
  emitterAbi,
  emitterBytecode,
  workflowRegistryAbi,
} from "../../abis/index.js";
import { type LogRef, logPerformData } from "../../lib/log-trigger.js";
import { chainlinkLogSpec, logSpec, SkipReason } from "../../lib/spec.js";
import { type Chain, revertsWith, startChain } from "../../tools/harness/chain.js";
import { PING } from "../../tools/harness/ping.js";

let chain: Chain;
let counter: Address;
let emitter: Address;
let upkeep: Address;

beforeAll(async () => {
  chain = await startChain();
  counter = await chain.deploy(counterAbi, counterBytecode);
  emitter = await chain.deploy(emitterAbi, emitterBytecode);
  upkeep = await chain.deploy(chainlinkStyleLogUpkeepAbi, chainlinkStyleLogUpkeepBytecode);
});
afterAll(() => chain?.stop());

const increment = () => ({
  target: counter,
  value: 0n,
  data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }),
});

/** Emits `count` Pings tagged `tag` in one transaction; returns each log's reference. */
async function ping(count = 1, tag = 0n): Promise<LogRef[]> {
  const receipt = await chain.mined(
    await chain.wallets.stranger.writeContract({
      address: emitter,
      abi: emitterAbi,
      functionName: "pingMany",
      args: [BigInt(count), tag],
    }),
  );
  return receipt.logs.map((l) => ({ blockNumber: l.blockNumber, blockHash: l.blockHash, logIndex: l.logIndex }));
}

/** executeBatch with room to spare (eth_estimateGas can come out short of the InsufficientGas check). */
async function batch(ids: readonly bigint[], performData: readonly Hex[]) {
  const result = await chain.executeBatch(ids, performData, chain.wallets.worker, 5_000_000n);
  expect(result.receipt.status).toBe("success");
  return result;
}

const counterValue = () =>
  chain.publicClient.readContract({ address: counter, abi: counterAbi, functionName: "count" });

describe("LOG runs", () => {
  it("run once per log, whoever sends them: a second send of the same log is skipped as served", async () => {
    const { id } = await chain.register(logSpec({ emitter, topic0: PING }, [increment()]), parseEther("1"));
    const refs = await ping(3);
    const before = await counterValue();
    const first = await batch(
      refs.map(() => id),
      refs.map((r) => logPerformData(r)),
    );
    const executed = first.events.filter((e) => e.eventName === "WorkflowExecuted");
    expect(executed).toHaveLength(3);
    expect(await counterValue()).toBe(before + 3n);
    // Each run names its log, just before its WorkflowExecuted.
    const logRuns = first.events.flatMap((e) => (e.eventName === "LogRun" ? [e.args] : []));
    expect(logRuns.map((r) => [r.blockHash, Number(r.logIndex), r.runNumber])).toEqual(
      refs.map((r, i) => [r.blockHash, r.logIndex, BigInt(i + 1)]),
    );

    // Again, from the same batch, and one of them twice in one batch: all skipped, nothing runs.
    const again = await batch(
      [id, id, id],
      [logPerformData(refs[0]!), logPerformData(refs[1]!), logPerformData(refs[1]!)],
    );
    const skips = again.events.flatMap((e) => (e.eventName === "WorkflowSkipped" ? [e.args.reason] : []));
    expect(skips).toEqual([
      SkipReason.LOG_ALREADY_SERVED,
      SkipReason.LOG_ALREADY_SERVED,
      SkipReason.LOG_ALREADY_SERVED,
    ]);
    expect(await counterValue()).toBe(before + 3n);
    expect((await chain.workflow(id)).runCount).toBe(3n);
  });

  it("never runs a log whose block is not this chain's: wrong hash, a future block, a malformed reference", async () => {
    const { id } = await chain.register(logSpec({ emitter, topic0: PING }, [increment()]), parseEther("1"));
    const [ref] = await ping(1);
    // Read fresh: viem caches the head for its polling interval, and a head 5 blocks stale made "head + 5"
    // the log's own block, so that item ran (seen in CI: two skips of three).
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    const items: Hex[] = [
      logPerformData({ ...ref!, blockHash: zeroHash }),
      logPerformData({ ...ref!, blockNumber: head + 5n }),
      "0x1234",
    ];
    const { events } = await batch(
      items.map(() => id),
      items,
    );
    const skips = events.flatMap((e) => (e.eventName === "WorkflowSkipped" ? [e.args.reason] : []));
    expect(skips).toEqual([SkipReason.LOG_NOT_CANONICAL, SkipReason.LOG_NOT_CANONICAL, SkipReason.LOG_NOT_CANONICAL]);
    expect((await chain.workflow(id)).runCount).toBe(0n);
    // The genuine reference still runs: a refused reference does not consume the log.
    const ok = await batch([id], [logPerformData(ref!)]);
    expect(ok.events.some((e) => e.eventName === "WorkflowExecuted" && e.args.success)).toBe(true);
  });

  it("serves a log older than blockhash reaches (256 blocks): a worker back from a long outage loses nothing", async () => {
    const { id } = await chain.register(logSpec({ emitter, topic0: PING }, [increment()]), parseEther("1"));
    const [ref] = await ping(1);
    await chain.testClient.mine({ blocks: 300 });
    const { events } = await batch([id], [logPerformData(ref!)]);
    expect(events.some((e) => e.eventName === "WorkflowExecuted" && e.args.success)).toBe(true);
  });

  it("a Chainlink log upkeep performs with the performData after the log's reference, through the forwarder", async () => {
    const { id, forwarder } = await chain.register(
      chainlinkLogSpec(
        upkeep,
        { emitter, topic0: PING },
        { checkData: encodeAbiParameters([{ type: "uint256" }], [7n]) },
      ),
      parseEther("1"),
    );
    const [ref] = await ping(1);
    const inner = encodeAbiParameters(
      [{ type: "uint256" }, { type: "bytes32" }, { type: "uint256" }],
      [42n, ref!.blockHash, BigInt(ref!.logIndex)],
    );
    const { events } = await batch([id], [logPerformData(ref!, inner)]);
    expect(events.some((e) => e.eventName === "WorkflowExecuted" && e.args.success)).toBe(true);
    const read = (functionName: "lastN" | "lastCaller" | "performed") =>
      chain.publicClient.readContract({ address: upkeep, abi: chainlinkStyleLogUpkeepAbi, functionName });
    expect(await read("lastN")).toBe(42n);
    expect(await read("lastCaller")).toBe(forwarder);
  });

  it("refuses a LOG registration without an emitter, an event, or with both actions and an upkeep", async () => {
    const good = logSpec({ emitter, topic0: PING }, [increment()]);
    const cases = [
      logSpec({ emitter: "0x0000000000000000000000000000000000000000", topic0: PING }, [increment()]),
      logSpec({ emitter, topic0: zeroHash }, [increment()]),
      logSpec({ emitter, topic0: PING }, []),
      { ...chainlinkLogSpec(upkeep, { emitter, topic0: PING }), actions: [increment()] },
      { ...good, trigger: { ...good.trigger, interval: 10n } },
    ];
    for (const spec of cases) {
      await expect(
        chain.publicClient.simulateContract({
          account: chain.wallets.owner.account,
          address: chain.deployment.registry,
          abi: workflowRegistryAbi,
          functionName: "register",
          args: [spec],
        }),
      ).rejects.toThrow(/InvalidTrigger|InvalidActions/);
    }
    await revertsWith(
      chain.wallets.owner.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "register",
        args: [{ ...good, trigger: { ...good.trigger, data: "0x1234" } }],
      }),
      "InvalidTrigger",
    );
  });
});
