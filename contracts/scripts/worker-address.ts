/**
 * npm run worker-address — the addresses the worker signs as: WORKER_PRIVATE_KEY's, and each key of
 * WORKER_KEYSTORE (decrypted with WORKER_KEYSTORE_PASSWORD_FILE). Keys and the password are never printed.
 */
import { privateKeyToAccount } from "viem/accounts";
import { decryptKeystores, keystoreFiles } from "../../executor/keystore.js";
import { ConfigError, parseEnv, privateKey, runMain } from "../../lib/env.js";

runMain(async () => {
  const env = process.env;
  if (!env.WORKER_PRIVATE_KEY && !env.WORKER_KEYSTORE) {
    throw new ConfigError("WORKER_PRIVATE_KEY: required (or WORKER_KEYSTORE with WORKER_KEYSTORE_PASSWORD_FILE)");
  }
  if (env.WORKER_PRIVATE_KEY) {
    console.log(privateKeyToAccount(parseEnv({ WORKER_PRIVATE_KEY: privateKey }).WORKER_PRIVATE_KEY).address);
  }
  if (env.WORKER_KEYSTORE) {
    if (!env.WORKER_KEYSTORE_PASSWORD_FILE) {
      throw new ConfigError("WORKER_KEYSTORE_PASSWORD_FILE: required with WORKER_KEYSTORE");
    }
    const files = keystoreFiles(env.WORKER_KEYSTORE);
    const keys = await decryptKeystores({ files, passwordFile: env.WORKER_KEYSTORE_PASSWORD_FILE, chains: [] });
    for (const key of keys) console.log(privateKeyToAccount(key.reveal()).address);
  }
});
