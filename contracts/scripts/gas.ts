/**
 * npm run gas — gas per single `execute` and per item in `executeBatch` of 1, 10, 50 and 100, on a
 * fresh anvil. Every item is a due TIME workflow whose one action increments a shared Counter
 * (already non-zero, so no first-write premium), the plainest real automation. Then batches of 50 and
 * 100 whose action, add(1), is too long to be kept in a storage word (its actions live in a CodeStore).
 * Then the same action
 * as LOG runs (one workflow, one log each, in batches of 50 and 100) and as CRON runs (one workflow
 * each, `* * * * *`, in batches of 50 and 100). Last, the overhead: gas per run of TIME, Chainlink and
 * Gelato runs in batches of 1, 10, 50 and 100, less the same action sent as a transaction of its own.
 */
import {
  type Abi,
  type Address,
  createTestClient,
  encodeFunctionData,
  type Hex,
  http,
  parseEther,
  parseEventLogs,
  toEventSelector,
} from "viem";
import {
  actionExecutorAbi,
  counterAbi,
  counterBytecode,
  emitterAbi,
  emitterBytecode,
  gelatoStyleResolverAbi,
  gelatoStyleResolverBytecode,
  gelatoStyleTargetAbi,
  gelatoStyleTargetBytecode,
  intervalUpkeepAbi,
  intervalUpkeepBytecode,
  workflowRegistryAbi,
} from "../../abis/index.js";
import { checkRefAt, conditionPerformData } from "../../lib/check-ref.js";
import { runMain } from "../../lib/env.js";
import { logPerformData } from "../../lib/log-trigger.js";
import { chainlinkSpec, cronSpec, gelatoSpec, logSpec, timeSpec, type WorkflowSpec } from "../../lib/spec.js";
import { DEV_KEYS } from "../../tools/accounts.js";
import { startAnvil } from "../../tools/anvil.js";
import { publicClientFor, walletFor } from "../../tools/clients.js";
import { deployAutokeeper } from "../../tools/deploy.js";
import { sleep } from "../../tools/harness/wait.js";
import { registeredId, withRegisterHeadroom } from "../../tools/registered.js";

