/**
 * npm run deploy [-- --if-missing] — deploys WorkflowRegistry, FeeEscrow and ActionExecutor to RPC_URL,
 * wires their roles and writes deployments/<chainId>.json. `--if-missing` deploys only when that file
 * names no registry with code on this chain (docker-compose.yml's deploy step, run on every `up`).
 */

import { z } from "zod";
import { readDeployment, writeDeployment } from "../../lib/deployments.js";
import { ConfigError, parseEnv, privateKey, runMain, url } from "../../lib/env.js";
import { DEV_KEYS } from "../../tools/accounts.js";
import { publicClientFor, walletFor } from "../../tools/clients.js";
import { deployAutokeeper } from "../../tools/deploy.js";

runMain(async () => {
  const env = parseEnv({
    RPC_URL: url.default("http://127.0.0.1:8545"),
    DEPLOYER_PRIVATE_KEY: privateKey.optional(),
    PREMIUM_BPS: z.coerce.number().int().min(0).max(10_000).default(2000),
    FLAT_FEE_WEI: z.coerce.bigint().min(0n).default(0n),
  });
  const publicClient = await publicClientFor(env.RPC_URL);
  const key = env.DEPLOYER_PRIVATE_KEY ?? (publicClient.chain.id === 31337 ? DEV_KEYS.deployer : undefined);
  if (!key) throw new ConfigError(`DEPLOYER_PRIVATE_KEY: required on chain ${publicClient.chain.id}`);
  const existing = readDeployment(publicClient.chain.id);
  if (process.argv.includes("--if-missing") && existing) {
    const code = await publicClient.getCode({ address: existing.registry });
    if (code && code !== "0x") {
      console.log(`already deployed on chain ${publicClient.chain.id}: WorkflowRegistry ${existing.registry}`);
      return;
    }
  }
  const wallet = walletFor(publicClient, key);
  console.log(`deploying to chain ${publicClient.chain.id} from ${wallet.account.address}`);
  const deployment = await deployAutokeeper(publicClient, wallet, {
    premiumBps: env.PREMIUM_BPS,
    flatFee: env.FLAT_FEE_WEI,
  });
  const path = writeDeployment(deployment);
  console.log(`WorkflowRegistry  ${deployment.registry}`);
  console.log(`FeeEscrow         ${deployment.feeEscrow}`);
  console.log(`ActionExecutor    ${deployment.actionExecutor}`);
  console.log(`start block       ${deployment.startBlock}`);
  console.log(`wrote ${path}`);
});
