/**
 * Reorgs of the executor's own transactions. Found by trying it: under `npm run dev`, `anvil_reorg` of
 * depth 4 dropped a block holding the worker's transaction with nonce 9; the chain's nonce went back to
 * 9, the worker's later nonces sat in the pool behind the gap, and every workflow stopped. Here a
 * running stack is reorged under load: every run the reorg undid is served again, no workflow stalls,
 * and no slot runs twice.
 */
import { encodeFunctionData, parseEther } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import { counterAbi, counterBytecode } from "../../abis/index.js";
import { DEV_KEYS } from "../../lib/accounts.js";
import { timeSpec } from "../../lib/spec.js";
import { reorgOwnTransactions } from "../helpers/chain-faults.js";
import { executedRuns } from "../helpers/chain-runs.js";
import { type ExecutorProcess, leakedKeys, spawnExecutor } from "../helpers/executor.js";
import { type TimeWorkflow, timeLedger } from "../helpers/ledger.js";
import { type Stack, startStack } from "../helpers/stack.js";
import { sleep, until } from "../helpers/wait.js";

let stack: Stack;
let executor: ExecutorProcess | undefined;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await executor?.kill();
  await stack?.stop();
});

it.each([4, 10])(
  "serves again every run a reorg of depth %i undid, and no workflow stalls",
  async (depth) => {
    const { chain } = stack;
    await chain.testClient.setAutomine(true);
    const counter = await chain.deploy(counterAbi, counterBytecode);
    const inc = {
      target: counter,
      value: 0n,
      data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }),
    };
    const start = (await chain.now()) + 15n;
    const end = start + 60n;
    const workflows: TimeWorkflow[] = [];
    for (let i = 0; i < 12; i++) {
      const interval = BigInt(2 + (i % 4));
      const { id } = await chain.register(
        timeSpec([inc], interval, { startTime: start, endTime: end, gasLimit: 100_000 }),
        parseEther("1"),
      );
      workflows.push({ id, start, interval, end });
    }
    const firstBlock = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    await stack.intervalMining(1);
    await executor?.kill();
    executor = spawnExecutor(await stack.env());
    await executor.waitForLog(/"index ready; scheduling"/);

    // Let runs flow for a while, then undo the last `depth` blocks while they hold the worker's transactions.
    await until("runs to flow", async () => (await chain.now()) > start + 15n, 60_000);
    const undone = await reorgOwnTransactions(chain, depth);
    expect(undone).toBeGreaterThan(0);

    await until("the schedule to end", async () => (await chain.now()) > end + 15n, 120_000);
    await sleep(2000);
    const runs = await executedRuns(chain, firstBlock);
    const timestamps = new Map<bigint, bigint>();
    for (const r of runs) {
      if (!timestamps.has(r.blockNumber))
        timestamps.set(r.blockNumber, (await chain.publicClient.getBlock({ blockNumber: r.blockNumber })).timestamp);
    }
    const ledger = timeLedger(workflows, runs, (n) => timestamps.get(n)!, end);
    const lost = ledger.slots.filter((s) => s.state === "lost").map((s) => `#${s.workflowId}@+${s.at - start}s`);
    expect({ lost, doubled: ledger.doubled, anomalies: ledger.anomalies }).toEqual({
      lost: [],
      doubled: [],
      anomalies: [],
    });
    const count = (state: string) => ledger.slots.filter((s) => s.state === state).length;
    expect(count("served")).toBeGreaterThan(100);
    // The worker saw its own transactions leave the chain and sent them again at their nonces.
    expect(executor.output()).toContain('"a reorg removed this transaction from the chain"');
    console.log(
      `reorg depth ${depth}: ${undone} executor transactions undone; ${count("served")} slots served, ` +
        `${count("skipped")} skipped by the missed-slot rule, 0 lost, 0 doubled`,
    );
    expect(await executor.stop()).toBe(0);
    executor = undefined;
  },
  240_000,
);

it("never printed a private key", () => {
  expect(leakedKeys([DEV_KEYS.worker, DEV_KEYS.deployer])).toEqual([]);
});