runMain(async () => {
  const anvil = await startAnvil({ gasLimit: 300_000_000n });
  try {
    const publicClient = await publicClientFor(anvil.rpcUrl);
    const testClient = createTestClient({ mode: "anvil", chain: publicClient.chain, transport: http(anvil.rpcUrl) });
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

    async function registerMany(n: number, spec: WorkflowSpec = timeSpec([action], 3600n, { gasLimit: 100_000 })) {
      const ids: bigint[] = [];
      const call = {
        address: d.registry,
        abi: workflowRegistryAbi,
        functionName: "register",
        args: [spec],
        value: parseEther("1"),
      } as const;
      for (let i = 0; i < n; i++) {
        // With the registrations' headroom (tools/registered.ts), and a revert said as one: a run here once
        // stopped on a registration with no WorkflowRegistered log, and did not say why.
        const gas = withRegisterHeadroom(await publicClient.estimateContractGas({ ...call, account: owner.account }));
        const receipt = await mined(await owner.writeContract({ ...call, gas }));
        if (receipt.status !== "success")
          throw new Error(`registration ${receipt.transactionHash} reverted, ${receipt.gasUsed} of ${gas} gas used`);
        ids.push(registeredId(receipt, d.registry));
      }
      return ids;
    }
    async function batch(name: string, ids: bigint[], performData: Hex[]) {
      const receipt = await mined(
        await worker.writeContract({
          address: d.actionExecutor,
          abi: actionExecutorAbi,
          functionName: "executeBatch",
          args: [ids, performData],
          gas: 60_000_000n,
        }),
      );
      if (receipt.status !== "success") throw new Error(`${name} reverted`);
      rows.push([name, receipt.gasUsed, receipt.gasUsed / BigInt(ids.length)]);
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
      await batch(
        `executeBatch (${size})`,
        ids,
        ids.map(() => "0x"),
      );
    }

    // The same runs with calldata too long for a storage word (add(uint256): 36 bytes), so their actions
    // live in a CodeStore: what a run costs once its call does not fit ShortCall.
    const add = {
      target: counter,
      value: 0n,
      data: encodeFunctionData({ abi: counterAbi, functionName: "add", args: [1n] }),
    };
    for (const size of [50, 100]) {
      const ids = await registerMany(size, timeSpec([add], 3600n, { gasLimit: 100_000 }));
      await batch(
        `stored actions (${size})`,
        ids,
        ids.map(() => "0x"),
      );
    }

    // LOG: one workflow on an emitter's Ping; each item is one log, its reference in performData.
    const emitter = (await mined(await deployer.deployContract({ abi: emitterAbi, bytecode: emitterBytecode })))
      .contractAddress!;
    const topic0 = toEventSelector("Ping(address,uint256,uint256,bytes)");
    const [logWorkflow] = await registerMany(1, logSpec({ emitter, topic0 }, [action], { gasLimit: 100_000 }));
    for (const size of [50, 100]) {
      const pings = await mined(
        await deployer.writeContract({
          address: emitter,
          abi: emitterAbi,
          functionName: "pingMany",
          args: [BigInt(size), 0n],
        }),
      );
      const refs = pings.logs.map((l) => logPerformData(l));
      await batch(
        `LOG batch (${size})`,
        refs.map(() => logWorkflow!),
        refs,
      );
    }

    // CRON: every minute; registered, then the clock moves to the next minute so every one is due.
    for (const size of [50, 100]) {
      const ids = await registerMany(size, cronSpec("* * * * *", [action], { gasLimit: 100_000 }));
      const head = await publicClient.getBlock();
      await testClient.setNextBlockTimestamp({ timestamp: head.timestamp - (head.timestamp % 60n) + 60n });
      await batch(
        `CRON batch (${size})`,
        ids,
        ids.map(() => "0x"),
      );
    }
    console.log("call                 total gas   gas per run");
    for (const [name, total, per] of rows) {
      console.log(`${name.padEnd(20)} ${String(total).padStart(10)}   ${String(per).padStart(11)}`);
    }

    // Overhead: what a run costs beyond the same action sent as a transaction of its own. Every workflow
    // here has a target of its own, touched once before (so neither side pays a first write or shares a
    // warm slot), and the action alone is measured the same way on one more such target.
    type Kind = "TIME" | "CHAINLINK" | "GELATO";
    /**
     * A fresh target already touched once, the workflow spec that runs it, the call a run makes and, for a
     * CONDITION workflow, its checker's answer.
     */
    async function target(kind: Kind): Promise<{ spec: WorkflowSpec; to: Address; data: Hex; answer?: Hex }> {
      const deploy = async (abi: Abi, bytecode: Hex, args: unknown[] = []) =>
        (await mined(await deployer.deployContract({ abi, bytecode, args }))).contractAddress!;
      const call = async (to: Address, data: Hex) => {
        // A fixed gas limit: estimated in one second and mined in the next, IntervalUpkeep's write of the time
        // can cost more than the estimate saw, and the touch ran out of gas.
        const receipt = await mined(await deployer.sendTransaction({ to, data, gas: 500_000n }));
        if (receipt.status !== "success") throw new Error(`${kind}: touching the target reverted`);
        return receipt;
      };
      if (kind === "TIME") {
        const to = await deploy(counterAbi, counterBytecode);
        const data = encodeFunctionData({ abi: counterAbi, functionName: "increment" });
        await call(to, data);
        return { spec: timeSpec([{ target: to, value: 0n, data }], 3600n, { gasLimit: 100_000 }), to, data };
      }
      if (kind === "CHAINLINK") {
        const to = await deploy(intervalUpkeepAbi, intervalUpkeepBytecode, [0n]);
        const data = encodeFunctionData({ abi: intervalUpkeepAbi, functionName: "performUpkeep", args: ["0x"] });
        await call(to, data);
        return { spec: chainlinkSpec(to, { gasLimit: 100_000 }), to, data, answer: "0x" };
      }
      const to = await deploy(gelatoStyleTargetAbi, gelatoStyleTargetBytecode);
      await call(to, encodeFunctionData({ abi: gelatoStyleTargetAbi, functionName: "updatePrice", args: [1n] }));
      const data = encodeFunctionData({ abi: gelatoStyleTargetAbi, functionName: "updatePrice", args: [2n] });
      return {
        spec: gelatoSpec(resolver, to, { gasLimit: 100_000 }),
        to,
        data,
        answer: data,
      };
    }
    const resolver = (
      await mined(
        await deployer.deployContract({
          abi: gelatoStyleResolverAbi,
          bytecode: gelatoStyleResolverBytecode,
          args: [counter],
        }),
      )
    ).contractAddress!;
    console.log("\noverhead per run over the action sent alone (each workflow its own target, touched once before)");
    console.log("kind        batch   gas per run   action alone   overhead");
    for (const kind of ["TIME", "CHAINLINK", "GELATO"] as const) {
      const alone = await target(kind);
      // Sent by another account than the one that touched the target, as a run's forwarder is: Counter
      // keeps its last caller, so the same sender would make the action alone skip a write a run makes.
      // And in a later second than the touch, as a run is: IntervalUpkeep keeps the time of its last perform,
      // and anvil can mine two blocks in one second, which made that write a no-op for the action alone.
      await sleep(1100); // automine stamps blocks with the wall clock's second
      const aloneReceipt = await mined(await owner.sendTransaction({ to: alone.to, data: alone.data, gas: 500_000n }));
      if (aloneReceipt.status !== "success") throw new Error(`${kind}: the action alone reverted`);
      const aloneGas = aloneReceipt.gasUsed;
      for (const size of [1, 10, 50, 100]) {
        const targets: Awaited<ReturnType<typeof target>>[] = [];
        for (let i = 0; i < size; i++) targets.push(await target(kind)); // one deployer: one nonce at a time
        const ids: bigint[] = [];
        for (const t of targets) ids.push(...(await registerMany(1, t.spec)));
        // A CONDITION item carries its check's reference (the workflow's first run, asked at the latest
        // block), as the scheduler's do.
        const ref = checkRefAt(1n, await publicClient.getBlock());
        const performData = targets.map((t) => (t.answer === undefined ? "0x" : conditionPerformData(ref, t.answer)));
        const receipt = await mined(
          await worker.writeContract({
            address: d.actionExecutor,
            abi: actionExecutorAbi,
            functionName: "executeBatch",
            args: [ids, performData],
            gas: 60_000_000n,
          }),
        );
        if (receipt.status !== "success") throw new Error(`${kind} batch of ${size} reverted`);
        // A skipped item costs a fraction of a run: every item must have run for the figure to mean anything.
        const ran = parseEventLogs({ abi: actionExecutorAbi, eventName: "WorkflowExecuted", logs: receipt.logs });
        if (ran.filter((e) => e.args.success).length !== size)
          throw new Error(`${kind} batch of ${size}: not every item ran`);
        const per = receipt.gasUsed / BigInt(size);
        console.log(
          `${kind.padEnd(10)} ${String(size).padStart(6)}   ${String(per).padStart(11)}   ${String(aloneGas).padStart(12)}   ${String(per - aloneGas).padStart(8)}`,
        );
      }
    }
  } finally {
    await anvil.stop();
  }
});
