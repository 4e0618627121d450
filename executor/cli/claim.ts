/**
 * npm run claim [-- --status] [--chain <id>]
 * Pays each worker key what it has earned on a chain (the only one, or the one --chain names when the
 * deployment serves several): for every key of that chain (WORKER_PRIVATE_KEYS_<id>, else
 * WORKER_PRIVATE_KEY / WORKER_PRIVATE_KEYS, and WORKER_KEYSTORE's keys), prints its address and unclaimed FeeEscrow earnings, and (without --status) calls `claim()` when there
 * are any, printing the amount from the Claimed event and the transaction hash. The running executor
 * does the same by itself (AUTO_CLAIM_MIN); this is for a key whose executor is not running, or now.
 * Keys are never printed: only the addresses they sign as.
 */
import { createPublicClient, createWalletClient, formatEther, parseEventLogs } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { feeEscrowAbi } from "../../abis/index.js";
import { chainFor } from "../../lib/chains.js";
import { checkEndpoints } from "../../lib/endpoints.js";
import { ConfigError, describeError, runMain } from "../../lib/env.js";
import { chainArg, oneNetwork } from "../../lib/network.js";
import { loadConfig } from "../config.js";
import { unlockKeystores } from "../keystore.js";
import { rpcTransport } from "../rpc.js";
import type { SecretKey } from "../secret.js";
import { feesFor } from "../worker/fees.js";

const usage = "usage: npm run claim [-- --status] [--chain <id>]";

runMain(async () => {
  const { chain: chainId, rest: args } = chainArg(process.argv.slice(2));
  if (args.some((a) => a !== "--status")) throw new ConfigError(usage);
  const statusOnly = args.includes("--status");

  const config = await unlockKeystores(loadConfig("worker", process.env, { chain: chainId }));
  const network = oneNetwork(config.networks, undefined);
  const keys = config.signerKeys.get(network.chainId) ?? [];
  const suffix = config.suffixedVariables ? `_${network.chainId}` : "";
  const { answered, silent } = await checkEndpoints(network.rpcUrls, network.chainId, config.rpcTimeoutMs, suffix);
  if (answered === 0) throw new Error(`no RPC endpoint answers: ${silent.join(", ")}`);
  const chain = chainFor(network.chainId, network.rpcUrl);
  const transport = rpcTransport(network.rpcUrls, { timeoutMs: config.rpcTimeoutMs, rankIntervalMs: 10_000 });
  const client = createPublicClient({ chain, transport, pollingInterval: 250 });
  const symbol = chain.nativeCurrency.symbol;
  const amount = (wei: bigint) => `${formatEther(wei)} ${symbol} (${wei} wei)`;

  let failed = 0;
  for (const key of keys) {
    const address = privateKeyToAccount(key.reveal()).address;
    const [earned, balance] = await Promise.all([
      client.readContract({ address: network.feeEscrow, abi: feeEscrowAbi, functionName: "earnings", args: [address] }),
      client.getBalance({ address }),
    ]);
    console.log(`${address}  unclaimed ${amount(earned)}  balance ${formatEther(balance)} ${symbol}`);
    if (statusOnly) continue;
    if (earned === 0n) {
      console.log("  nothing to claim");
      continue;
    }
    try {
      await claim(key);
    } catch (error) {
      failed += 1;
      console.error(`  claim failed: ${describeError(error)}`);
    }
  }
  if (failed > 0) throw new Error(`${failed} of ${keys.length} claims failed`);

  /** Simulated first (a revert is reported by name), then sent within MAX_FEE_GWEI, then waited for. */
  async function claim(key: SecretKey): Promise<void> {
    const wallet = createWalletClient({ account: privateKeyToAccount(key.reveal()), chain, transport });
    const call = { address: network.feeEscrow, abi: feeEscrowAbi, functionName: "claim" } as const;
    await client.simulateContract({ ...call, account: wallet.account });
    const [block, tip] = await Promise.all([client.getBlock(), client.estimateMaxPriorityFeePerGas()]);
    const fees = feesFor(block.baseFeePerGas ?? 0n, tip, config.maxFeePerGas);
    const hash = await wallet.writeContract({ ...call, ...fees });
    console.log(`  sent claim ${hash}`);
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: config.txTimeoutMs });
    if (receipt.status !== "success") throw new Error(`claim transaction ${hash} reverted`);
    const [event] = parseEventLogs({ abi: feeEscrowAbi, eventName: "Claimed", logs: receipt.logs });
    if (!event) throw new Error(`claim transaction ${hash} emitted no Claimed event`);
    const gas = receipt.gasUsed * receipt.effectiveGasPrice;
    console.log(`  claimed ${amount(event.args.amount)} in ${hash} (gas ${formatEther(gas)} ${symbol})`);
  }
});
