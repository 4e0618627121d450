/**
 * What a run is charged against what it costs the worker. With no premium and no flat fee the charge is
 * the contract's own account of the run's gas, so the sum over a transaction must cover the gas the
 * worker paid for it: the runs themselves, their calldata and the transaction's fixed cost. Before the
 * charge counted calldata and the transaction's share, a lone run and a run with a large performData
 * were charged below cost (found by reading the code, issue 11).
 */
import { type Address, encodeFunctionData, type Hex, parseEther, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  counterAbi,
  counterBytecode,
  hugePerformDataUpkeepAbi,
  hugePerformDataUpkeepBytecode,
  shareBurnerAbi,
  shareBurnerBytecode,
} from "../../abis/index.js";
import { conditionPerformData } from "../../lib/check-ref.js";
import { chainlinkSpec, timeSpec } from "../../lib/spec.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { simulationOf } from "../../tools/harness/simulation.js";

let chain: Chain;
let counter: Address;
let upkeep: Address;
let burner: Address;

beforeAll(async () => {
  // No premium, no flat fee: the fee is exactly the gas the contract charges for, at the tx's price.
  chain = await startChain({ premiumBps: 0, flatFee: 0n });
  counter = await chain.deploy(counterAbi, counterBytecode);
  upkeep = await chain.deploy(hugePerformDataUpkeepAbi, hugePerformDataUpkeepBytecode, [0n]);
  burner = await chain.deploy(shareBurnerAbi, shareBurnerBytecode);
  // The shared counter is non-zero already, as in `npm run gas`: no first-write premium in the figures.
  await chain.mined(
    await chain.wallets.deployer.writeContract({ address: counter, abi: counterAbi, functionName: "increment" }),
  );
});
afterAll(() => chain?.stop());

const increment = { target: () => counter, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };

async function dueCounterRuns(n: number): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const spec = timeSpec([{ target: increment.target(), value: 0n, data: increment.data }], 3600n, {
      gasLimit: 100_000,
    });
    ids.push((await chain.register(spec, parseEther("0.1"))).id);
  }
  return ids;
}

/** executeBatch with room to spare (eth_estimateGas, asked before the block's time is known, can come out short). */
async function batch(ids: readonly bigint[], performData?: readonly Hex[]) {
  const result = await chain.executeBatch(ids, performData, chain.wallets.worker, 20_000_000n);
  expect(result.receipt.status).toBe("success");
  return result;
}

/** Sums the charged gas and fees of a mined batch and compares them with what the worker paid. */
function account(result: Awaited<ReturnType<typeof batch>>) {
  const runs = result.events.filter((e) => e.eventName === "WorkflowExecuted");
  const charged = runs.reduce((s, e) => s + (e.eventName === "WorkflowExecuted" ? e.args.gasUsed : 0n), 0n);
  const fees = runs.reduce((s, e) => s + (e.eventName === "WorkflowExecuted" ? e.args.fee : 0n), 0n);
  const paid = result.receipt.gasUsed * result.receipt.effectiveGasPrice;
  return { runs: runs.length, charged, fees, paid, gasUsed: result.receipt.gasUsed };
}

describe("a run's fee covers what it costs the worker", () => {
  for (const size of [1, 10, 50, 100]) {
    it(`in a batch of ${size}`, async () => {
      const ids = await dueCounterRuns(size);
      const result = await batch(ids);
      const a = account(result);
      expect(a.runs).toBe(size);
      expect(a.charged).toBeGreaterThanOrEqual(a.gasUsed);
      expect(a.fees).toBeGreaterThanOrEqual(a.paid);
      // and not far above it: the constants are the worker's cost, not a hidden premium
      expect(Number(a.charged) / Number(a.gasUsed)).toBeLessThan(1.3);
      console.log(`batch of ${size}: charged ${a.charged} gas for ${a.gasUsed} paid`);
    });
  }

  it("with a 4 kB performData, whose calldata the worker pays for", async () => {
    const { id } = await chain.register(chainlinkSpec(upkeep, { gasLimit: 100_000 }), parseEther("0.1"));
    const performData = conditionPerformData(await chain.checkRef(1n), toHex(new Uint8Array(4096).fill(0xab)));
    const a = account(await batch([id], [performData]));
    expect(a.runs).toBe(1);
    expect(a.charged).toBeGreaterThanOrEqual(a.gasUsed);
    expect(a.fees).toBeGreaterThanOrEqual(a.paid);
    console.log(`4 kB performData: charged ${a.charged} gas for ${a.gasUsed} paid`);
  });
});

describe("simulateBatch prices each run at the price it is given", () => {
  it("reports the fee an underpaying workflow would pay next to the gas its run would cost", async () => {
    const burn: Hex = encodeFunctionData({ abi: shareBurnerAbi, functionName: "burnShare", args: [9000n] });
    const cheap = await chain.register(
      timeSpec([{ target: burner, value: 0n, data: burn }], 3600n, { gasLimit: 5_000_000, maxFeePerRun: 1n }),
      parseEther("0.01"),
    );
    const [honest] = await dueCounterRuns(1);
    const price = 7_000_000_000n; // 7 gwei
    const { results } = await simulationOf(chain, [cheap.id, honest!], ["0x", "0x"], price);
    const [c, h] = results;
    // the burner's run costs the worker some 4.5M gas and would pay 1 wei
    expect(c!.gasUsed).toBeGreaterThan(4_000_000n);
    expect(c!.fee).toBe(1n);
    // an honest run's fee is its gas at the stated price (premium 0 here)
    expect(h!.fee).toBe(h!.gasUsed * price);
    // nothing changed: the same simulation again gives the same answer
    const again = await simulationOf(chain, [honest!], ["0x"], price);
    expect(again.results[0]!.skipReason).toBe(0);
  });
});
