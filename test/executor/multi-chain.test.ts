/**
 * One deployment, two chains (CHAINS=31337,31338): one Ponder indexes both, one executor process serves
 * both. TIME workflows and Chainlink-style CONDITION upkeeps on each chain run exactly once, and while
 * chain B's node is frozen (SIGSTOP: its RPC accepts connections and answers nothing, the worst kind of
 * outage), chain A's runs stay at their lateness of one block.
 */
import { encodeFunctionData, parseEther } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import { counterAbi, counterBytecode, ticketUpkeepAbi, ticketUpkeepBytecode } from "../../abis/index.js";
import { chainlinkSpec, timeSpec } from "../../lib/spec.js";
import { DEV_KEYS } from "../../tools/accounts.js";
import type { Chain } from "../../tools/harness/chain.js";
import { blockTimestamps, executedRuns, ticketPerforms } from "../../tools/harness/chain-runs.js";
import { type ExecutorProcess, leakedKeys, spawnExecutor } from "../../tools/harness/executor.js";
import { latenessInBlocks, ticketLedger } from "../../tools/harness/ledger.js";
import { type MultiChainStack, startMultiChainStack } from "../../tools/harness/multi-stack.js";
import { expectNothingLostOrDoubled, type Scheduled } from "../../tools/harness/runs.js";
import { sleep, until } from "../../tools/harness/wait.js";

let stack: MultiChainStack;
let executor: ExecutorProcess;

beforeAll(async () => {
  stack = await startMultiChainStack(2);
}, 180_000);
afterAll(async () => {
  await executor?.kill();
  await stack?.stop();
});

interface Workload {
  chain: Chain;
  time: Scheduled[];
  upkeeps: Map<`0x${string}`, { workflowId: bigint; period: bigint }>;
  firstBlock: bigint;
}

/** Three TIME workflows (1, 2 and 3 s) and two ticket upkeeps (3 and 4 s) from `start` to `end`. */
async function load(chain: Chain, start: bigint, end: bigint): Promise<Workload> {
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  const time: Scheduled[] = [];
  for (const interval of [1n, 2n, 3n]) {
    const spec = timeSpec([inc], interval, { startTime: start, endTime: end, gasLimit: 100_000 });
    const { id } = await chain.register(spec, parseEther("1"));
    time.push({ id, interval, start, end });
  }
  const upkeeps: Workload["upkeeps"] = new Map();
  for (const period of [3n, 4n]) {
    const upkeep = await chain.deploy(ticketUpkeepAbi, ticketUpkeepBytecode, [period, start]);
    const { id } = await chain.register(chainlinkSpec(upkeep, { gasLimit: 150_000 }), parseEther("1"));
    upkeeps.set(upkeep, { workflowId: id, period });
  }
  return { chain, time, upkeeps, firstBlock: await chain.publicClient.getBlockNumber({ cacheTime: 0 }) };
}

/** Every ticket due by `end` performed once: none left open, none performed twice. */
async function expectTicketsOnce(w: Workload, end: bigint) {
  const performs = await ticketPerforms(
    w.chain,
    new Map([...w.upkeeps].map(([a, u]) => [a, u.workflowId])),
    w.firstBlock,
  );
  const tickets = ticketLedger(
    await Promise.all(
      [...w.upkeeps].map(async ([address, u]) => ({
        ...u,
        openTicket: await w.chain.publicClient.readContract({ address, abi: ticketUpkeepAbi, functionName: "nextAt" }),
      })),
    ),
    performs.filter((p) => p.ticket <= end),
    end,
  );
  expect({ lost: tickets.lost, doubled: tickets.doubled }).toEqual({ lost: [], doubled: [] });
  return tickets.served.length;
}

