/**
 * Runs `ponder start` (or `ponder serve`, a read replica: the API and GraphQL over a schema another
 * process indexes) as a child process against a chain and a database, and stops it the way Ponder needs
 * (SIGINT: SIGTERM leaves its schema locked for ~25 s). Used by the tests and `npm run dev`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Deployment } from "../lib/deployments.js";
import { type ChainTarget, chainsEnv } from "../lib/network.js";
import { sleep } from "./harness/wait.js";
import { killWithParent, stopChild } from "./processes.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export type PonderDatabase = { kind: "pglite"; directory: string } | { kind: "postgres"; url: string };

export interface PonderOptions {
  rpcUrl: string;
  deployment: Deployment;
  /** Several chains in one app (CHAINS); rpcUrl and deployment are then the first's. */
  chains?: ChainTarget[];
  database: PonderDatabase;
  port: number;
  /** Postgres schema (and, for `ponder start`, a required name). */
  schema: string;
  /** `serve`: the HTTP side only, reading `schema` as a `ponder start` elsewhere writes it (Postgres only). */
  command?: "start" | "serve";
  /** Publish the tables as views in this schema (Postgres only). */
  viewsSchema?: string;
  pollingMs?: number;
  env?: Record<string, string>;
  /** Where Ponder's output goes; kept in memory when unset. */
  onOutput?: (line: string) => void;
  /** Another Ponder app's directory (the bench's bare app); this project's when unset. */
  root?: string;
}

export interface PonderProcess {
  url: string;
  process: ChildProcess;
  output: () => string;
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** The last block indexed of `chainId` (the only or first chain when unset). */
  indexedBlock(chainId?: number): Promise<number | undefined>;
  waitForBlock(block: number | bigint, timeoutMs?: number, chainId?: number): Promise<void>;
  stop(): Promise<void>;
}

// ponder's exports map is import-only and hides package.json, so locate its CLI from the project root.
const PONDER_BIN = join(ROOT, "node_modules", "ponder", "dist", "esm", "bin", "ponder.js");

export function startPonder(options: PonderOptions): PonderProcess {
  const args = [PONDER_BIN, ...(options.root ? ["--root", options.root] : []), options.command ?? "start"];
  args.push("--schema", options.schema, "--port", String(options.port));
  if (options.viewsSchema) args.push("--views-schema", options.viewsSchema);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PONDER_TELEMETRY_DISABLED: "true",
    CHAIN: "custom",
    CHAIN_ID: String(options.deployment.chainId),
    RPC_URL: options.rpcUrl,
    REGISTRY_ADDRESS: options.deployment.registry,
    ACTIONEXECUTOR_ADDRESS: options.deployment.actionExecutor,
    FEEESCROW_ADDRESS: options.deployment.feeEscrow,
    START_BLOCK: String(options.deployment.startBlock),
    PONDER_POLLING_MS: String(options.pollingMs ?? 1000),
    ...(options.chains ? chainsEnv(options.chains) : {}),
    ...options.env,
  };
  delete env.DATABASE_URL;
  delete env.PGLITE_DIR;
  if (options.database.kind === "postgres") env.DATABASE_URL = options.database.url;
  else env.PGLITE_DIR = options.database.directory;

  const child = killWithParent(spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] }));
  let output = "";
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
    options.onOutput?.(text);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const url = `http://127.0.0.1:${options.port}`;
  const exited = () => child.exitCode !== null || child.signalCode !== null;

  async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exited()) throw new Error(`ponder exited while waiting for ${what}:\n${output.slice(-3000)}`);
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    throw new Error(`ponder: timed out after ${timeoutMs} ms waiting for ${what}:\n${output.slice(-3000)}`);
  }

  async function indexedBlock(chainId?: number): Promise<number | undefined> {
    const res = await fetch(`${url}/status`);
    if (!res.ok) return undefined;
    const status = Object.values((await res.json()) as Record<string, { id: number; block: { number: number } }>);
    return (chainId === undefined ? status[0] : status.find((s) => s.id === chainId))?.block.number;
  }

  return {
    url,
    process: child,
    output: () => output,
    indexedBlock: (chainId) => indexedBlock(chainId).catch(() => undefined),
    waitUntilReady: (timeoutMs = 120_000) =>
      poll("/ready", timeoutMs, async () => ((await fetch(`${url}/ready`)).ok ? true : undefined)).then(() => {}),
    waitForBlock: (block, timeoutMs = 60_000, chainId) =>
      poll(`block ${block}${chainId === undefined ? "" : ` of chain ${chainId}`}`, timeoutMs, async () => {
        const n = await indexedBlock(chainId);
        return n !== undefined && n >= Number(block) ? n : undefined;
      }).then(() => {}),
    // SIGINT: SIGTERM leaves the schema locked for about 25 s.
    stop: () => stopChild(child, "SIGINT"),
  };
}
