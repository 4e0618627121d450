/**
 * LOG triggers behind the head: the indexer has no block handler there (a Ponder block source would fetch
 * every block of a backfill) and reads the logs in ranges when the watches change, when a run names a log
 * not matched yet, and at the first live block. Everything below happens before Ponder starts, against a
 * real anvil and a real Ponder (PGlite): a filter, a pause and a resume, a filter changed by an update,
 * a log upkeep's checkLog, a run sent before the index existed, and logs in the block of a pause.
 */
import { type Address, encodeFunctionData, type Hash, type Hex, hexToBigInt, parseEther } from "viem";
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
import { logPerformData } from "../../lib/log-trigger.js";
import { chainlinkLogSpec, logSpec } from "../../lib/spec.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { type Indexer, startIndexer } from "../../tools/harness/indexer.js";
import { PING, word } from "../../tools/harness/ping.js";

interface TriggerLogItem {
  txHash: Hash;
  logIndex: number;
  blockNumber: string;
  topics: Hex[];
  state: string;
  skipReason: string | null;
  run: { runNumber: number; txHash: Hash } | null;
}
interface Ref {
  tx: Hash;
  blockNumber: bigint;
  blockHash: Hex;
  logIndex: number;
  tag: bigint;
}

let chain: Chain;
let ix: Indexer;
let emitter: Address;
let logId: bigint;
let upkeepId: bigint;
let runTx: Hash;
const expected: { ran: Ref[]; pending: Ref[]; absent: Ref[] } = { ran: [], pending: [], absent: [] };

async function pings(tag: bigint, count = 1n): Promise<Ref[]> {
  const receipt = await chain.mined(
    await chain.wallets.stranger.writeContract({
      address: emitter,
      abi: emitterAbi,
      functionName: "pingMany",
      args: [count, tag],
    }),
  );
  return receipt.logs.map((l) => ({
    tx: receipt.transactionHash,
    blockNumber: l.blockNumber,
    blockHash: l.blockHash,
    logIndex: l.logIndex,
    tag,
  }));
}

async function registry(functionName: "pause" | "resume", id: bigint) {
  return chain.mined(
    await chain.wallets.owner.writeContract({
      address: chain.deployment.registry,
      abi: workflowRegistryAbi,
      functionName,
      args: [id],
    }),
  );
}

beforeAll(async () => {
  chain = await startChain();
  emitter = await chain.deploy(emitterAbi, emitterBytecode);
  const upkeep = await chain.deploy(chainlinkStyleLogUpkeepAbi, chainlinkStyleLogUpkeepBytecode);
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  const topic0 = PING;
  expected.absent.push(...(await pings(7n))); // before any workflow (n = 1)

  // Tag 7 only; the filter changes to tag 9 further down.
  logId = (await chain.register(logSpec({ emitter, topic0, topic3: word(7n) }, [inc]), parseEther("1"))).id;
  // Declines logs whose n is a multiple of 5.
  upkeepId = (
    await chain.register(
      chainlinkLogSpec(upkeep, { emitter, topic0 }, { checkData: word(5n), gasLimit: 150_000 }),
      parseEther("1"),
    )
  ).id;
  const [first] = await pings(7n);
  expected.ran.push(first!);
  await chain.testClient.mine({ blocks: 40 });
  expected.pending.push(...(await pings(7n, 2n)));
  expected.absent.push(...(await pings(8n)));

  // Paused: its logs are not its own. In the pause's own block, the logs before the pause still are.
  await chain.testClient.setAutomine(false);
  const fees = await chain.publicClient.estimateFeesPerGas();
  const early = await chain.wallets.stranger.writeContract({
    address: emitter,
    abi: emitterAbi,
    functionName: "pingMany",
    args: [1n, 7n],
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas * 10n,
    maxFeePerGas: fees.maxFeePerGas * 10n,
  });
  const pause = await chain.wallets.owner.writeContract({
    address: chain.deployment.registry,
    abi: workflowRegistryAbi,
    functionName: "pause",
    args: [logId],
  });
  await chain.testClient.mine({ blocks: 1 });
  await chain.testClient.setAutomine(true);
  const [earlyReceipt, pauseReceipt] = await Promise.all([chain.mined(early), chain.mined(pause)]);
  expect(earlyReceipt.blockNumber).toBe(pauseReceipt.blockNumber);
  const earlyLog = earlyReceipt.logs[0]!;
  expect(earlyLog.logIndex).toBeLessThan(pauseReceipt.logs[0]!.logIndex);
  expected.pending.push({
    tx: early,
    blockNumber: earlyLog.blockNumber,
    blockHash: earlyLog.blockHash,
    logIndex: earlyLog.logIndex,
    tag: 7n,
  });
  expected.absent.push(...(await pings(7n)));
  await chain.testClient.mine({ blocks: 3 });
  await registry("resume", logId);
  expected.pending.push(...(await pings(7n)));

  // A run of the first log, sent before the index knew of it.
  const batch = await chain.executeBatch([logId], [logPerformData(first!)], chain.wallets.worker, 2_000_000n);
  expect(batch.events.filter((e) => e.eventName === "WorkflowExecuted")).toHaveLength(1);
  runTx = batch.receipt.transactionHash;

  // From here on tag 9, not 7.
  await chain.mined(
    await chain.wallets.owner.writeContract({
      address: chain.deployment.registry,
      abi: workflowRegistryAbi,
      functionName: "update",
      args: [logId, logSpec({ emitter, topic0, topic3: word(9n) }, [inc])],
    }),
  );
  expected.absent.push(...(await pings(7n)));
  expected.pending.push(...(await pings(9n)));
  await chain.testClient.mine({ blocks: 5 });

  ix = await startIndexer(chain, "pglite");
  await ix.catchUp();
});

