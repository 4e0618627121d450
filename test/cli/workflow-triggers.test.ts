/**
 * `npm run workflow -- register` with the LOG and CRON triggers, against a real anvil: --on-log with
 * actions and --chainlink-log with an upkeep, their topics given as addresses, integers and hex words;
 * `cron` checking an expression and printing its next runs; bad events, topics, flags and cron
 * expressions refused by name before anything is sent.
 */
import {
  type Address,
  encodeFunctionData,
  type Hex,
  keccak256,
  pad,
  parseEther,
  parseEventLogs,
  stringToHex,
  toHex,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chainlinkStyleLogUpkeepAbi,
  chainlinkStyleLogUpkeepBytecode,
  counterAbi,
  counterBytecode,
  emitterAbi,
  emitterBytecode,
} from "../../abis/index.js";
import { decodeLogTrigger, encodeLogTrigger, matchesLog } from "../../lib/log-trigger.js";
import { CheckerKind, TriggerType } from "../../lib/spec.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { CLI_TEST_TIMEOUT, type CliRun, hashFrom, idFrom, runCli } from "./cli.js";

let chain: Chain;
let counter: Address;
let emitter: Address;
let upkeep: Address;
beforeAll(async () => {
  chain = await startChain();
  counter = await chain.deploy(counterAbi, counterBytecode);
  emitter = await chain.deploy(emitterAbi, emitterBytecode);
  upkeep = await chain.deploy(chainlinkStyleLogUpkeepAbi, chainlinkStyleLogUpkeepBytecode);
});
afterAll(() => chain?.stop());

const cli = (...args: string[]) => runCli(chain, {}, ...args);
const PING = "Ping(address indexed from, uint256 indexed n, uint256 indexed tag, bytes data)";
/** topic0 of Ping, from its canonical signature (not from the CLI's own parsing). */
const PING_TOPIC0 = keccak256(toHex("Ping(address,uint256,uint256,bytes)"));

/** Runs every case at once (each is its own process) and checks each exits 2 with its message. */
async function refusesAll(cases: readonly (readonly [string[], RegExp])[]): Promise<void> {
  const owner = chain.wallets.owner.account.address;
  const before = await chain.publicClient.getTransactionCount({ address: owner });
  const runs: CliRun[] = await Promise.all(cases.map(([args]) => cli(...args)));
  for (const [i, [args, message]] of cases.entries()) {
    expect([args.join(" "), runs[i]!.code]).toEqual([args.join(" "), 2]);
    expect([args.join(" "), runs[i]!.out]).toEqual([args.join(" "), expect.stringMatching(message)]);
  }
  expect(await chain.publicClient.getTransactionCount({ address: owner })).toBe(before);
}

