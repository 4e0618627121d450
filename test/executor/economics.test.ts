/**
 * Hostile workflows against a real stack (anvil, Ponder, Redis, `npm run executor`), as issue 11 found
 * them: anyone can register one, so the worker must never pay for other people's gas.
 * - An underpaying gas burner (maxFeePerRun = 1 wei, 5M gas, every 2 s, burns 90% and succeeds) is never
 *   sent: it waits as "underpriced" (API, metrics, logs), is not dead-lettered, and runs once its owner
 *   raises the cap. The worker's balance plus its earnings does not fall meanwhile.
 * - Checkers that burn 50M gas, return 1 MB of performData or revert with 100 kB get no run, and an honest
 *   upkeep beside them still runs.
 */
import { type Address, encodeFunctionData, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chainlinkStyleUpkeepAbi,
  chainlinkStyleUpkeepBytecode,
  counterAbi,
  counterBytecode,
  feeEscrowAbi,
  gasBurningCheckerAbi,
  gasBurningCheckerBytecode,
  hugePerformDataUpkeepAbi,
  hugePerformDataUpkeepBytecode,
  revertingCheckerAbi,
  revertingCheckerBytecode,
  shareBurnerAbi,
  shareBurnerBytecode,
  workflowRegistryAbi,
} from "../../abis/index.js";
import { chainlinkSpec, timeSpec } from "../../lib/spec.js";
import { type WorkerTx, workerTransactions } from "../../tools/harness/chain-runs.js";
import { type ExecutorProcess, spawnExecutor } from "../../tools/harness/executor.js";
import { chainMetrics } from "../../tools/harness/metrics.js";
import { type Stack, startStack } from "../../tools/harness/stack.js";
import { sleep, until } from "../../tools/harness/wait.js";

let stack: Stack;
let executor: ExecutorProcess;
let metricsPort: string;
beforeAll(async () => {
  stack = await startStack();
  await stack.intervalMining(1);
  const env = await stack.env();
  metricsPort = env.METRICS_PORT!;
  executor = spawnExecutor(env);
  await executor.waitForLog(/"index ready; scheduling"/);
});
afterAll(async () => {
  await executor?.kill();
  await stack?.stop();
});

/** One series of the stack's chain (every autokeeper_* series carries its chain). */
async function metric(name: string): Promise<number | undefined> {
  const [value] = await chainMetrics(metricsPort, stack.chain.deployment.chainId, name);
  return value;
}

describe("an underpaying gas burner", () => {
  it("is never sent, shows as underpriced, is not dead-lettered, and runs once its owner pays", async () => {
    const { chain } = stack;
    const fromBlock = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    const counter = await chain.deploy(counterAbi, counterBytecode);
    const burner = await chain.deploy(shareBurnerAbi, shareBurnerBytecode);
    const honest = await chain.register(
      timeSpec(
        [{ target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) }],
        2n,
      ),
      parseEther("1"),
    );
    const burn = {
      target: burner,
      value: 0n,
      data: encodeFunctionData({ abi: shareBurnerAbi, functionName: "burnShare", args: [9000n] }),
    };
    const hostileSpec = timeSpec([burn], 2n, { gasLimit: 5_000_000, maxFeePerRun: 1n });
    const hostile = await chain.register(hostileSpec, parseEther("0.01"));
    const runs = async (id: bigint) => (await chain.workflow(id)).runCount;
    await until("the honest workflow to run 8 times", async () => (await runs(honest.id)) >= 8n, 60_000);
    await until("the burner to show as underpriced in the API", async () => {
      const res = await fetch(`${stack.indexer.url}/api/workflows/${hostile.id}`);
      const body = (await res.json()) as { queue: { state: string; underpriced: { feeWei: string } | null } };
      return body.queue.state === "underpriced" && body.queue.underpriced?.feeWei === "1";
    });

    // Not one run of the burner: no transaction of the worker carried it, so it cost the worker nothing;
    // and what the worker's runs were charged covered the transactions that carried them.
    expect(await runs(hostile.id)).toBe(0n);
    const sent = await workerTransactions(chain, chain.wallets.worker.account.address, fromBlock + 1n);
    expect(sent.filter((t) => [...t.executed, ...t.skipped].includes(hostile.id))).toEqual([]);
    // A batch never reverts (an item that fails is charged, one that cannot run is skipped), so no
    // transaction can have carried the burner unseen.
    expect(sent.filter((t) => t.reverted)).toEqual([]);
    const carrying = sent.filter((t) => t.executed.length > 0);
    const sum = (ts: WorkerTx[], of: (t: WorkerTx) => bigint) => ts.reduce((n, t) => n + of(t), 0n);
    const [cost, fees] = [sum(carrying, (t) => t.cost), sum(carrying, (t) => t.fees)];
    expect(fees).toBeGreaterThanOrEqual(cost);
    // Transactions with no run charged (a nonce closed by a self-transfer, a batch whose runs were all
    // skipped): the worker's own cost of sending ahead, shown rather than asserted (their number depends on
    // how late the machine runs the executor).
    const uncharged = sent.filter((t) => t.executed.length === 0);
    console.log(
      `worker over ${carrying.length} transactions carrying ${carrying.reduce((n, t) => n + t.executed.length, 0)} honest runs beside the burner: ` +
        `charged ${fees} wei for ${cost} wei paid; ${uncharged.length} transaction(s) without a charged run cost ${sum(uncharged, (t) => t.cost)} wei`,
    );
    expect(await metric("autokeeper_workflows_underpriced")).toBe(1);
    expect(await metric('autokeeper_jobs_delayed_total{reason="underpriced"}')).toBeGreaterThan(0);
    expect(executor.output()).toMatch(/"run underpriced: its fee does not cover its cost/);
    // One job waits for it: a workflow that surely cannot pay gets no slots offered ahead.
    const jobs = await stack.queue.getJobs(["waiting", "delayed", "active", "completed", "failed", "prioritized"]);
    expect(jobs.filter((j) => j.data.workflowId === String(hostile.id))).toHaveLength(1);
    // It waits; it is not a fault: nothing of it in the dead-letter set.
    const dead = await stack.queue.getFailed();
    expect(dead.filter((j) => j.data.workflowId === String(hostile.id))).toEqual([]);

    // Its owner raises the cap to what a run costs: it runs, each slot once.
    await chain.mined(
      await chain.wallets.owner.writeContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "update",
        args: [hostile.id, { ...hostileSpec, maxFeePerRun: parseEther("0.05") }],
      }),
    );
    await chain.mined(
      await chain.wallets.owner.writeContract({
        address: chain.deployment.feeEscrow,
        abi: feeEscrowAbi,
        functionName: "deposit",
        args: [hostile.id],
        value: parseEther("1"),
      }),
    );
    await until("the burner to run once it pays", async () => (await runs(hostile.id)) >= 2n, 60_000);
    await until("the API to stop calling it underpriced", async () => {
      const res = await fetch(`${stack.indexer.url}/api/workflows/${hostile.id}`);
      return ((await res.json()) as { queue: { state: string } }).queue.state !== "underpriced";
    });
    expect(await metric("autokeeper_workflows_underpriced")).toBe(0);
  }, 180_000);
});