it("runs TIME and CONDITION workflows on two chains exactly once, and chain B's outage leaves chain A on time", async () => {
  const [a, b] = stack.chains.map((c) => c.chain) as [Chain, Chain];
  expect([a.deployment.chainId, b.deployment.chainId]).toEqual([31_337, 31_338]);
  // Both chains run on wall-clock time, so one schedule serves both; it starts 30 s out, once the
  // executor is warm (its start-up is measured by the bench, not here). 20 s was once 1 s short on a
  // machine busy with other work: deploying both workloads, two indexers catching up and the start.
  const LEAD = 30n;
  let start = (await a.now()) + LEAD;
  if ((await b.now()) + LEAD > start) start = (await b.now()) + LEAD;
  const end = start + 40n;
  const loads = [await load(a, start, end), await load(b, start, end)] as const;
  // The same ids on both chains: the index keys workflows by (chain, id).
  expect(loads[0].time.map((w) => w.id)).toEqual(loads[1].time.map((w) => w.id));
  for (const { chain } of loads) {
    await chain.testClient.setAutomine(false);
    await chain.testClient.setIntervalMining({ interval: 1 });
  }
  for (const c of stack.chains) await c.indexer.catchUp();
  executor = spawnExecutor(await stack.env());
  await executor.waitForLog(/"executor started"/);
  expect(await a.now()).toBeLessThan(start); // the warm-up fitted in the lead

  // Chain B's node freezes 10 s into the schedule, for 15 s.
  await until("the outage's start", async () => (await a.now()) >= start + 10n, 90_000);
  const frozenAt = await a.now();
  b.anvil.process.kill("SIGSTOP");
  await sleep(15_000);
  const thawedAt = await a.now();
  b.anvil.process.kill("SIGCONT");

  await until("the schedule to end on both chains", async () => (await b.now()) > end + 10n, 120_000);
  await sleep(2_000);
  expect(await executor.stop()).toBe(0);

  // Exactly once on each chain: every TIME slot served once or passed over by the missed-slot rule (B's
  // frozen seconds), none lost, none doubled, the index showing exactly the served runs of that chain;
  // every ticket performed once.
  const figures: string[] = [];
  for (const [i, w] of loads.entries()) {
    const { served, skipped } = await expectNothingLostOrDoubled(stack.chains[i]!, w.time);
    const tickets = await expectTicketsOnce(w, end);
    expect(served).toBeGreaterThan(20);
    expect(tickets).toBeGreaterThan(10);
    figures.push(
      `chain ${w.chain.deployment.chainId}: ${served} slots served, ${skipped} passed over, ${tickets} tickets`,
    );
  }

  // Chain A while B was frozen, against chain A before it: TIME runs late from their slot, CONDITION runs
  // (tickets) from the ticket's time, in blocks (1: the first block at or after it).
  const timeIds = new Set(loads[0].time.map((w) => w.id));
  const timeRuns = (await executedRuns(a, loads[0].firstBlock)).filter((r) => timeIds.has(r.workflowId));
  const ticketRuns = await ticketPerforms(
    a,
    new Map([...loads[0].upkeeps].map(([address, u]) => [address, u.workflowId])),
    loads[0].firstBlock,
  );
  const late = latenessInBlocks(await blockTimestamps(a, loads[0].firstBlock, await a.publicClient.getBlockNumber()));
  const window = (from: bigint, to: bigint) => {
    const time = timeRuns.filter((r) => r.dueAt >= from && r.dueAt < to).map((r) => late(r.dueAt, r.blockNumber));
    const tickets = ticketRuns
      .filter((p) => p.ticket >= from && p.ticket < to)
      .map((p) => late(p.ticket, p.blockNumber));
    return { time: time.sort((x, y) => x - y), tickets: tickets.sort((x, y) => x - y) };
  };
  const before = window(start, frozenAt);
  const during = window(frozenAt, thawedAt);
  const show = (xs: number[]) => `${xs.length} runs, p50 ${xs[Math.floor(xs.length / 2)]} max ${xs.at(-1)}`;
  console.log(
    `multi-chain: ${figures.join("; ")}. Chain A lateness in blocks before B froze: TIME ${show(before.time)}, ` +
      `CONDITION ${show(before.tickets)}; while B was frozen ${thawedAt - frozenAt} s: TIME ${show(during.time)}, ` +
      `CONDITION ${show(during.tickets)}`,
  );
  expect(during.time.length).toBeGreaterThan(15);
  expect(during.tickets.length).toBeGreaterThan(5);
  // B's outage leaves chain A as on time as it was before B froze: TIME runs in the first block at or
  // after their slot (1), or no later than A's own worst before. (A CI run once had every run of both
  // chains a block late from the start, before B froze too: how late runs land is the bench's to
  // measure, npm run bench -- latency; what this test owns is that one chain's outage adds nothing.)
  expect(during.time.at(-1)).toBeLessThanOrEqual(Math.max(1, before.time.at(-1) ?? 1));
  // A ticket's check answers in the block that reaches it and its run lands in the next: 2 blocks, 3 when
  // the check's pass ends late in its block, with or without another chain down (before B froze: 2-3).
  expect(during.tickets.at(-1)).toBeLessThanOrEqual(Math.max(3, before.tickets.at(-1) ?? 3));

  // The index answers per chain: the same workflow id is two workflows.
  const id = loads[0].time[0]!.id;
  for (const c of stack.chains) {
    const chainId = c.chain.deployment.chainId;
    const { status, body } = await c.indexer.get<{ chainId: number; counts: { runs: number } }>(
      `/api/workflows/${id}?chainId=${chainId}`,
    );
    expect([status, body.chainId, BigInt(body.counts.runs)]).toEqual([
      200,
      chainId,
      (await c.chain.workflow(id)).runCount,
    ]);
  }
  const { body: chains } = await stack.chains[0]!.indexer.get<{ items: { id: number; indexedBlock: string | null }[] }>(
    "/api/chains",
  );
  expect(chains.items.map((c) => c.id)).toEqual([31_337, 31_338]);
  expect(leakedKeys([DEV_KEYS.worker])).toEqual([]);
}, 300_000);
