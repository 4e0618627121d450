/**
 * A registration's gas depends on its block's timestamp (a CRON expression's first tick is computed on
 * chain), so an estimate made against one block can fall short in the next. Found by CI's dev smoke: a
 * demo registration reverted out of gas. The CLI and the demo send the estimate plus a fifth
 * (withRegisterHeadroom).
 */
import { encodeFunctionData, parseEther } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import { counterAbi, counterBytecode, workflowRegistryAbi } from "../../abis/index.js";
import { cronSpec } from "../../lib/spec.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { withRegisterHeadroom } from "../../tools/registered.js";

let chain: Chain;
beforeAll(async () => {
  chain = await startChain();
});
afterAll(async () => {
  await chain?.stop();
});

it("registers a CRON workflow whose gas was estimated a minute before its block, with the headroom and not without", async () => {
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  const call = {
    address: chain.deployment.registry,
    abi: workflowRegistryAbi,
    functionName: "register",
    args: [cronSpec("* * * * *", [inc])],
    value: parseEther("1"),
    account: chain.wallets.owner.account,
  } as const;
  // The last second of an hour: the first tick is the next minute; 61 s later it costs a little more.
  await chain.setNextTimestamp(((await chain.now()) / 3600n + 1n) * 3600n - 1n);
  await chain.testClient.mine({ blocks: 1 });
  const sendAMinuteLater = async (gas: (estimate: bigint) => bigint) => {
    const estimate = await chain.publicClient.estimateContractGas(call);
    await chain.setNextTimestamp((await chain.now()) + 61n);
    const hash = await chain.wallets.owner.writeContract({ ...call, gas: gas(estimate) });
    return (await chain.publicClient.waitForTransactionReceipt({ hash })).status;
  };
  expect(await sendAMinuteLater((estimate) => estimate)).toBe("reverted");
  expect(await sendAMinuteLater(withRegisterHeadroom)).toBe("success");
});
