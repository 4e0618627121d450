/**
 * `npm run workflow -- register` with the LOG triggers, against a real anvil: --on-log with actions and
 * --chainlink-log with an upkeep, their topics given as addresses, integers and hex words; bad events,
 * topics and flags refused by name before anything is sent.
 */
import { type Address, encodeFunctionData, type Hex, keccak256, pad, parseEventLogs, toHex } from "viem";
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
import { type Chain, startChain } from "../helpers/chain.js";
import { type CliRun, idFrom, runCli } from "./cli.js";

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

describe("npm run workflow -- register, LOG triggers", () => {
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
  }, 120_000); // fifteen CLI processes, each starting tsx

  it("documents the LOG triggers in register --help", async () => {
    const r = await cli("register", "--help");
    expect(r.code).toBe(0);
    for (const option of ["--on-log <emitter>", "--chainlink-log <upkeep>", "--event", "--topic1", "--emitter"]) {
      expect([option, r.out.includes(option)]).toEqual([option, true]);
    }
  });
});
