/**
 * Two owners run `npm run workflow -- register` at the same moment and both transactions land in one
 * block: each CLI must print the id of its own workflow (from its receipt's WorkflowRegistered log),
 * not the registry's count after the block, which names only the later of the two.
 */
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { counterAbi, counterBytecode } from "../../abis/index.js";
import { DEV_KEYS } from "../../tools/accounts.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { until } from "../../tools/harness/wait.js";
import { CLI_TEST_TIMEOUT, hashFrom, idFrom, startCli } from "./cli.js";

let chain: Chain;
let counter: `0x${string}`;
beforeAll(async () => {
  chain = await startChain();
  counter = await chain.deploy(counterAbi, counterBytecode);
});
afterAll(() => chain?.stop());

describe("npm run workflow -- register, two owners at once", { timeout: CLI_TEST_TIMEOUT }, () => {
  it("prints each owner its own workflow id when both registrations land in the same block", async () => {
    const keys = [DEV_KEYS.owner, DEV_KEYS.stranger] as const;
    const owners = keys.map((key) => privateKeyToAccount(key).address);
    const client = chain.publicClient;
    const sent = await Promise.all(owners.map((address) => client.getTransactionCount({ address })));

    // Hold blocks back so both transactions wait in the pool and are mined together.
    await chain.testClient.setAutomine(false);
    let results: { code: number | null; out: string }[];
    try {
      const runs = keys.map(
        (key) =>
          startCli(chain, { OWNER_PRIVATE_KEY: key }, [
            "register",
            "--every",
            "60",
            "--target",
            counter,
            "--call",
            "increment()",
          ]).done,
      );
      // A CLI that exits before sending (an error) ends the wait; its output is checked below.
      let exited = false;
      for (const run of runs) void run.then(() => (exited = true));
      await until(
        "both registrations in the transaction pool",
        async () => {
          const pending = await Promise.all(
            owners.map((address) => client.getTransactionCount({ address, blockTag: "pending" })),
          );
          return exited || pending.every((n, i) => n > sent[i]!);
        },
        CLI_TEST_TIMEOUT / 2,
      );
      await chain.testClient.mine({ blocks: 1 });
      results = await Promise.all(runs);
    } finally {
      await chain.testClient.setAutomine(true);
    }

    for (const r of results) expect([r.code, r.out]).toEqual([0, expect.stringMatching(/registered workflow \d+/)]);
    const receipts = await Promise.all(results.map((r) => client.getTransactionReceipt({ hash: hashFrom(r.out) })));
    expect(receipts[0]!.blockNumber).toBe(receipts[1]!.blockNumber);

    const ids = results.map((r) => idFrom(r.out));
    expect(new Set(ids).size).toBe(2);
    expect(ids.toSorted()).toEqual([1n, 2n]);
    for (const [i, id] of ids.entries()) {
      const w = await chain.workflow(id);
      expect([id, w.owner]).toEqual([id, owners[i]]);
    }
  });
});
