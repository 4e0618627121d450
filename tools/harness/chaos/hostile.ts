/**
 * Hostile workflows for the chaos suite (issue 11): anyone can register one, so each row registers
 * workflows written to make the worker pay for other people's gas or to clog it, from an owner of their
 * own, for the fault's duration. The row shows the worker's balance is safe (`workerNetWei`, measured
 * around every window by run.ts) and the honest load keeps its lateness meanwhile. Each reports how
 * often the hostile workflows ran (`hostileRuns`: 0 is the goal) and what the executor said about them.
 */
import { type Address, encodeFunctionData, type Hex, parseEther, parseGwei } from "viem";
import {
  counterAbi,
  counterBytecode,
  gasBurningCheckerAbi,
  gasBurningCheckerBytecode,
  hugePerformDataUpkeepAbi,
  hugePerformDataUpkeepBytecode,
  revertingCheckerAbi,
  revertingCheckerBytecode,
  shareBurnerAbi,
  shareBurnerBytecode,
  workflowRegistryAbi,
} from "../../../abis/index.js";
import { chainlinkSpec, timeSpec, type WorkflowSpec } from "../../../lib/spec.js";
import { anvilRequest } from "../chain-faults.js";
import { sleep } from "../wait.js";
import type { Fault, FaultRun } from "./faults.js";
import type { ChaosStack } from "./stack.js";

/** How many runs the workflows had, from the chain. */
async function runsOf(stack: ChaosStack, ids: bigint[]): Promise<number> {
  let n = 0n;
  for (const id of ids) n += (await stack.chain.workflow(id)).runCount;
  return Number(n);
}

/** Performs of a hostile checker (each has the same `performs()`; GasBurningChecker's ABI reads any of them). */
async function performsOf(stack: ChaosStack, checker: Address): Promise<number> {
  const n = await stack.chain.publicClient.readContract({
    address: checker,
    abi: gasBurningCheckerAbi,
    functionName: "performs",
  });
  return Number(n);
}

/** The hostile owner: not the honest load's owner. */
const hostile = (stack: ChaosStack) => stack.chain.wallets.stranger;

async function register(stack: ChaosStack, spec: WorkflowSpec, value: bigint): Promise<bigint> {
  return (await stack.chain.register(spec, value, hostile(stack))).id;
}

/** Ends a hostile workflow so it does not reach into the next row. */
async function cancel(stack: ChaosStack, id: bigint): Promise<void> {
  const { chain } = stack;
  await chain.mined(
    await hostile(stack).writeContract({
      address: chain.deployment.registry,
      abi: workflowRegistryAbi,
      functionName: "cancel",
      args: [id],
    }),
  );
}

async function metricsLines(stack: ChaosStack, names: string[]): Promise<string[]> {
  const values = await stack.executorMetrics(...names);
  return names.map((n, i) => `${n} ${values[i] ?? "absent"}`);
}

/** The executor's count of checker answers it refused, by reason. */
const REFUSED = ["gas", "reverted", "perform_data_too_large"].map(
  (r) => `autokeeper_checks_refused_total{reason="${r}"}`,
);

/** A Chainlink-style checker that never gets a run, for its duration; `injected` counts the refusals. */
function hostileChecker(name: string, what: string, deploy: (stack: ChaosStack) => Promise<Address>): Fault {
  return {
    name,
    what,
    hostile: true,
    async run({ stack, seconds }): Promise<FaultRun> {
      const refused = async () => (await stack.executorMetrics(...REFUSED)).reduce<number>((n, v) => n + (v ?? 0), 0);
      const checker = await deploy(stack);
      const before = await refused();
      const id = await register(stack, chainlinkSpec(checker, { gasLimit: 500_000 }), parseEther("1"));
      await sleep(seconds * 1000);
      const injected = (await refused()) - before;
      const observed = await metricsLines(stack, REFUSED);
      const hostileRuns = (await runsOf(stack, [id])) + (await performsOf(stack, checker));
      await cancel(stack, id);
      return { injected, observed, hostileRuns };
    },
  };
}

