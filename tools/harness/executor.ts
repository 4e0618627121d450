/**
 * Runs the executor as `npm run executor` does (the compiled dist/executor/main.js) in a real child
 * process (so SIGKILL and restarts are real), with its output captured for assertions, including the
 * check that no private key ever appears in it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { killWithParent } from "../processes.js";
import { sleep } from "./wait.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * node's arguments in package.json's `executor` script (its V8 memory flags, the build check, the entry
 * point), so a test runs exactly what `npm run executor` runs, and the flags are written in one place.
 */
const EXECUTOR_ARGS: string[] = (() => {
  const script: string = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")).scripts.executor;
  const [node, ...args] = script.split(/\s+/);
  if (node !== "node" || !args.includes("dist/executor/main.js"))
    throw new Error(`package.json's executor script is not "node … dist/executor/main.js": ${script}`);
  return args;
})();

export interface ExecutorProcess {
  process: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Graceful stop (SIGINT); resolves with the exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** Every line any executor printed in this test file, for the leak check. */
export const allOutput: string[] = [];

export function spawnExecutor(env: Record<string, string>, args: string[] = []): ExecutorProcess {
  const child = killWithParent(
    spawn(process.execPath, [...EXECUTOR_ARGS, ...args], {
      cwd: ROOT,
      env: { ...(process.env as Record<string, string>), LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let output = "";
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    allOutput.push(chunk.toString());
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    process: child,
    output: () => output,
    exited,
    stop: async () => {
      if (alive()) child.kill("SIGINT");
      return exited;
    },
    kill: async () => {
      if (alive()) child.kill("SIGKILL");
      await exited;
    },
    waitForLog: async (pattern, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (!alive()) throw new Error(`executor exited before logging ${pattern}:\n${output.slice(-3000)}`);
        if (Date.now() > deadline)
          throw new Error(`executor did not log ${pattern} in ${timeoutMs} ms:\n${output.slice(-3000)}`);
        await sleep(100);
      }
    },
  };
}

/** The hex digits of each key, with and without 0x: none may appear in any output. */
export function leakedKeys(keys: string[], text = allOutput.join("")): string[] {
  const lower = text.toLowerCase();
  return keys.filter((k) => lower.includes(k.toLowerCase().replace(/^0x/, "")));
}
