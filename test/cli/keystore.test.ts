/**
 * Keys out of the environment: WORKER_KEYSTORE takes an encrypted JSON keystore made by another tool
 * (here foundry's `cast wallet import`, from npm), decrypted with the password in
 * WORKER_KEYSTORE_PASSWORD_FILE. The worker's own config path reads it: `npm run claim -- --status`
 * (compiled, as npm runs it) lists the signers the worker would sign with, from the keystore alone.
 * A wrong password, a file that is not a keystore or a missing password file is a one-line config error
 * naming the variable; no key or password ever appears in any output.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_KEYS } from "../../tools/accounts.js";
import { type Chain, chainEnv, startChain } from "../../tools/harness/chain.js";

const PASSWORD = "correct horse battery staple";
const worker = privateKeyToAccount(DEV_KEYS.worker).address;
const worker2 = privateKeyToAccount(DEV_KEYS.worker2).address;

let chain: Chain;
let dir: string;
let keystore: string;
let keystore2: string;
let passwordFile: string;
const outputs: string[] = [];

/** Makes a keystore of `key` with cast, as an operator would; returns its path. */
function castKeystore(name: string, key: string): string {
  const into = join(dir, name);
  execFileSync(
    "npx",
    ["cast", "wallet", "import", name, "--private-key", key, "--keystore-dir", into, "--unsafe-password", PASSWORD],
    { stdio: "pipe" },
  );
  const [file] = readdirSync(into);
  if (!file) throw new Error(`cast wrote no keystore into ${into}`);
  return join(into, file);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "autokeeper-keystore-"));
  keystore = castKeystore("worker", DEV_KEYS.worker);
  keystore2 = castKeystore("worker2", DEV_KEYS.worker2);
  passwordFile = join(dir, "password");
  // With the trailing newline an editor or `echo` leaves: the password is the first line.
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  chain = await startChain();
});
afterAll(async () => {
  await chain?.anvil.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a compiled or tsx entry point with the chain's environment, no private key of its own, and `env`. */
async function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const { WORKER_PRIVATE_KEY: _, WORKER_PRIVATE_KEYS: __, ...inherited } = process.env as Record<string, string>;
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...inherited, ...chainEnv(chain), ...env },
    cwd: process.cwd(),
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  outputs.push(out);
  return { code, out };
}

const claimStatus = (env: Record<string, string>) =>
  run(["--import", "./scripts/ensure-built.mjs", "dist/executor/cli/claim.js", "--status"], env);
const workerAddress = (env: Record<string, string>) =>
  run(["--import", "tsx", "contracts/scripts/worker-address.ts"], env);

describe("WORKER_KEYSTORE", () => {
  it("signs as the keys of keystores cast made: the worker's signers and npm run worker-address", async () => {
    const env = { WORKER_KEYSTORE: `${keystore}, ${keystore2}`, WORKER_KEYSTORE_PASSWORD_FILE: passwordFile };
    const status = await claimStatus(env);
    expect(status.code, status.out).toBe(0);
    const signers = status.out.match(/^0x[0-9a-fA-F]{40}(?=\s+unclaimed)/gm);
    expect(signers).toEqual([worker, worker2]);
    const address = await workerAddress(env);
    expect(address.code, address.out).toBe(0);
    expect(address.out.trim().split("\n")).toEqual([worker, worker2]);
  }, 60_000);

  it("adds to WORKER_PRIVATE_KEY, and a key given both ways signs once", async () => {
    const status = await claimStatus({
      WORKER_PRIVATE_KEYS: `${DEV_KEYS.worker2},${DEV_KEYS.worker}`,
      WORKER_KEYSTORE: keystore,
      WORKER_KEYSTORE_PASSWORD_FILE: passwordFile,
    });
    expect(status.code, status.out).toBe(0);
    expect(status.out.match(/^0x[0-9a-fA-F]{40}(?=\s+unclaimed)/gm)).toEqual([worker2, worker]);
  }, 60_000);

  it("refuses a wrong password, a file that is not a keystore and a missing password file, naming the variable", async () => {
    const wrong = join(dir, "wrong-password");
    writeFileSync(wrong, "not the password\n");
    const notKeystore = join(dir, "not-a-keystore.json");
    writeFileSync(notKeystore, JSON.stringify({ hello: "world" }));
    const cases: [Record<string, string>, string][] = [
      [
        { WORKER_KEYSTORE: keystore, WORKER_KEYSTORE_PASSWORD_FILE: wrong },
        `WORKER_KEYSTORE: ${keystore} does not decrypt with the password in WORKER_KEYSTORE_PASSWORD_FILE`,
      ],
      [
        { WORKER_KEYSTORE: notKeystore, WORKER_KEYSTORE_PASSWORD_FILE: passwordFile },
        `WORKER_KEYSTORE: ${notKeystore} is not a JSON keystore (Web3 Secret Storage v3)`,
      ],
      [
        { WORKER_KEYSTORE: join(dir, "missing.json"), WORKER_KEYSTORE_PASSWORD_FILE: passwordFile },
        `WORKER_KEYSTORE: cannot read ${join(dir, "missing.json")} (ENOENT)`,
      ],
      [{ WORKER_KEYSTORE: keystore }, "WORKER_KEYSTORE_PASSWORD_FILE: required with WORKER_KEYSTORE"],
      [
        { WORKER_KEYSTORE: keystore, WORKER_KEYSTORE_PASSWORD_FILE: join(dir, "nope") },
        `WORKER_KEYSTORE_PASSWORD_FILE: cannot read ${join(dir, "nope")} (ENOENT)`,
      ],
    ];
    for (const [env, message] of cases) {
      for (const result of [await claimStatus(env), await workerAddress(env)]) {
        expect(result.code, result.out).not.toBe(0);
        expect(result.out).toContain(message);
      }
    }
  }, 120_000);

  it("never printed a key or the password", () => {
    const all = outputs.join("\n");
    for (const key of [DEV_KEYS.worker, DEV_KEYS.worker2]) {
      expect(all).not.toContain(key.slice(2));
    }
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain("not the password");
  });
});