export const underpayingWorkflow: Fault = {
  name: "underpaying workflow",
  what:
    "a TIME workflow paying maxFeePerRun = 1 wei, with a 5M gas limit, every 2 s, whose action burns 90% " +
    "of its gas and succeeds (about 4.5M gas a run for 1 wei)",
  hostile: true,
  async run({ stack, seconds }): Promise<FaultRun> {
    const { chain } = stack;
    const burner = await chain.deploy(shareBurnerAbi, shareBurnerBytecode);
    const burn = encodeFunctionData({ abi: shareBurnerAbi, functionName: "burnShare", args: [9000n] });
    const id = await register(
      stack,
      timeSpec([{ target: burner, value: 0n, data: burn }], 2n, { gasLimit: 5_000_000, maxFeePerRun: 1n }),
      parseEther("0.1"),
    );
    const start = await chain.now();
    await sleep(4000);
    const observed = await metricsLines(stack, [
      "autokeeper_workflows_underpriced",
      'autokeeper_jobs_delayed_total{reason="underpriced"}',
    ]);
    await sleep(Math.max(0, seconds * 1000 - 4000));
    const slots = Number(((await chain.now()) - start) / 2n);
    const hostileRuns = await runsOf(stack, [id]);
    await cancel(stack, id);
    return { injected: slots, observed, hostileRuns };
  },
};

export const hugePerformData = hostileChecker(
  "huge performData",
  "a Chainlink-style upkeep whose checkUpkeep always says yes with 1 MB of performData",
  (stack) => stack.chain.deploy(hugePerformDataUpkeepAbi, hugePerformDataUpkeepBytecode, [1_048_576n]),
);

export const gasBurningChecker = hostileChecker(
  "gas-burning checker",
  "a Chainlink-style upkeep whose checkUpkeep says yes after burning 50M gas",
  (stack) => stack.chain.deploy(gasBurningCheckerAbi, gasBurningCheckerBytecode, [50_000_000n]),
);

export const revertingChecker = hostileChecker(
  "reverting checker",
  "a Chainlink-style upkeep whose checkUpkeep reverts with 100 kB of revert data",
  (stack) => stack.chain.deploy(revertingCheckerAbi, revertingCheckerBytecode, [100_000n]),
);

/**
 * `count` workflows from one owner, every 2 s, each paying at most 1 gwei a run and funded with exactly
 * that: the least balance the contract accepts for a run. Registered in one burst (the block gas limit
 * raised for it, so the burst does not take the honest load's block space: the row is about the worker).
 * Left in place: it is the last row.
 */
export function manyCheapWorkflows(count: number): Fault {
  return {
    name: "many cheap workflows",
    what: `${count} TIME workflows from one owner, every 2 s, each with maxFeePerRun = 1 gwei and funded with exactly that`,
    hostile: true,
    async run({ stack, seconds, say }): Promise<FaultRun> {
      const { chain } = stack;
      const wallet = hostile(stack);
      const counter = await chain.deploy(counterAbi, counterBytecode);
      const inc = {
        target: counter,
        value: 0n,
        data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }),
      };
      const fee = parseGwei("1");
      const spec = timeSpec([inc], 2n, { gasLimit: 100_000, maxFeePerRun: fee });
      const limit = (await chain.publicClient.getBlock()).gasLimit;
      await anvilRequest(chain, "anvil_setBlockGasLimit", [`0x${(2_000_000_000n).toString(16)}`]);
      const first = await chain.publicClient.readContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "workflowCount",
      });
      let nonce = await chain.publicClient.getTransactionCount({
        address: wallet.account.address,
        blockTag: "pending",
      });
      const hashes: Hex[] = [];
      for (let i = 0; i < count; i++) {
        hashes.push(
          await wallet.writeContract({
            address: chain.deployment.registry,
            abi: workflowRegistryAbi,
            functionName: "register",
            args: [spec],
            value: fee,
            gas: 500_000n,
            nonce: nonce++,
          }),
        );
      }
      await chain.mined(hashes.at(-1)!);
      await anvilRequest(chain, "anvil_setBlockGasLimit", [`0x${limit.toString(16)}`]);
      const ids = Array.from({ length: count }, (_, i) => first + 1n + BigInt(i));
      say(`  ${count} cheap workflows registered`);
      const start = await chain.now();
      await sleep(seconds * 1000);
      const observed = await metricsLines(stack, [
        "autokeeper_workflows_underpriced",
        'autokeeper_jobs_delayed_total{reason="underpriced"}',
        'autokeeper_jobs_completed_total{outcome="skipped"}',
      ]);
      const slots = Number(((await chain.now()) - start) / 2n) * count;
      return { injected: slots, observed, hostileRuns: await runsOf(stack, ids) };
    },
  };
}

/** The hostile rows, in the order a run injects them (the cheap workflows last: they stay). */
export function hostileFaults(cheapWorkflows: number): Fault[] {
  return [
    underpayingWorkflow,
    hugePerformData,
    gasBurningChecker,
    revertingChecker,
    manyCheapWorkflows(cheapWorkflows),
  ];
}
