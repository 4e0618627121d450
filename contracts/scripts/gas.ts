/**
 * npm run gas — gas per single `execute` and per item in `executeBatch` of 1, 10, 50 and 100, on a
 * fresh anvil. Every item is a due TIME workflow whose one action increments a shared Counter
 * (already non-zero, so no first-write premium), the plainest real automation.
 */
import { encodeFunctionData, parseEther } from "viem";
import { actionExecutorAbi, counterAbi, counterBytecode, workflowRegistryAbi } from "../../abis/index.js";
import { DEV_KEYS } from "../../lib/accounts.js";
import { startAnvil } from "../../lib/anvil.js";
import { publicClientFor, walletFor } from "../../lib/clients.js";
import { deployAutokeeper } from "../../lib/deploy.js";
import { runMain } from "../../lib/env.js";
import { timeSpec } from "../../lib/spec.js";

runMain(async () => {
  const anvil = await startAnvil({ gasLimit: 300_000_000n });
  try {
    const publicClient = await publicClientFor(anvil.rpcUrl);
    const deployer = walletFor(publicClient, DEV_KEYS.deployer);
    const worker = walletFor(publicClient, DEV_KEYS.worker);
    const owner = walletFor(publicClient, DEV_KEYS.owner);
    const d = await deployAutokeeper(publicClient, deployer, { workers: [worker.account.address] });
    const mined = async (hash: `0x${string}`) => publicClient.waitForTransactionReceipt({ hash });
    const counterHash = await deployer.deployContract({ abi: counterAbi, bytecode: counterBytecode });
    const counter = (await mined(counterHash)).contractAddress!;
    await mined(await deployer.writeContract({ address: counter, abi: counterAbi, functionName: "increment" }));
    const action = {
      target: counter,
      value: 0n,
      data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }),
    };

    let nextId = 1n;
    async function registerMany(n: number): Promise<bigint[]> {
      const ids: bigint[] = [];
      for (let i = 0; i < n; i++) {
        await mined(
          await owner.writeContract({
            address: d.registry,
            abi: workflowRegistryAbi,
            functionName: "register",
            args: [timeSpec([action], 3600n, { gasLimit: 100_000 })],
            value: parseEther("0.1"),
          }),
        );
        ids.push(nextId++);
      }
      return ids;
    }

    const rows: [string, bigint, bigint][] = [];
    const [single] = await registerMany(1);
    const r = await mined(
      await worker.writeContract({
        address: d.actionExecutor,
        abi: actionExecutorAbi,
        functionName: "execute",
        args: [single!, "0x"],
      }),
    );
    rows.push(["execute (1 run)", r.gasUsed, r.gasUsed]);
    for (const size of [1, 10, 50, 100]) {
      const ids = await registerMany(size);
      const receipt = await mined(
        await worker.writeContract({
          address: d.actionExecutor,
          abi: actionExecutorAbi,
          functionName: "executeBatch",
          args: [ids, ids.map(() => "0x" as const)],
          gas: 30_000_000n,
        }),
      );
      if (receipt.status !== "success") throw new Error(`batch of ${size} reverted`);
      rows.push([`executeBatch (${size})`, receipt.gasUsed, receipt.gasUsed / BigInt(size)]);
    }
    console.log("call                 total gas   gas per run");
    for (const [name, total, per] of rows) {
      console.log(`${name.padEnd(20)} ${String(total).padStart(10)}   ${String(per).padStart(11)}`);
    }
  } finally {
    await anvil.stop();
  }
});
