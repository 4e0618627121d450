/**
 * The chain clock's block-time estimate on a real anvil: learned from recent blocks at start, so the
 * first interval the clock sees cannot become the block time on its own.
 */
import { createTestClient, http } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ChainClock } from "../../executor/chain-clock.js";
import { type Anvil, startAnvil } from "../../tools/anvil.js";
import { publicClientFor } from "../../tools/clients.js";

let anvil: Anvil;
beforeAll(async () => {
  anvil = await startAnvil();
});
afterAll(async () => {
  await anvil?.stop();
});

it("knows a 12 s chain's block time from its start, and one long gap does not change it", async () => {
  const client = await publicClientFor(anvil.rpcUrl);
  const test = createTestClient({ mode: "anvil", chain: client.chain, transport: http(anvil.rpcUrl) });
  let t = (await client.getBlock()).timestamp;
  const mineAfter = async (seconds: bigint) => {
    t += seconds;
    await test.setNextBlockTimestamp({ timestamp: t });
    await test.mine({ blocks: 1 });
  };
  for (let i = 0; i < 12; i++) await mineAfter(12n);

  const clock = new ChainClock(client, 60_000);
  await clock.start();
  try {
    expect(clock.blockTimeSeconds).toBe(12);
    expect(clock.nextBlockTimestamp()).toBeGreaterThanOrEqual(t + 12n);
  } finally {
    clock.stop();
  }

  // A stalled hour, then the clock starts: the stall is one sample among the last ten.
  await mineAfter(3600n);
  const restarted = new ChainClock(client, 60_000);
  await restarted.start();
  try {
    expect(restarted.blockTimeSeconds).toBe(12);
  } finally {
    restarted.stop();
  }
});
