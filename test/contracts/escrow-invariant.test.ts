/**
 * Property: whatever sequence of registrations, deposits, withdrawals, runs (good and failing),
 * cancellations and claims happens, the escrow holds exactly the workflows' balances plus the workers'
 * unclaimed earnings.
 */
import fc from "fast-check";
import { type Address, encodeFunctionData, parseEther } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  actionExecutorAbi,
  counterAbi,
  counterBytecode,
  feeEscrowAbi,
  reverterAbi,
  reverterBytecode,
  sinkAbi,
  sinkBytecode,
  workflowRegistryAbi,
} from "../../abis/index.js";
import { timeSpec } from "../../lib/spec.js";
import { DEV_KEYS } from "../../tools/accounts.js";
import { walletFor } from "../../tools/clients.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { WORKER_ROLE } from "../../tools/roles.js";

let chain: Chain;
let counter: Address;
let reverter: Address;
let sink: Address;

beforeAll(async () => {
  chain = await startChain({ premiumBps: 1500, flatFee: 10n ** 12n });
  counter = await chain.deploy(counterAbi, counterBytecode);
  reverter = await chain.deploy(reverterAbi, reverterBytecode);
  sink = await chain.deploy(sinkAbi, sinkBytecode);
});
afterAll(() => chain?.stop());

const op = fc.oneof(
  fc.record({
    kind: fc.constant("register" as const),
    fund: fc.integer({ min: 0, max: 50 }),
    style: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ kind: fc.constant("deposit" as const), pick: fc.nat(), amount: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant("withdraw" as const), pick: fc.nat(), share: fc.integer({ min: 1, max: 100 }) }),
  fc.record({
    kind: fc.constant("execute" as const),
    picks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    worker: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("claim" as const), worker: fc.boolean() }),
  fc.record({ kind: fc.constant("advance" as const), seconds: fc.integer({ min: 1, max: 5 }) }),
);

it("holds the escrow invariant after every one of 240 random operations", async () => {
  const worker2 = walletFor(chain.publicClient, DEV_KEYS.worker2);
  await chain.mined(
    await chain.wallets.deployer.writeContract({
      address: chain.deployment.actionExecutor,
      abi: actionExecutorAbi,
      functionName: "grantRole",
      args: [WORKER_ROLE, worker2.account.address],
    }),
  );
  const workers = [chain.wallets.worker, worker2];
  const owner = chain.wallets.owner;
  const ids: bigint[] = [];
  const tally = { runs: 0, failed: 0, skipped: 0, claims: 0, withdrawals: 0, cancels: 0, reverted: 0 };
  const unit = parseEther("0.001");
  const actionsFor = (style: number) => {
    const inc = {
      target: counter,
      value: 0n,
      data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }),
    };
    if (style === 0) return [inc];
    if (style === 1)
      return [
        inc,
        { target: reverter, value: 0n, data: encodeFunctionData({ abi: reverterAbi, functionName: "failWithReason" }) },
      ];
    return [{ target: sink, value: unit, data: encodeFunctionData({ abi: sinkAbi, functionName: "take" }) }];
  };

  async function invariant(step: number) {
    const held = await chain.publicClient.getBalance({ address: chain.deployment.feeEscrow });
    const parts = await Promise.all([
      ...ids.map((id) => chain.balanceOf(id)),
      ...workers.map((w) => chain.earnings(w.account.address)),
    ]);
    const owed = parts.reduce((a, b) => a + b, 0n);
    expect(held, `after step ${step}`).toBe(owed);
  }

  /** Sends a transaction the way a user would; a refused one (bad amount, wrong status) is part of the game. */
  async function attempt(send: () => Promise<`0x${string}`>) {
    try {
      return await chain.mined(await send());
    } catch {
      tally.reverted += 1;
      return undefined;
    }
  }

  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 240, maxLength: 240 }), async (ops) => {
      let step = 0;
      for (const o of ops) {
        step += 1;
        const pick = (n: number) => ids[n % Math.max(ids.length, 1)];
        switch (o.kind) {
          case "register": {
            const { id } = await chain.register(
              timeSpec(actionsFor(o.style), 1n, { maxFeePerRun: parseEther("0.0005") }),
              BigInt(o.fund) * unit,
              owner,
            );
            ids.push(id);
            break;
          }
          case "deposit": {
            const id = pick(o.pick);
            if (id === undefined) break;
            await attempt(() =>
              chain.wallets.stranger.writeContract({
                address: chain.deployment.feeEscrow,
                abi: feeEscrowAbi,
                functionName: "deposit",
                args: [id],
                value: BigInt(o.amount) * unit,
              }),
            );
            break;
          }
          case "withdraw": {
            const id = pick(o.pick);
            if (id === undefined) break;
            const amount = ((await chain.balanceOf(id)) * BigInt(o.share)) / 100n;
            const r = await attempt(() =>
              owner.writeContract({
                address: chain.deployment.feeEscrow,
                abi: feeEscrowAbi,
                functionName: "withdraw",
                args: [id, amount],
              }),
            );
            if (r) tally.withdrawals += 1;
            break;
          }
          case "execute": {
            const batch = o.picks.map(pick).filter((id): id is bigint => id !== undefined);
            if (batch.length === 0) break;
            const { events } = await chain.executeBatch(batch, undefined, workers[o.worker ? 1 : 0]);
            for (const e of events) {
              if (e.eventName === "WorkflowExecuted") {
                tally.runs += 1;
                if (!e.args.success) tally.failed += 1;
              }
              if (e.eventName === "WorkflowSkipped") tally.skipped += 1;
            }
            break;
          }
          case "cancel": {
            const id = pick(o.pick);
            if (id === undefined) break;
            const r = await attempt(() =>
              owner.writeContract({
                address: chain.deployment.registry,
                abi: workflowRegistryAbi,
                functionName: "cancel",
                args: [id],
              }),
            );
            if (r) tally.cancels += 1;
            break;
          }
          case "claim": {
            const r = await attempt(() =>
              workers[o.worker ? 1 : 0]!.writeContract({
                address: chain.deployment.feeEscrow,
                abi: feeEscrowAbi,
                functionName: "claim",
              }),
            );
            if (r) tally.claims += 1;
            break;
          }
          case "advance":
            await chain.testClient.increaseTime({ seconds: o.seconds });
            await chain.testClient.mine({ blocks: 1 });
            break;
        }
        await invariant(step);
      }
    }),
    { numRuns: 1, endOnFailure: true },
  );
  // The sequence must have exercised what it claims to: real runs, failures, claims, withdrawals.
  expect(tally.runs).toBeGreaterThan(10);
  expect(tally.failed).toBeGreaterThan(0);
  expect(tally.claims).toBeGreaterThan(0);
  expect(tally.withdrawals + tally.cancels).toBeGreaterThan(0);
}, 300_000);
