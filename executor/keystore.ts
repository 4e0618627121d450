/**
 * Signer keys from encrypted JSON keystores (Web3 Secret Storage v3, as geth, foundry's `cast wallet`
 * and MetaMask export them), so an operator's keys need not sit in the environment in the clear:
 * WORKER_KEYSTORE lists the files (comma-separated) and WORKER_KEYSTORE_PASSWORD_FILE holds the password
 * (its first line, as geth's --password reads it).
 *
 * Decrypted with ethers (maintained, and it reads both KDFs the format allows, scrypt and pbkdf2). Loaded
 * only when a keystore is configured: ethers' wallet module costs 17 MiB of RSS, which a worker that
 * reads its keys from the environment should not pay. Nothing here ever prints a key or the password.
 */
import { readFileSync } from "node:fs";
import type { Hex } from "viem";
import { ConfigError } from "../lib/env.js";
import type { ExecutorConfig } from "./config.js";
import { SecretKey } from "./secret.js";

/** The keystores a config names: the files, the password file, and the chains their keys serve. */
export interface KeystoreSource {
  files: string[];
  passwordFile: string;
  /** Chains without keys of their own (WORKER_PRIVATE_KEYS_<id>): the keystores' keys serve them. */
  chains: number[];
}

/** WORKER_KEYSTORE's files: a comma-separated list of paths. */
export const keystoreFiles = (value: string | undefined): string[] =>
  value
    ?.split(",")
    .map((f) => f.trim())
    .filter((f) => f.length > 0) ?? [];

/** Why a file cannot be read, without its contents: "ENOENT", "EACCES", … */
const readError = (error: unknown) => (error as NodeJS.ErrnoException).code ?? "unreadable";

/** The password: the file's first line (a trailing newline is not part of it). */
function readPassword(path: string): string {
  try {
    return readFileSync(path, "utf8").split(/\r?\n/)[0] ?? "";
  } catch (error) {
    throw new ConfigError(`WORKER_KEYSTORE_PASSWORD_FILE: cannot read ${path} (${readError(error)})`);
  }
}

/** Decrypts every keystore `source` names; a file that cannot be read or decrypted is a config error naming it. */
export async function decryptKeystores(source: KeystoreSource): Promise<SecretKey[]> {
  const password = readPassword(source.passwordFile);
  const { decryptKeystoreJson, isKeystoreJson } = await import("ethers/wallet");
  const keys: SecretKey[] = [];
  for (const file of source.files) {
    let json: string;
    try {
      json = readFileSync(file, "utf8");
    } catch (error) {
      throw new ConfigError(`WORKER_KEYSTORE: cannot read ${file} (${readError(error)})`);
    }
    if (!isKeystoreJson(json)) {
      throw new ConfigError(`WORKER_KEYSTORE: ${file} is not a JSON keystore (Web3 Secret Storage v3)`);
    }
    try {
      keys.push(new SecretKey((await decryptKeystoreJson(json, password)).privateKey as Hex));
    } catch {
      // ethers says "incorrect password" (a MAC mismatch) or names an unsupported cipher: never the secret.
      throw new ConfigError(
        `WORKER_KEYSTORE: ${file} does not decrypt with the password in WORKER_KEYSTORE_PASSWORD_FILE`,
      );
    }
  }
  return keys;
}

/** `config` with the keystores' keys added to the signers of the chains they serve (a key given twice counts once). */
export async function unlockKeystores(config: ExecutorConfig): Promise<ExecutorConfig> {
  if (!config.keystore || config.role === "scheduler") return config;
  const unlocked = await decryptKeystores(config.keystore);
  const signerKeys = new Map(config.signerKeys);
  for (const chainId of config.keystore.chains) {
    const keys = [...(signerKeys.get(chainId) ?? [])];
    const seen = new Set(keys.map((k) => k.reveal().toLowerCase()));
    for (const key of unlocked) {
      if (!seen.has(key.reveal().toLowerCase())) keys.push(key);
      seen.add(key.reveal().toLowerCase());
    }
    signerKeys.set(chainId, keys);
  }
  return { ...config, signerKeys };
}
