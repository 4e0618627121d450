/**
 * The CLI's argument checking (scripts/workflow-spec.ts), with no chain: flags become the same WorkflowSpec
 * the spec builders make by hand, and bad input is refused naming the flag, before anything is sent.
 */
import { encodeFunctionData, pad, parseAbi, parseEther, toEventSelector } from "viem";
import { describe, expect, it } from "vitest";
import { chainlinkSpec, cronSpec, logSpec, timeSpec } from "../../lib/spec.js";
import { buildSpec, options, UsageError } from "../../scripts/workflow-spec.js";

const TARGET = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const TOKEN = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const VAULT = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const spec = (...argv: string[]) => buildSpec(options(argv));
const refusal = (...argv: string[]) => {
  try {
    spec(...argv);
  } catch (error) {
    return error instanceof UsageError ? error.message : `not a UsageError: ${String(error)}`;
  }
  return "taken";
};

describe("buildSpec", () => {
  it("makes a TIME spec with an encoded call, limits and funds", () => {
    const data = encodeFunctionData({
      abi: parseAbi(["function harvest(uint256)"]),
      functionName: "harvest",
      args: [7n],
    });
    const built = spec(
      ...["--every", "3600", "--target", TARGET, "--call", "harvest(uint256)", "--args", "7"],
      ...["--fund", "0.5", "--gas-limit", "150000", "--max-fee", "0.02", "--max-runs", "10"],
    );
    expect(built.fund).toBe(parseEther("0.5"));
    expect(built.spec).toEqual(
      timeSpec([{ target: TARGET, value: 0n, data }], 3600n, {
        gasLimit: 150_000,
        maxFeePerRun: parseEther("0.02"),
        maxRuns: 10n,
      }),
    );
  });

  it("makes Chainlink, LOG and CRON specs as the builders do", () => {
    expect(spec("--chainlink", TARGET, "--check-data", "0x01", "--min-interval", "60").spec).toEqual(
      chainlinkSpec(TARGET, {
        checkData: "0x01",
        minInterval: 60n,
        gasLimit: 200_000,
        maxFeePerRun: parseEther("0.01"),
      }),
    );
    const event = "Transfer(address indexed,address indexed,uint256)";
    const log = spec(...["--on-log", TOKEN, "--event", event, "--topic2", VAULT, "--target", TARGET, "--data", "0x"]);
    expect(log.spec).toEqual(
      logSpec(
        {
          emitter: TOKEN,
          topic0: toEventSelector(`event ${event}`),
          topic1: undefined,
          topic2: pad(VAULT.toLowerCase() as `0x${string}`),
          topic3: undefined,
        },
        [{ target: TARGET, value: 0n, data: "0x" }],
        { gasLimit: 200_000, maxFeePerRun: parseEther("0.01") },
      ),
    );
    const cron = spec("--cron", "0 9 * * 1-5", "--target", TARGET, "--data", "0xabcdef01");
    expect(cron.spec).toEqual(
      cronSpec("0 9 * * 1-5", [{ target: TARGET, value: 0n, data: "0xabcdef01" }], {
        gasLimit: 200_000,
        maxFeePerRun: parseEther("0.01"),
      }),
    );
    expect(cron.cron?.expression).toBe("0 9 * * 1-5");
  });

  it.each([
    [["--target", TARGET, "--data", "0x"], "give exactly one trigger"],
    [["--every", "60", "--chainlink", TARGET], "give exactly one trigger"],
    [["--every", "-1", "--target", TARGET, "--data", "0x"], "--every must be a non-negative integer"],
    [["--every", "60", "--target", "0x123", "--data", "0x"], "--target must be a 0x-prefixed 20-byte address"],
    [["--every", "60", "--target", TARGET, "--call", "not a signature"], '--call "not a signature"'],
    [
      ["--every", "60", "--target", TARGET, "--call", "harvest(uint256)", "--args", "x"],
      "argument 1 (uint256) must be",
    ],
    [["--every", "60", "--target", TARGET, "--data", "0x", "--fund", "lots"], "--fund must be an amount"],
    [["--cron", "61 * * * *", "--target", TARGET, "--data", "0x"], "--cron"],
    [["--cron", "0 0 30 2 *", "--target", TARGET, "--data", "0x"], "--cron"],
    [["--chainlink", TARGET, "--check-data", "zz"], "--check-data must be 0x-prefixed hex"],
    [["--on-log", TOKEN, "--event", "Nope", "--target", TARGET, "--data", "0x"], "--event"],
  ])("refuses %j, naming what is wrong", (argv, why) => {
    expect(refusal(...argv)).toContain(why);
  });

  it("refuses a stray argument or a flag without its value", () => {
    expect(() => options(["42"])).toThrow('unexpected argument "42"');
    expect(() => options(["--every"])).toThrow("--every needs a value");
    expect(options(["--force", "--every", "5"]).get("force")).toEqual(["true"]);
  });
});
