/** Runs `npm run workflow` as a real child process against a test chain, the way an owner runs it. */
import { type ChildProcess, spawn } from "node:child_process";
import { type Chain, chainEnv } from "../../tools/harness/chain.js";

/**
 * Per test in these files: every CLI run is a fresh node + viem start, a second or so alone and
 * several seconds each on a machine busy with other suites, and a test makes up to fifteen of them.
 */
export const CLI_TEST_TIMEOUT = 180_000;

export interface CliRun {
  code: number | null;
  out: string;
}

/** Starts the CLI; `done` settles with its exit code and everything it printed (stdout and stderr). */
export function startCli(
  chain: Chain,
  extra: Record<string, string>,
  args: readonly string[],
): { child: ChildProcess; done: Promise<CliRun> } {
  const env = { ...(process.env as Record<string, string>), ...chainEnv(chain), ...extra };
  // The compiled CLI, as `npm run workflow` runs it (test/global-setup.ts built it): a tsx start cost each
  // of these runs about a second more.
  const child = spawn(process.execPath, ["dist/scripts/workflow.js", ...args], {
    env,
    cwd: process.cwd(),
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const done = new Promise<CliRun>((resolve) => child.once("exit", (code) => resolve({ code, out })));
  return { child, done };
}

export function runCli(chain: Chain, extra: Record<string, string>, ...args: string[]): Promise<CliRun> {
  return startCli(chain, extra, args).done;
}

/** The id a `register` printed ("registered workflow <id> in <hash>"); 0 when it printed none. */
export const idFrom = (out: string): bigint => BigInt(/registered workflow (\d+)/.exec(out)?.[1] ?? "0");

/** The transaction hash a `register` printed. */
export function hashFrom(out: string): `0x${string}` {
  const hash = /registered workflow \d+ in (0x[0-9a-fA-F]{64})/.exec(out)?.[1];
  if (!hash) throw new Error(`no registration in the CLI's output:\n${out}`);
  return hash as `0x${string}`;
}
