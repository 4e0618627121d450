/**
 * The steady load the chaos suite runs under: TIME workflows with 1–10 s intervals (each run increments
 * a counter) and CONDITION workflows on TicketUpkeep (a Chainlink-style upkeep that trusts its keeper,
 * so a doubled or lost perform shows). Registered on automine, then the chain moves to 1 s blocks.
 */
import { type Address, encodeFunctionData, parseEther } from "viem";
import { counterAbi, counterBytecode, ticketUpkeepAbi, ticketUpkeepBytecode } from "../../../abis/index.js";
import { chainlinkSpec, timeSpec } from "../../../lib/spec.js";
import type { TimeWorkflow } from "../ledger.js";
import type { ChaosStack } from "./stack.js";

export interface TicketWorkflow {
  workflowId: bigint;
  upkeep: Address;
  period: bigint;
}

export interface Workload {
  time: TimeWorkflow[];
  tickets: TicketWorkflow[];
  /** When the first slots fall due. */
  start: bigint;
  /** The first block after registration: runs are read from here. */
  fromBlock: bigint;
}

export interface WorkloadSize {
  time: number;
  conditions: number;
  /** Seconds from registration to the first due slot (the system warms up meanwhile). */
  leadSeconds: number;
  /** Enough for every run of the longest soak at 1 gwei (a run costs about 0.0002 ETH). */
  fundingEth?: string;
}

export async function loadWorkload(stack: Pick<ChaosStack, "chain">, size: WorkloadSize): Promise<Workload> {
  const { chain } = stack;
  const funding = parseEther(size.fundingEth ?? "1");
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  const start = (await chain.now()) + BigInt(size.leadSeconds);
  const time: TimeWorkflow[] = [];
  for (let i = 0; i < size.time; i++) {
    const interval = BigInt(1 + (i % 10));
    // Staggered starts, so every block has work.
    const first = start + BigInt(i % 10);
    const { id } = await chain.register(timeSpec([inc], interval, { startTime: first, gasLimit: 100_000 }), funding);
    time.push({ id, start: first, interval, end: 0n });
  }
  const tickets: TicketWorkflow[] = [];
  for (let i = 0; i < size.conditions; i++) {
    const period = BigInt(3 + (i % 5));
    const upkeep = await chain.deploy(ticketUpkeepAbi, ticketUpkeepBytecode, [period, start + BigInt(i % 5)]);
    const { id } = await chain.register(chainlinkSpec(upkeep, { gasLimit: 150_000 }), funding);
    tickets.push({ workflowId: id, upkeep, period });
  }
  const fromBlock = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  await chain.testClient.setAutomine(false);
  await chain.testClient.setIntervalMining({ interval: 1 });
  return { time, tickets, start, fromBlock };
}
