/**
 * Reorgs of the executor's own transactions. Found by trying it: under `npm run dev`, `anvil_reorg` of
 * depth 4 dropped a block holding the worker's transaction with nonce 9; the chain's nonce went back to
 * 9, the worker's later nonces sat in the pool behind the gap, and every workflow stopped. Here a
 * running stack is reorged under load: every run the reorg undid is served again, no workflow stalls,
 * and no slot runs twice. CONDITION workflows on a Chainlink-style upkeep that trusts its keeper ride
 * along: a reorg must not make one perform a ticket twice (the chaos suite once saw 6 do so) or leave one
 * open.
 */
import { encodeAbiParameters, encodeFunctionData, parseEther } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import { counterAbi, counterBytecode, ticketUpkeepAbi, ticketUpkeepBytecode } from "../../abis/index.js";
import { DEV_KEYS } from "../../lib/accounts.js";
import { conditionPerformData } from "../../lib/check-ref.js";
import { jobId } from "../../lib/queue.js";
import { chainlinkSpec, timeSpec } from "../../lib/spec.js";
import { reorgOwnTransactions } from "../helpers/chain-faults.js";
import { readTimeLedger, ticketPerforms } from "../helpers/chain-runs.js";
import { type ExecutorProcess, leakedKeys, spawnExecutor } from "../helpers/executor.js";
import { type TimeWorkflow, ticketLedger } from "../helpers/ledger.js";
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

// Depth 4 is the reorg found by trying it, deeper than CONFIRMATIONS (so settled runs come back too);
// `npm run chaos` measures depths 1, 4 and 10.
it.each([4])(
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
    const upkeeps = new Map<`0x${string}`, { workflowId: bigint; period: bigint }>();
    for (let i = 0; i < 6; i++) {
      const period = BigInt(2 + (i % 3));
      const upkeep = await chain.deploy(ticketUpkeepAbi, ticketUpkeepBytecode, [period, start]);
      const { id } = await chain.register(chainlinkSpec(upkeep, { gasLimit: 150_000 }), parseEther("1"));
      upkeeps.set(upkeep, { workflowId: id, period });
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
    const ledger = await readTimeLedger(chain, workflows, firstBlock, end);
    const lost = ledger.slots.filter((s) => s.state === "lost").map((s) => `#${s.workflowId}@+${s.at - start}s`);
    expect({ lost, doubled: ledger.doubled, anomalies: ledger.anomalies }).toEqual({
      lost: [],
      doubled: [],
      anomalies: [],
    });
    const performs = await ticketPerforms(chain, new Map([...upkeeps].map(([a, u]) => [a, u.workflowId])), firstBlock);
    const tickets = ticketLedger(
      await Promise.all(
        [...upkeeps].map(async ([address, u]) => ({
          ...u,
          openTicket: await chain.publicClient.readContract({ address, abi: ticketUpkeepAbi, functionName: "nextAt" }),
        })),
      ),
      performs.filter((p) => p.ticket <= end),
      end,
    );
    expect({
      ticketsLost: tickets.lost.map((t) => `#${t.workflowId}@+${t.at - start}s`),
      ticketsDoubled: tickets.doubled.map((p) => `#${p.workflowId}@+${p.ticket - start}s`),
    }).toEqual({ ticketsLost: [], ticketsDoubled: [] });
    expect(tickets.served.length).toBeGreaterThan(60);
    const count = (state: string) => ledger.slots.filter((s) => s.state === state).length;
    expect(count("served")).toBeGreaterThan(100);
    // The worker saw its own transactions leave the chain and sent them again at their nonces. anvil
    // re-mines the undone blocks at one timestamp, so runs from their later blocks are not due yet on the
    // new chain: the re-sends leave them out and hand them back to their (completed) jobs, which send
    // them when due instead of waiting for the reconciler to notice the chain still wants them.
    expect(executor.output()).toContain('"a reorg removed this transaction from the chain"');
    expect(executor.output()).toContain("its job goes back in the queue");
    console.log(
      `reorg depth ${depth}: ${undone} executor transactions undone; ${count("served")} slots served, ` +
        `${count("skipped")} skipped by the missed-slot rule, ${tickets.served.length} tickets performed once, ` +
        "0 lost, 0 doubled",
    );
    expect(await executor.stop()).toBe(0);
    executor = undefined;
  },
  240_000,
);

it("drops a check asked at a block the chain no longer has, asks the checker again, and performs the ticket once", async () => {
  // The state a reorg leaves behind, built directly: the job carries an answer for the run the chain now
  // waits for, asked at a block this chain does not have (a reorg replaced it). Sent, the chain refuses it
  // (lib/check-ref.ts); the worker sees that in its simulation and sends nothing, and the slot is offered
  // again and checked afresh on this chain. (The depth-4 reorg above once performed two tickets twice by
  // re-sending such answers, before the reference named its block.)
  const { chain } = stack;
  await chain.testClient.setAutomine(true);
  const start = (await chain.now()) + 10n;
  const upkeep = await chain.deploy(ticketUpkeepAbi, ticketUpkeepBytecode, [600n, start]);
  const { id } = await chain.register(chainlinkSpec(upkeep, { gasLimit: 150_000, startTime: start }), parseEther("1"));
  const firstBlock = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  // The slot the chain waits at (the start time, or the registration block's time if that is later).
  const { nextExecutionAt: slot } = await chain.workflow(id);
  await stack.indexer.catchUp();
  const job = jobId(chain.deployment.chainId, id, slot);
  await stack.queue.add(
    "run",
    {
      chainId: chain.deployment.chainId,
      workflowId: String(id),
      dueAt: String(slot),
      performData: conditionPerformData(
        { ...(await chain.checkRef(1n)), blockHash: `0x${"ab".repeat(32)}` },
        encodeAbiParameters([{ type: "uint64" }], [start]),
      ),
      gasLimit: 150_000,
      trigger: "CONDITION",
    },
    { jobId: job },
  );
  await stack.intervalMining(1);
  await executor?.kill();
  executor = spawnExecutor(await stack.env());
  await executor.waitForLog(/"reason":"STALE_CHECK","msg":"nothing to run"/, 60_000);
  await executor.waitForLog(/"the chain still waits for a completed job's slot: offering it again"/, 60_000);
  await until("the ticket to be performed", async () => (await chain.workflow(id)).runCount > 0n, 60_000);
  await sleep(3000);
  const performs = await ticketPerforms(chain, new Map([[upkeep, id]]), firstBlock);
  expect(performs.map((p) => [p.ticket, p.count])).toEqual([[start, 1n]]);
  expect((await chain.workflow(id)).runCount).toBe(1n);
  expect(await executor.stop()).toBe(0);
  executor = undefined;
}, 120_000);

it("never printed a private key", () => {
  expect(leakedKeys([DEV_KEYS.worker, DEV_KEYS.deployer])).toEqual([]);
});