describe("npm run workflow -- register, LOG triggers", { timeout: CLI_TEST_TIMEOUT }, () => {
  it("registers an --on-log workflow whose topics (an address, a decimal integer, a hex word) match the real log", async () => {
    const pinger = chain.wallets.stranger;
    const r = await cli(
      "register",
      "--on-log",
      emitter,
      "--event",
      PING,
      "--topic1",
      pinger.account.address,
      "--topic2",
      "1",
      "--topic3",
      "0x2a",
      "--target",
      counter,
      "--call",
      "increment()",
      "--fund",
      "0.1",
    );
    expect([r.code, r.out]).toEqual([0, expect.stringMatching(/registered workflow \d+/)]);
    const w = await chain.workflow(idFrom(r.out));
    expect(w.owner).toBe(chain.wallets.owner.account.address);
    expect([w.spec.trigger.kind, w.spec.trigger.checkerKind]).toEqual([TriggerType.LOG, CheckerKind.NONE]);
    expect(w.spec.actions).toEqual([
      { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) },
    ]);
    const filter = {
      emitter,
      topic0: PING_TOPIC0,
      topic1: pad(pinger.account.address.toLowerCase() as Hex),
      topic2: pad("0x01"),
      topic3: pad("0x2a"),
    };
    expect(w.spec.trigger.data).toBe(encodeLogTrigger(filter));

    // The first Ping the stranger sends with tag 42 carries exactly these topics.
    const receipt = await chain.mined(
      await pinger.writeContract({ address: emitter, abi: emitterAbi, functionName: "ping", args: [42n, "0x"] }),
    );
    const [log] = parseEventLogs({ abi: emitterAbi, eventName: "Ping", logs: receipt.logs });
    expect(log && matchesLog(decodeLogTrigger(w.spec.trigger.data), log)).toBe(true);
    expect(log?.topics).toEqual([filter.topic0, filter.topic1, filter.topic2, filter.topic3]);
  });

  it("registers a --chainlink-log upkeep with its emitter, event, one topic and check data", async () => {
    const r = await cli(
      "register",
      "--chainlink-log",
      upkeep,
      "--emitter",
      emitter,
      "--event",
      "event Ping(address indexed,uint256 indexed,uint256 indexed,bytes)",
      "--topic3",
      "7",
      "--check-data",
      "0xbeef",
    );
    expect([r.code, r.out]).toEqual([0, expect.stringMatching(/registered workflow \d+/)]);
    const w = await chain.workflow(idFrom(r.out));
    expect([w.spec.trigger.kind, w.spec.trigger.checkerKind, w.spec.trigger.checker]).toEqual([
      TriggerType.LOG,
      CheckerKind.CHAINLINK,
      upkeep,
    ]);
    expect(w.spec.actions).toEqual([]);
    expect(w.spec.trigger.data).toBe(encodeLogTrigger({ emitter, topic0: PING_TOPIC0, topic3: pad("0x07") }, "0xbeef"));
    expect(decodeLogTrigger(w.spec.trigger.data)).toEqual({
      emitter,
      topic0: PING_TOPIC0,
      topic3: pad("0x07"),
      checkData: "0xbeef",
    });
  });

  it("refuses bad events, topics and flags before sending anything, naming the flag", async () => {
    const act = ["--target", counter, "--call", "increment()"];
    await refusesAll([
      [
        ["register", "--on-log", emitter, "--event", "Ping(address indexed", ...act],
        /--event "Ping\(address indexed" is not an event signature/,
      ],
      [
        ["register", "--on-log", emitter, "--event", "Ping(addr indexed)", ...act],
        /--event "Ping\(addr indexed\)" is not an event signature/,
      ],
      [["register", "--on-log", emitter, ...act], /--on-log needs --event/],
      [["register", "--on-log", "0x1234", "--event", PING, ...act], /--on-log must be a 0x-prefixed 20-byte address/],
      [
        ["register", "--on-log", emitter, "--event", PING, "--topic2", "seven", ...act],
        /--topic2 must be a 0x hex word or a decimal integer for indexed parameter 2 \(uint256\)/,
      ],
      [
        ["register", "--on-log", emitter, "--event", PING, "--topic1", "12", ...act],
        /--topic1 must be a 0x hex word or an address for indexed parameter 1 \(address\)/,
      ],
      [
        ["register", "--on-log", emitter, "--event", PING, "--topic3", `0x${"ab".repeat(33)}`, ...act],
        /--topic3 must be at most 32 bytes of hex/,
      ],
      [
        ["register", "--on-log", emitter, "--event", "Tick(uint8 indexed)", "--topic1", "256", ...act],
        /--topic1: cannot encode "256" as uint8/,
      ],
      [
        ["register", "--on-log", emitter, "--event", "Ping(address,uint256)", "--topic1", counter, ...act],
        /--topic1: --event "Ping\(address,uint256\)" has 0 indexed parameter\(s\), so no topic 1/,
      ],
      [
        ["register", "--on-log", emitter, "--event", "Tick(uint8 indexed)", "--topic2", "0x01", ...act],
        /--topic2: --event "Tick\(uint8 indexed\)" has 1 indexed parameter\(s\), so no topic 2/,
      ],
      [["register", "--on-log", emitter, "--event", PING], /a LOG workflow needs at least one --target/],
      [["register", "--chainlink-log", upkeep, "--event", PING], /--chainlink-log needs --emitter <address>/],
      [
        ["register", "--chainlink-log", upkeep, "--emitter", emitter, "--event", PING, ...act],
        /--chainlink-log runs performUpkeep on the upkeep; it takes no --target/,
      ],
      [
        ["register", "--chainlink-log", upkeep, "--emitter", emitter, "--event", PING, "--check-data", "beef"],
        /--check-data must be 0x-prefixed hex/,
      ],
      [["register", "--on-log", emitter, "--every", "60", "--event", PING, ...act], /exactly one trigger/],
    ]);
  });

  it("documents the LOG triggers in register --help", async () => {
    const r = await cli("register", "--help");
    expect(r.code).toBe(0);
    for (const option of ["--on-log <emitter>", "--chainlink-log <upkeep>", "--event", "--topic1", "--emitter"]) {
      expect([option, r.out.includes(option)]).toEqual([option, true]);
    }
  });
});

