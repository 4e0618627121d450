/**
 * Workers get paid: `npm run claim` moves a signer's FeeEscrow earnings to it; a running executor claims
 * them by itself once they pass AUTO_CLAIM_MIN (between its batches, on the same nonces, nothing lost or
 * doubled); and a signer parked out of gas money is refilled from what it earned, after which its runs
 * resume.
 */
import { spawn } from "node:child_process";
import { type Address, encodeFunctionData, formatEther, type Hex, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { counterAbi, counterBytecode, feeEscrowAbi, shareBurnerAbi, shareBurnerBytecode } from "../../abis/index.js";
import { timeSpec } from "../../lib/spec.js";
import { ANVIL_KEYS, DEV_KEYS } from "../../tools/accounts.js";
import { setBalance } from "../../tools/harness/chain-faults.js";
import { executedRuns } from "../../tools/harness/chain-runs.js";
import { type ExecutorProcess, leakedKeys, spawnExecutor } from "../../tools/harness/executor.js";
import { chainMetrics } from "../../tools/harness/metrics.js";
import { expectNothingLostOrDoubled, type Scheduled, waitAllCompleted } from "../../tools/harness/runs.js";
import { type Stack, startStack } from "../../tools/harness/stack.js";
import { until } from "../../tools/harness/wait.js";

const REFILL_KEY = ANVIL_KEYS[5];
const CLAIM_ON_STOP_KEY = ANVIL_KEYS[6];
const addressOf = (key: Hex) => privateKeyToAccount(key).address;

let stack: Stack;
const running: ExecutorProcess[] = [];
const cliOutput: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  await stack.grantWorker(DEV_KEYS.worker2);
  await stack.grantWorker(REFILL_KEY);
  await stack.grantWorker(CLAIM_ON_STOP_KEY);
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.kill()));
});
afterAll(async () => {
  await stack?.stop();
});

/** `npm run claim -- …` as a process, with this stack's environment (and `env` on top). */
async function claimCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "executor/cli/claim.ts", ...args], {
    env: { ...(process.env as Record<string, string>), ...(await stack.env()), ...env },
    cwd: process.cwd(),
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  cliOutput.push(out);
  return { code, out };
}

function start(env: Record<string, string>): ExecutorProcess {
  const ex = spawnExecutor(env);
  running.push(ex);
  return ex;
}

/** One series of the executor's /metrics for a signer on the stack's chain, or undefined while it has none. */
async function metric(port: string, name: string, signer: Address): Promise<number | undefined> {
  const [value] = await chainMetrics(port, stack.chain.deployment.chainId, `${name}{signer="${signer}"}`);
  return value;
}

/** Every Claimed event of `worker` from `fromBlock` on, read from the chain. */
async function claims(worker: Address, fromBlock = 0n) {
  const logs = await stack.chain.publicClient.getContractEvents({
    address: stack.chain.deployment.feeEscrow,
    abi: feeEscrowAbi,
    eventName: "Claimed",
    args: { worker },
    fromBlock,
  });
  return logs.map((l) => ({ amount: l.args.amount!, blockNumber: l.blockNumber, txHash: l.transactionHash }));
}

const inc = (counter: Address) => ({
  target: counter,
  value: 0n,
  data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }),
});

it("`npm run claim` pays a signer its earnings, and says so when there is nothing to claim", async () => {
  const { chain } = stack;
  const worker = chain.wallets.worker.account.address;
  // Earnings the way a worker gets them: runs it executed (here sent by hand, with the worker's key).
  const counter = await chain.deploy(counterAbi, counterBytecode);
  for (let i = 0; i < 3; i++) {
    const { id } = await chain.register(timeSpec([inc(counter)], 0n), parseEther("0.1"));
    expect((await chain.execute(id)).executed?.success).toBe(true);
  }
  const earned = await chain.earnings(worker);
  expect(earned).toBeGreaterThan(0n);

  // --status only looks: it names the address and the amount, and sends nothing.
  const nonce = await chain.publicClient.getTransactionCount({ address: worker });
  const status = await claimCli(["--status"]);
  expect(status.code).toBe(0);
  expect(status.out).toContain(`${worker}  unclaimed ${formatEther(earned)} ETH (${earned} wei)`);
  expect(await chain.publicClient.getTransactionCount({ address: worker })).toBe(nonce);
  expect(await chain.earnings(worker)).toBe(earned);

  const before = await chain.publicClient.getBalance({ address: worker });
  const claimed = await claimCli([]);
  expect(claimed.code).toBe(0);
  const hash = /claimed .* in (0x[0-9a-f]{64})/.exec(claimed.out)?.[1] as Hex | undefined;
  expect(hash, claimed.out).toBeDefined();
  expect(claimed.out).toContain(`claimed ${formatEther(earned)} ETH (${earned} wei) in ${hash}`);
  const receipt = await chain.publicClient.getTransactionReceipt({ hash: hash! });
  expect(receipt.from.toLowerCase()).toBe(worker.toLowerCase());
  expect(await chain.earnings(worker)).toBe(0n);
  const gas = receipt.gasUsed * receipt.effectiveGasPrice;
  expect(await chain.publicClient.getBalance({ address: worker })).toBe(before + earned - gas);
  expect(await claims(worker)).toEqual([{ amount: earned, blockNumber: receipt.blockNumber, txHash: hash }]);

  const again = await claimCli([]);
  expect(again.code).toBe(0);
  expect(again.out).toContain(`${worker}  unclaimed 0 ETH (0 wei)`);
  expect(again.out).toContain("nothing to claim");
  expect(await claims(worker)).toHaveLength(1);
}, 60_000);

