/** npm run grant-worker -- <address> — gives an executor's signer WORKER_ROLE on ActionExecutor. */
import { getAddress, isAddress } from "viem";
import { actionExecutorAbi } from "../../abis/index.js";
import { readDeployment } from "../../lib/deployments.js";
import { address, ConfigError, parseEnv, privateKey, runMain, url } from "../../lib/env.js";
import { DEV_KEYS } from "../../tools/accounts.js";
import { publicClientFor, walletFor } from "../../tools/clients.js";
import { WORKER_ROLE } from "../../tools/roles.js";

runMain(async () => {
  const worker = process.argv[2];
  if (!worker || !isAddress(worker, { strict: false })) {
    throw new ConfigError("usage: npm run grant-worker -- <worker address> (a 0x-prefixed 20-byte address)");
  }
  const env = parseEnv({
    RPC_URL: url.default("http://127.0.0.1:8545"),
    DEPLOYER_PRIVATE_KEY: privateKey.optional(),
    ACTIONEXECUTOR_ADDRESS: address.optional(),
  });
  const publicClient = await publicClientFor(env.RPC_URL);
  const chainId = publicClient.chain.id;
  const executor = env.ACTIONEXECUTOR_ADDRESS ?? readDeployment(chainId)?.actionExecutor;
  if (!executor) throw new ConfigError(`ACTIONEXECUTOR_ADDRESS: not set and no deployments/${chainId}.json`);
  const key = env.DEPLOYER_PRIVATE_KEY ?? (chainId === 31337 ? DEV_KEYS.deployer : undefined);
  if (!key) throw new ConfigError(`DEPLOYER_PRIVATE_KEY: required on chain ${chainId}`);
  const wallet = walletFor(publicClient, key);
  const account = getAddress(worker);
  const has = await publicClient.readContract({
    address: executor,
    abi: actionExecutorAbi,
    functionName: "hasRole",
    args: [WORKER_ROLE, account],
  });
  if (has) {
    console.log(`${account} already has WORKER_ROLE on ${executor}`);
    return;
  }
  const hash = await wallet.writeContract({
    address: executor,
    abi: actionExecutorAbi,
    functionName: "grantRole",
    args: [WORKER_ROLE, account],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`grantRole transaction ${hash} reverted`);
  console.log(`granted WORKER_ROLE to ${account} on ${executor} (tx ${hash})`);
});
