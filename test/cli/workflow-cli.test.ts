/**
 * `npm run workflow` as an owner uses it, against a real anvil: register (TIME with a signature and
 * arguments, and CONDITION), fund, withdraw, pause, resume, cancel; bad input refused before sending.
 */
import { encodeFunctionData, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  counterAbi,
  counterBytecode,
  intervalUpkeepAbi,
  intervalUpkeepBytecode,
  reverterAbi,
  reverterBytecode,
  workflowRegistryAbi,
} from "../../abis/index.js";
import { CheckerKind, Status } from "../../lib/spec.js";
import { DEV_KEYS } from "../../tools/accounts.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { CLI_TEST_TIMEOUT, idFrom, runCli } from "./cli.js";

let chain: Chain;
let counter: `0x${string}`;
beforeAll(async () => {
  chain = await startChain();
  counter = await chain.deploy(counterAbi, counterBytecode);
});
afterAll(() => chain?.stop());

const cli = (...args: string[]) => runCli(chain, {}, ...args);
const cliWith = (extra: Record<string, string>, ...args: string[]) => runCli(chain, extra, ...args);

describe("npm run workflow", { timeout: CLI_TEST_TIMEOUT }, () => {
  it("registers a TIME workflow from a function signature and arguments, funded", async () => {
    const r = await cli(
      "register",
      "--every",
      "60",
      "--target",
      counter,
      "--call",
      "add(uint256)",
      "--args",
      "7",
      "--fund",
      "0.5",
      "--gas-limit",
      "150000",
    );
    expect(r.code).toBe(0);
    const id = idFrom(r.out);
    const w = await chain.workflow(id);
    expect(w.owner).toBe(chain.wallets.owner.account.address);
    expect(w.spec.trigger.interval).toBe(60n);
    expect(w.spec.gasLimit).toBe(150_000);
    expect(w.spec.actions[0]?.data).toBe(encodeFunctionData({ abi: counterAbi, functionName: "add", args: [7n] }));
    expect(await chain.balanceOf(id)).toBe(parseEther("0.5"));
  });

  it("registers a Chainlink-style CONDITION workflow and raw-calldata actions", async () => {
    const upkeep = await chain.deploy(intervalUpkeepAbi, intervalUpkeepBytecode, [10n]);
    const cl = await cli("register", "--chainlink", upkeep, "--check-data", "0xabcd", "--min-interval", "30");
    expect(cl.code).toBe(0);
    const w = await chain.workflow(idFrom(cl.out));
    expect([w.spec.trigger.checkerKind, w.spec.trigger.checker, w.spec.trigger.data, w.spec.trigger.interval]).toEqual([
      CheckerKind.CHAINLINK,
      upkeep,
      "0xabcd",
      30n,
    ]);
    const raw = await cli(
      "register",
      "--every",
      "0",
      "--target",
      counter,
      "--data",
      "0xd09de08a",
      "--target",
      counter,
      "--call",
      "increment()",
    );
    expect(raw.code).toBe(0);
    expect((await chain.workflow(idFrom(raw.out))).spec.actions).toHaveLength(2);
  });

  it("looks before it sends: an address without code is refused unless --force; a tight gas limit, a reverting action and no funds are said", async () => {
    const count = () =>
      chain.publicClient.readContract({
        address: chain.deployment.registry,
        abi: workflowRegistryAbi,
        functionName: "workflowCount",
      });
    const account = chain.wallets.stranger.account.address;
    const before = await count();
    const refused = await cli(
      "register",
      "--every",
      "60",
      "--target",
      account,
      "--call",
      "increment()",
      "--fund",
      "0.1",
    );
    expect(refused.code).not.toBe(0);
    expect(refused.out).toContain(`--target ${account} has no contract code on chain 31337`);
    expect(refused.out).toContain("nothing sent; --force registers it anyway");
    expect(await count()).toBe(before);
    const forced = await cli(
      ..."register --every 60 --call increment() --fund 0.1 --force --target".split(" "),
      account,
    );
    expect(forced.code, forced.out).toBe(0);
    expect(forced.out).toContain(
      `warning: --target ${account} has no contract code on chain 31337; registering anyway`,
    );
    expect(await count()).toBe(before + 1n);

    // A fresh counter: a run's first write to it (the count, and the caller it keeps) needs some 44k gas.
    const fresh = await chain.deploy(counterAbi, counterBytecode);
    const tight = await cli(
      ..."register --every 60 --call increment() --fund 0.1 --gas-limit 30000 --target".split(" "),
      fresh,
    );
    expect(tight.code, tight.out).toBe(0);
    expect(tight.out).toMatch(/warning: --gas-limit 30000 is below the \d+ gas one run's actions need/);
    const reverter = await chain.deploy(reverterAbi, reverterBytecode);
    const reverts = await cli(
      ..."register --every 60 --call failWithReason() --fund 0.1 --target".split(" "),
      reverter,
    );
    expect(reverts.code, reverts.out).toBe(0);
    expect(reverts.out).toContain(`warning: action 1 (--target ${reverter}) reverts if run now: target says no`);
    const unfunded = await cli("register", "--every", "60", "--target", counter, "--call", "increment()");
    expect(unfunded.code, unfunded.out).toBe(0);
    expect(unfunded.out).toContain(
      `warning: workflow ${idFrom(unfunded.out)} has no funds: it will not run until funded (npm run workflow -- fund`,
    );
    // A workflow that will run says nothing more than that it is registered.
    const fine = await cli(..."register --every 60 --call increment() --fund 0.1 --target".split(" "), counter);
    expect(fine.code, fine.out).toBe(0);
    expect(fine.out).toMatch(/registered workflow \d+ in 0x[0-9a-f]{64}/);
    expect(fine.out).not.toContain("warning:");
  });

  it("funds, withdraws, pauses, resumes and cancels (refunding the balance)", async () => {
    const id = idFrom((await cli("register", "--every", "60", "--target", counter, "--call", "increment()")).out);
    expect((await cli("fund", String(id), "1.25")).out).toContain(`deposited into workflow ${id}`);
    expect(await chain.balanceOf(id)).toBe(parseEther("1.25"));
    expect((await cli("withdraw", String(id), "0.25")).code).toBe(0);
    expect(await chain.balanceOf(id)).toBe(parseEther("1"));
    expect((await cli("pause", String(id))).out).toContain(`paused workflow ${id}`);
    expect((await chain.workflow(id)).status).toBe(Status.PAUSED);
    expect((await cli("resume", String(id))).out).toContain(`resumed workflow ${id}`);
    expect((await cli("cancel", String(id))).out).toContain(`cancelled workflow ${id}`);
    expect((await chain.workflow(id)).status).toBe(Status.CANCELLED);
    expect(await chain.balanceOf(id)).toBe(0n);
    // the contract's refusal is reported by name, from the simulation, before anything is sent
    const again = await cli("pause", String(id));
    expect(again.code).toBe(1);
    expect(again.out).toContain("InvalidStatus");
  });

  it("raises a workflow's max fee per run, keeping the rest of its spec", async () => {
    const id = idFrom((await cli("register", "--every", "60", "--target", counter, "--call", "increment()")).out);
    const before = await chain.workflow(id);
    const r = await cli("max-fee", String(id), "0.25");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`workflow ${id} now pays at most 0.25 ether a run`));
    const after = await chain.workflow(id);
    expect(after.spec.maxFeePerRun).toBe(parseEther("0.25"));
    // the rest of the spec is kept; the schedule restarts from now (the registry's update)
    expect({ ...after.spec, maxFeePerRun: 0n, startTime: 0n }).toEqual({
      ...before.spec,
      maxFeePerRun: 0n,
      startTime: 0n,
    });
    expect(after.spec.startTime).toBeGreaterThanOrEqual(before.spec.startTime);
    // only its owner may
    const stranger = await cliWith({ OWNER_PRIVATE_KEY: DEV_KEYS.stranger }, "max-fee", String(id), "1");
    expect(stranger.code).not.toBe(0);
    expect(stranger.out).toMatch(/NotWorkflowOwner/);
  });

  it("refuses bad addresses, amounts, signatures and arguments before sending anything", async () => {
    const before = await chain.publicClient.getTransactionCount({ address: chain.wallets.owner.account.address });
    const cases: [string[], RegExp][] = [
      [
        ["register", "--every", "60", "--target", "0x1234", "--call", "increment()"],
        /--target must be a 0x-prefixed 20-byte address/,
      ],
      [["register", "--every", "60", "--target", counter, "--call", "increment("], /is not a function signature/],
      [
        ["register", "--every", "60", "--target", counter, "--call", "add(uint256)", "--args", "seven"],
        /must be an integer/,
      ],
      [
        ["register", "--every", "60", "--target", counter, "--call", "add(uint256)"],
        /takes 1 argument\(s\), --args gave 0/,
      ],
      [["register", "--target", counter, "--call", "increment()"], /exactly one trigger/],
      [
        ["register", "--every", "60", "--target", counter, "--call", "increment()", "--fund", "lots"],
        /--fund must be an amount in ether/,
      ],
      [["fund", "1", "-3"], /amount must be an amount in ether/],
      [["fund", "abc", "1"], /workflow id must be a positive integer/],
      [["pause"], /workflow id must be a positive integer/],
      [["launch", "1"], /unknown command "launch"/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect([args.join(" "), r.code]).toEqual([args.join(" "), 2]);
      expect(r.out).toMatch(message);
    }
    expect(await chain.publicClient.getTransactionCount({ address: chain.wallets.owner.account.address })).toBe(before);
  });

  it("prints help for every command", async () => {
    const commands = ["register", "fund", "withdraw", "pause", "resume", "cancel", "status", "cron"];
    for (const command of [...commands, "subscribe", "unsubscribe", "subscriptions"]) {
      const r = await cli(command, "--help");
      expect([command, r.code]).toEqual([command, 0]);
      expect(r.out).toContain(`npm run workflow -- ${command}`);
    }
    expect((await cli("--help")).out).toContain(
      "commands: register, fund, withdraw, max-fee, pause, resume, cancel, status, subscribe, unsubscribe, subscriptions, cron",
    );
  });
});