it("`npm run claim` refuses a malformed setting with one line naming it, never echoing a key", async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ AUTO_CLAIM_MIN: "lots" }, /^config error: AUTO_CLAIM_MIN: must be an amount in ether/],
    [{ AUTO_CLAIM_MIN: "-1" }, /^config error: AUTO_CLAIM_MIN: /],
    [{ WORKER_PRIVATE_KEY: `${DEV_KEYS.worker}ff` }, /^config error: WORKER_PRIVATE_KEY: /],
    [{ WORKER_PRIVATE_KEY: "", WORKER_PRIVATE_KEYS: "" }, /^config error: WORKER_PRIVATE_KEY: required/],
    [{ WORKER_PRIVATE_KEYS: `${DEV_KEYS.worker2},0x12` }, /^config error: WORKER_PRIVATE_KEYS: /],
  ];
  const results = await Promise.all(cases.map(([env]) => claimCli([], env)));
  results.forEach(({ code, out }, i) => {
    expect(code).toBe(2);
    expect(out.trim().split("\n")).toHaveLength(1);
    expect(out.trim()).toMatch(cases[i]![1]);
  });
  const usage = await claimCli(["--all"]);
  expect([usage.code, usage.out.trim()]).toEqual([
    2,
    "config error: usage: npm run claim [-- --status] [--chain <id>]",
  ]);
}, 60_000);

it("a running executor claims each signer's earnings by itself once they pass AUTO_CLAIM_MIN", async () => {
  const { chain } = stack;
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const signers = [addressOf(DEV_KEYS.worker), addressOf(DEV_KEYS.worker2)];
  const fromBlock = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  const startAt = (await chain.now()) + 15n;
  const workflows: Scheduled[] = [];
  for (let i = 0; i < 4; i++) {
    const interval = BigInt(1 + (i % 2));
    const spec = timeSpec([inc(counter)], interval, { startTime: startAt, endTime: startAt + 30n, gasLimit: 100_000 });
    const { id } = await chain.register(spec, parseEther("1"));
    workflows.push({ id, interval, start: startAt, end: startAt + 30n });
  }
  await stack.intervalMining(1);
  // A run pays its worker about 0.00007 ETH here: this is passed after a few runs each.
  const min = parseEther("0.0002");
  const env = await stack.env({
    WORKER_PRIVATE_KEY: "",
    WORKER_PRIVATE_KEYS: `${DEV_KEYS.worker},${DEV_KEYS.worker2}`,
    AUTO_CLAIM_MIN: formatEther(min),
  });
  const ex = start(env);

  for (const signer of signers) {
    await until(`a claim by ${signer}`, async () => (await claims(signer, fromBlock)).length > 0, 60_000);
  }
  await waitAllCompleted(stack, workflows, 60_000);
  // Claims went out between the batches on the same nonces, and no run was lost or doubled by them.
  await expectNothingLostOrDoubled(stack, workflows);

  for (const signer of signers) {
    const own = await claims(signer, fromBlock);
    // Claimed once they passed the minimum, never before (a healthy signer has no other reason to).
    for (const c of own) expect(c.amount).toBeGreaterThanOrEqual(min);
    const total = own.reduce((sum, c) => sum + c.amount, 0n);
    // /metrics: what was claimed per signer (the chain's Claimed events), and what is left unclaimed.
    await until(`the metrics of ${signer} to match the chain`, async () => {
      const unclaimed = await metric(env.METRICS_PORT!, "autokeeper_signer_earnings_unclaimed_wei", signer);
      const claimed = await metric(env.METRICS_PORT!, "autokeeper_signer_earnings_claimed_wei_total", signer);
      return unclaimed === Number(await chain.earnings(signer)) && claimed === Number(total);
    });
  }
  // One log line per claim, naming the signer, the amount and the transaction (read once it has stopped).
  expect(await ex.stop()).toBe(0);
  const logged = ex
    .output()
    .split("\n")
    .filter((l) => l.includes('"claimed earnings"'))
    .map((l) => JSON.parse(l) as { signer: string; amountWei: string; txHash: string; why: string });
  for (const signer of signers) {
    const own = await claims(signer, fromBlock);
    expect(logged.filter((l) => l.signer === signer).map((l) => [l.txHash, l.amountWei, l.why])).toEqual(
      own.map((c) => [c.txHash, String(c.amount), "threshold"]),
    );
  }
}, 180_000);

