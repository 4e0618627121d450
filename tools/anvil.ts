/**
 * Starts the anvil binary shipped in the npm package `@foundry-rs/anvil` (no foundryup needed).
 * Used by the tests, the gas report and `npm run dev`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { sleep } from "./harness/wait.js";
import { killWithParent, stopChild } from "./processes.js";

const require = createRequire(import.meta.url);

export interface Anvil {
  rpcUrl: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface AnvilOptions {
  /** 0 lets the OS pick a free port. */
  port?: number;
  /** Seconds between blocks; unset means a block per transaction (automine). */
  blockTime?: number;
  /** Start timestamp of the chain. */
  timestamp?: bigint;
  gasLimit?: bigint;
  chainId?: number;
}

export function anvilBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), "bin", "anvil");
  } catch {
    throw new Error(`anvil binary not found: ${pkg} is not installed (run npm install)`);
  }
}

export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const args = ["--host", "127.0.0.1", "--port", String(options.port ?? 0)];
  if (options.blockTime !== undefined) args.push("--block-time", String(options.blockTime));
  if (options.timestamp !== undefined) args.push("--timestamp", String(options.timestamp));
  if (options.gasLimit !== undefined) args.push("--gas-limit", String(options.gasLimit));
  if (options.chainId !== undefined) args.push("--chain-id", String(options.chainId));
  const child = killWithParent(spawn(anvilBinary(), args, { stdio: ["ignore", "pipe", "pipe"] }));

  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      // With --port 0 the banner is the only place the chosen port shows up.
      const match = /Listening on [\d.]+:(\d+)/.exec(out);
      if (match?.[1]) {
        child.stdout?.off("data", onData);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`anvil exited with ${code}: ${out.slice(-500)}`)));
    child.once("error", reject);
  });
  const rpcUrl = `http://127.0.0.1:${port}`;
  await waitForRpc(rpcUrl);
  child.stdout?.resume();

  return {
    rpcUrl,
    port,
    process: child,
    stop: () => stopChild(child, "SIGTERM"),
  };
}

async function waitForRpc(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`anvil did not answer at ${url} within ${timeoutMs} ms`);
}