describe("npm run workflow -- cron, and register --cron", { timeout: CLI_TEST_TIMEOUT }, () => {
  it("checks a cron expression and prints its next 3 runs in UTC, sending nothing", async () => {
    const owner = chain.wallets.owner.account.address;
    const before = await chain.publicClient.getTransactionCount({ address: owner });
    // 2024-01-05T10:00:00Z is a Friday, after 09:00: the next weekday 09:00s are Mon, Tue, Wed.
    const weekdays = await cli("cron", "0 9 * * MON-FRI", "--after", "1704448800");
    expect([weekdays.code, weekdays.out.trim().split("\n")]).toEqual([
      0,
      [
        'cron "0 9 * * MON-FRI" (UTC), next runs after 2024-01-05T10:00:00Z:',
        "  2024-01-08T09:00:00Z",
        "  2024-01-09T09:00:00Z",
        "  2024-01-10T09:00:00Z",
      ],
    ]);
    // A macro: @yearly is "0 0 1 1 *", so from 2024-03-01 the next three New Years.
    const leap = await cli("cron", "@yearly", "--after", "1709251200");
    expect(leap.out.trim().split("\n").slice(1)).toEqual([
      "  2025-01-01T00:00:00Z",
      "  2026-01-01T00:00:00Z",
      "  2027-01-01T00:00:00Z",
    ]);
    expect(await chain.publicClient.getTransactionCount({ address: owner })).toBe(before);
  });

  it("registers a CRON workflow: the registry holds the expression, and the CLI prints its first 3 runs", async () => {
    // Starting Friday 2030-03-01 00:00 UTC: 09:00 that day, then Monday and Tuesday.
    const r = await cli(
      "register",
      "--cron",
      "0 9 * * MON-FRI",
      "--start",
      "1898553600",
      "--target",
      counter,
      "--call",
      "increment()",
      "--fund",
      "0.1",
    );
    expect([r.code, r.out]).toEqual([0, expect.stringMatching(/registered workflow \d+/)]);
    expect(r.out.trim().split("\n").slice(1)).toEqual([
      'cron "0 9 * * MON-FRI" (UTC), next runs:',
      "  2030-03-01T09:00:00Z",
      "  2030-03-04T09:00:00Z",
      "  2030-03-05T09:00:00Z",
    ]);
    const w = await chain.workflow(idFrom(r.out));
    expect(w.owner).toBe(chain.wallets.owner.account.address);
    expect([w.spec.trigger.kind, w.spec.trigger.checkerKind, w.spec.trigger.data]).toEqual([
      TriggerType.CRON,
      CheckerKind.NONE,
      stringToHex("0 9 * * MON-FRI"),
    ]);
    expect(w.spec.actions).toEqual([
      { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) },
    ]);
    expect(w.nextExecutionAt).toBe(1898553600n + 9n * 3600n);
    expect(await chain.balanceOf(idFrom(r.out))).toBe(parseEther("0.1"));

    // Without --start the runs count from the registration's block: every 10 minutes from there.
    // Funded: an unfunded registration adds a warning after the runs.
    const now = await cli(
      "register",
      "--cron",
      "*/10 * * * *",
      "--fund",
      "0.1",
      "--target",
      counter,
      "--call",
      "increment()",
    );
    expect(now.code).toBe(0);
    const receipt = await chain.publicClient.getTransactionReceipt({ hash: hashFrom(now.out) });
    const { timestamp } = await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    const first = ((timestamp + 599n) / 600n) * 600n;
    const iso = (t: bigint) => `  ${new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z")}`;
    expect(now.out.trim().split("\n").slice(2)).toEqual([first, first + 600n, first + 1200n].map(iso));
    const w2 = await chain.workflow(idFrom(now.out));
    expect([w2.spec.trigger.kind, w2.spec.trigger.data, w2.nextExecutionAt]).toEqual([
      TriggerType.CRON,
      stringToHex("*/10 * * * *"),
      first,
    ]);
  });

  it("refuses bad cron expressions and a CRON workflow without actions before sending anything, naming the flag", async () => {
    const act = ["--target", counter, "--call", "increment()"];
    await refusesAll([
      [["register", "--cron", "61 * * * *", ...act], /--cron "61 \* \* \* \*": minute out of range at position 0/],
      [["register", "--cron", "0 9 * * MOON", ...act], /--cron "0 9 \* \* MOON": unknown name at position 8/],
      [["register", "--cron", "* * * *", ...act], /--cron "\* \* \* \*": too few fields/],
      [["register", "--cron", "0 0 30 2 *", ...act], /--cron "0 0 30 2 \*" never fires/],
      [["register", "--cron", "*/5 * * * *"], /a CRON workflow needs at least one --target/],
      [["cron", "*/0 * * * *"], /cron "\*\/0 \* \* \* \*": zero step at position 2/],
      [["cron", "--after", "5"], /cron needs a cron expression/],
    ]);
  });

  it("documents --cron in register --help and the cron command in its own", async () => {
    const [register, cron] = await Promise.all([cli("register", "--help"), cli("cron", "--help")]);
    expect(register.out).toContain('--cron "<expression>"');
    expect(register.out).toContain("CRON: run the actions on a 5-field UTC schedule");
    expect([cron.code, cron.out]).toEqual([0, expect.stringContaining('npm run workflow -- cron "<expression>"')]);
  });
});