describe("hostile checkers", () => {
  it("get no run for 50M gas, 1 MB or 6 kB of performData or a 100 kB revert; an honest upkeep still runs", async () => {
    const { chain } = stack;
    const burner = await chain.deploy(gasBurningCheckerAbi, gasBurningCheckerBytecode, [50_000_000n]);
    // A megabyte takes more than CHECK_GAS_LIMIT to build (memory grows quadratically): refused for gas.
    const huge = await chain.deploy(hugePerformDataUpkeepAbi, hugePerformDataUpkeepBytecode, [1_048_576n]);
    // 6 kB fits in the gas and is over MAX_PERFORM_DATA_BYTES (5,000): refused for its size.
    const large = await chain.deploy(hugePerformDataUpkeepAbi, hugePerformDataUpkeepBytecode, [6_000n]);
    const reverter = await chain.deploy(revertingCheckerAbi, revertingCheckerBytecode, [100_000n]);
    const honest = await chain.deploy(chainlinkStyleUpkeepAbi, chainlinkStyleUpkeepBytecode, [10n]);
    for (const checker of [burner, huge, large, reverter, honest]) {
      await chain.register(chainlinkSpec(checker as Address), parseEther("1"));
    }
    const performs = async (address: Address) =>
      chain.publicClient.readContract({ address, abi: gasBurningCheckerAbi, functionName: "performs" });
    const performed = () =>
      chain.publicClient.readContract({ address: honest, abi: chainlinkStyleUpkeepAbi, functionName: "performed" });

    // The honest upkeep turns due after the hostile checkers have been asked for a while.
    await sleep(6000);
    await chain.mined(
      await chain.wallets.stranger.writeContract({
        address: honest,
        abi: chainlinkStyleUpkeepAbi,
        functionName: "setValue",
        args: [12n],
      }),
    );
    await until("the honest upkeep to be performed", async () => (await performed()) === 1n, 30_000);
    await sleep(3000);
    expect(await Promise.all([burner, huge, large, reverter].map(performs))).toEqual([0n, 0n, 0n, 0n]);
    const refused = (reason: string) => metric(`autokeeper_checks_refused_total{reason="${reason}"}`);
    expect(await refused("gas")).toBeGreaterThan(0);
    expect(await refused("perform_data_too_large")).toBeGreaterThan(0);
    expect(await refused("reverted")).toBeGreaterThan(0);
    // Said once each, with at most a short piece of the 100 kB revert data.
    const out = executor.output();
    expect(out.match(/"checker answer refused: no run"/g)?.length).toBe(4);
    expect(out.length).toBeLessThan(2_000_000);
    expect(Math.max(...out.split("\n").map((l) => l.length))).toBeLessThan(4000);
    // Nothing of the megabyte reached Redis: no job of the hostile checkers at all.
    const jobs = await stack.queue.getJobs(["waiting", "delayed", "active", "completed", "failed"]);
    expect(jobs.filter((j) => j.data.performData.length > 10_000)).toEqual([]);
  }, 120_000);
});