// Found by CI: a claim sent just before a stop was mined after the executor had exited, so it never
// logged or counted it. A stop now waits (within the same grace as the batches) for a claim in flight.
it("sees a claim in flight through when it is stopped: mined, logged and counted before it exits", async () => {
  const { chain } = stack;
  const signer = addressOf(CLAIM_ON_STOP_KEY);
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const startAt = (await chain.now()) + 8n;
  const spec = timeSpec([inc(counter)], 1n, { startTime: startAt, endTime: startAt + 5n, gasLimit: 100_000 });
  const { id } = await chain.register(spec, parseEther("1"));
  await stack.intervalMining(1);
  // Earnings first, with the minimum out of reach: nothing claimed.
  const earn = start(await stack.env({ WORKER_PRIVATE_KEY: CLAIM_ON_STOP_KEY, AUTO_CLAIM_MIN: "1000" }));
  await waitAllCompleted(stack, [{ id, interval: 1n, start: startAt, end: startAt + 5n }], 60_000);
  expect(await earn.stop()).toBe(0);
  expect(await claims(signer)).toEqual([]);
  expect(await chain.earnings(signer)).toBeGreaterThan(0n);

  // Blocks only when the test mines them: the claim waits in the mempool while the executor stops.
  await chain.testClient.setIntervalMining({ interval: 0 });
  const fromBlock = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  const env = await stack.env({ WORKER_PRIVATE_KEY: CLAIM_ON_STOP_KEY, AUTO_CLAIM_MIN: "0.00001", LOG_LEVEL: "debug" });
  const ex = start(env);
  let stopped: Promise<number | null>;
  try {
    await ex.waitForLog(/"executor started"/, 30_000);
    await chain.testClient.mine({ blocks: 1 }); // a head: the signer's earnings are looked at
    await ex.waitForLog(/"claiming earnings"/, 30_000);
    stopped = ex.stop();
    // Time to exit for an executor that would not wait; then the claim is mined, and buried one deep.
    await new Promise((r) => setTimeout(r, 2_000));
    for (let i = 0; i < 3; i++) {
      await chain.testClient.mine({ blocks: 1 });
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await stack.intervalMining(1); // as the other tests here expect it
  }
  expect(await stopped).toBe(0);
  const [claim, ...more] = await claims(signer, fromBlock);
  expect(more).toEqual([]);
  const logged = ex
    .output()
    .split("\n")
    .filter((l) => l.includes('"claimed earnings"'))
    .map((l) => JSON.parse(l) as Record<string, string>);
  expect(logged.map((l) => [l.txHash, l.amountWei, l.why])).toEqual([
    [claim!.txHash, String(claim!.amount), "threshold"],
  ]);
  expect(await chain.earnings(signer)).toBe(0n);
}, 120_000);

it("refills a signer parked out of gas money from its earnings, and its runs resume", async () => {
  const { chain } = stack;
  const signer = addressOf(REFILL_KEY);
  const fromBlock = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  // MAX_FEE_GWEI=1.1 over a 1 gwei tip: every transaction's max fee is 1-1.1 gwei, so what a batch and a
  // claim cost compares as their gas does.
  const tip = 1_000_000_000n;
  const cap = 1_100_000_000n;
  // A run that burns most of its 1M gas: one batch needs many times the gas of a claim, and each run earns
  // about what a batch needs (the signer needs a batch's whole gas limit at the cap). It was 16 counter
  // increments, until actions moved out of storage (issue 13) made such a run earn a tenth of that need.
  const burner = await chain.deploy(shareBurnerAbi, shareBurnerBytecode);
  const burn = encodeFunctionData({ abi: shareBurnerAbi, functionName: "burnShare", args: [8000n] });
  // 6 s apart: between one run being mined and the next being sent, the signer has nothing in flight.
  const { id } = await chain.register(
    timeSpec([{ target: burner, value: 0n, data: burn }], 6n, {
      startTime: (await chain.now()) + 10n,
      gasLimit: 1_000_000,
    }),
    parseEther("10"),
  );
  await stack.intervalMining(1);
  const env = await stack.env({ WORKER_PRIVATE_KEY: REFILL_KEY, AUTO_CLAIM_MIN: "1000", MAX_FEE_GWEI: "1.1" });
  const ex = start(env);

  // Earnings from its runs, none claimed (the minimum is out of reach).
  await until("four runs", async () => (await chain.workflow(id)).runCount >= 4n, 60_000);
  expect(await claims(signer)).toEqual([]);

  // Just after a run is mined (the next is 6 s away), the balance drops below what a batch needs but
  // stays above what the claim needs: the claim's gas as the executor estimates it, at the cap.
  const runs = (await chain.workflow(id)).runCount;
  await until("the next run", async () => (await chain.workflow(id)).runCount > runs, 20_000);
  const earned = await chain.earnings(signer);
  const [lastRun] = (await executedRuns(chain, fromBlock)).filter((r) => r.workflowId === id).slice(-1);
  const batchGas = (await chain.publicClient.getTransactionReceipt({ hash: lastRun!.txHash })).gasUsed;
  const claimGas = await chain.publicClient.estimateContractGas({
    account: signer,
    address: chain.deployment.feeEscrow,
    abi: feeEscrowAbi,
    functionName: "claim",
  });
  const claimCost = ((claimGas * 120n) / 100n) * cap;
  const low = (claimCost * 3n) / 2n;
  expect(low).toBeLessThan(batchGas * tip); // below any batch of one run
  // and what it earned pays for batches again: the signer needs a batch's gas limit at the cap
  const batchLimit = (await chain.publicClient.getTransaction({ hash: lastRun!.txHash })).gas;
  expect(earned).toBeGreaterThan(batchLimit * 2n * cap);
  const parkedAt = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  await setBalance(chain, signer, low);

  await ex.waitForLog(/"signer cannot pay for gas: runs wait until it is funded"/, 30_000);
  await ex.waitForLog(/"claimed earnings"/, 30_000);
  await ex.waitForLog(/"signer funded again: sending resumes"/, 30_000);
  const [claim] = await claims(signer, parkedAt);
  expect(claim).toBeDefined();
  expect(claim!.amount).toBeGreaterThanOrEqual(earned);
  const logged = JSON.parse(
    ex
      .output()
      .split("\n")
      .find((l) => l.includes('"claimed earnings"'))!,
  ) as Record<string, string>;
  expect(logged).toMatchObject({ signer, amountWei: String(claim!.amount), txHash: claim!.txHash, why: "refill" });
  const receipt = await chain.publicClient.getTransactionReceipt({ hash: claim!.txHash });
  expect(receipt.from.toLowerCase()).toBe(signer.toLowerCase());

  // Runs land on chain again after the claim, sent by the refilled signer.
  await until(
    "a run after the claim",
    async () => (await executedRuns(chain, claim!.blockNumber + 1n)).some((r) => r.workflowId === id),
    30_000,
  );
  const [after] = (await executedRuns(chain, claim!.blockNumber + 1n)).filter((r) => r.workflowId === id);
  const tx = await chain.publicClient.getTransaction({ hash: after!.txHash });
  expect(tx.from.toLowerCase()).toBe(signer.toLowerCase());
  expect(await metric(env.METRICS_PORT!, "autokeeper_signer_out_of_funds", signer)).toBe(0);
  expect(await metric(env.METRICS_PORT!, "autokeeper_signer_earnings_claimed_wei_total", signer)).toBe(
    Number(claim!.amount),
  );
  expect(await ex.stop()).toBe(0);
}, 180_000);

it("never printed a private key", () => {
  const keys = [DEV_KEYS.worker, DEV_KEYS.worker2, REFILL_KEY, CLAIM_ON_STOP_KEY, DEV_KEYS.deployer];
  expect(leakedKeys(keys)).toEqual([]);
  expect(leakedKeys(keys, cliOutput.join(""))).toEqual([]);
});