afterAll(async () => {
  await ix?.stop();
  await chain?.stop();
});

async function logsOf(id: bigint): Promise<TriggerLogItem[]> {
  const page = await ix.get<{ items: TriggerLogItem[] }>(`/api/workflows/${id}/logs?limit=100`);
  expect(page.status).toBe(200);
  return page.body.items;
}

const key = (r: { txHash?: Hash; tx?: Hash; logIndex: number }) => `${r.txHash ?? r.tx}:${r.logIndex}`;

describe("LOG triggers behind the head", () => {
  it("matches the logs emitted before the index started, as the filters stood when each was emitted", async () => {
    const rows = await logsOf(logId);
    const byKey = new Map(rows.map((r) => [key(r), r]));
    expect(rows).toHaveLength(expected.ran.length + expected.pending.length);
    for (const r of expected.ran) expect(byKey.get(key(r))).toMatchObject({ state: "RAN", run: { txHash: runTx } });
    for (const r of expected.pending) expect(byKey.get(key(r))).toMatchObject({ state: "PENDING", run: null });
    for (const r of expected.absent) expect(byKey.has(key(r))).toBe(false);
  });

  it("names the log a run sent before the index existed served, with lateness from the log's block", async () => {
    const runs = await ix.get<{
      items: { trigger: { txHash: Hash; logIndex: number } | null; latenessSeconds: string }[];
    }>(`/api/workflows/${logId}/executions`);
    const first = expected.ran[0]!;
    expect(runs.body.items.map((r) => r.trigger)).toEqual([
      { txHash: first.tx, logIndex: first.logIndex, blockNumber: String(first.blockNumber) },
    ]);
    const logTime = (await chain.publicClient.getBlock({ blockNumber: first.blockNumber })).timestamp;
    const runBlock = (await chain.publicClient.getTransactionReceipt({ hash: runTx })).blockNumber;
    const runTime = (await chain.publicClient.getBlock({ blockNumber: runBlock })).timestamp;
    expect(runs.body.items[0]?.latenessSeconds).toBe(String(runTime - logTime));
  });

  it("asks a log upkeep's checkLog at each log's block while reading ranges", async () => {
    // Every ping after its registration whatever the tag (n = 2 … 10), n = 5 and 10 declined by checkData.
    const rows = await logsOf(upkeepId);
    const byN = rows
      .map((r) => [Number(hexToBigInt(r.topics[2]!)), r.state, r.skipReason])
      .sort(([a], [b]) => Number(a) - Number(b));
    expect(byN.map(([n, state]) => [n, state])).toEqual(
      [2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => [n, n % 5 === 0 ? "SKIPPED" : "PENDING"]),
    );
    for (const [n, , reason] of byN) if (Number(n) % 5 === 0) expect(reason).toMatch(/upkeepNeeded false/);
  });

  it("goes on block by block once live", async () => {
    const [live] = await pings(9n);
    await ix.catchUp();
    const rows = await logsOf(logId);
    expect(rows.find((r) => key(r) === key(live!))).toMatchObject({ state: "PENDING" });
  });
});
