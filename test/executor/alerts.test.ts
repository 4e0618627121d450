/**
 * Alerts, end to end: a real executor watching a real index and queue POSTs each alert to a real local
 * HTTP receiver, which checks every signature. Each alert type is made for real: a job that fails every
 * attempt, a run that reverts on chain, withdrawals across the low-balance line and back, a cancel, a
 * signer below its minimum, and an index held behind the chain by a frozen RPC in front of Ponder. The
 * receiver is down for the first 30 s: what was raised then arrives afterwards, once. Then an owner
 * subscribes with the CLI and gets their own workflow's alerts, signed with their own secret, and nobody
 * else's; once the workflow changes hands on chain, their subscription gets nothing more.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { encodeFunctionData, parseEther, parseEventLogs } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  actionExecutorAbi,
  counterAbi,
  counterBytecode,
  feeEscrowAbi,
  reverterAbi,
  reverterBytecode,
} from "../../abis/index.js";
import { type Alert, DELIVERY_HEADER, SIGNATURE_HEADER, verifySignature } from "../../lib/alerts.js";
import { timeSpec } from "../../lib/spec.js";
import { DEV_KEYS } from "../../tools/accounts.js";
import { type Chain, chainEnv, startChain } from "../../tools/harness/chain.js";
import { type ExecutorProcess, leakedKeys, spawnExecutor } from "../../tools/harness/executor.js";
import { type Indexer, startIndexer } from "../../tools/harness/indexer.js";
import { freePort } from "../../tools/harness/ports.js";
import { type FaultProxy, startFaultProxy } from "../../tools/harness/rpc-proxy.js";
import { sleep, until } from "../../tools/harness/wait.js";
import { runCli } from "../cli/cli.js";

const SECRET = "alert-secret-for-the-test-0123456789";

let chain: Chain;
let proxy: FaultProxy;
let ix: Indexer;
let executor: ExecutorProcess | undefined;
let receiver: Receiver;
let subscriber: Receiver | undefined;

/** A webhook receiver as an operator would write one: signature first, then the alert. */
interface Receiver {
  port: number;
  alerts: Alert[];
  /** Deliveries whose signature did not verify (there must be none). */
  forged: number;
  /** When the first alert arrived (ms since the epoch). */
  firstAt?: number;
  /** Until started, the port is closed: deliveries are refused. Starting again does nothing. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function makeReceiver(port: number, secret: () => string = () => SECRET): Promise<Receiver> {
  let server: Server | undefined;
  const r: Receiver = {
    port,
    alerts: [],
    forged: 0,
    start: () =>
      new Promise((resolve) => {
        if (server) return resolve(); // already listening
        server = createServer(async (req: IncomingMessage, res) => {
          let body = "";
          for await (const chunk of req) body += chunk;
          const signature = req.headers[SIGNATURE_HEADER] as string | undefined;
          if (!verifySignature(body, signature, secret())) {
            r.forged += 1;
            res.writeHead(401).end();
            return;
          }
          const alert = JSON.parse(body) as Alert;
          expect(req.headers[DELIVERY_HEADER]).toBe(alert.id);
          r.alerts.push(alert);
          r.firstAt ??= Date.now();
          res.writeHead(204).end();
        });
        server.listen(port, "127.0.0.1", () => resolve());
      }),
    stop: () => new Promise((resolve) => (server ? server.close(() => resolve()) : resolve())),
  };
  return r;
}

/** An executor on this chain, index and queue, quick to retry and to look, alerting the operator's receiver. */
async function alertingExecutor(env: Record<string, string>): Promise<ExecutorProcess> {
  return spawnExecutor({
    ...chainEnv(chain),
    PONDER_URL: ix.url,
    REDIS_URL: "redis://127.0.0.1:6379",
    QUEUE_PREFIX: ix.queuePrefix,
    WORKER_PRIVATE_KEY: DEV_KEYS.worker,
    METRICS_PORT: String(await freePort()),
    BACKOFF_MS: "300",
    POLL_MS: "100",
    ALERT_WEBHOOK_SECRET: SECRET,
    ALERT_POLL_MS: "300",
    ALERT_RETRY_MS: "500",
    ...env,
  });
}

const ofType = (type: string) => receiver.alerts.filter((a) => a.type === type);

beforeAll(async () => {
  chain = await startChain();
  // Ponder reads the chain through a proxy the test can freeze: the index then falls behind the chain
  // while the executor, on the chain directly, sees it move on.
  proxy = await startFaultProxy(chain.anvil.rpcUrl);
  // Owners' receivers in the second test listen on this host's loopback.
  ix = await startIndexer(chain, "pglite", { RPC_URL: proxy.url, ALERT_ALLOW_LOOPBACK: "true" });
  receiver = await makeReceiver(await freePort());
});
afterAll(async () => {
  await executor?.kill();
  await receiver?.stop();
  await subscriber?.stop();
  await ix?.stop();
  await proxy?.close();
  await chain?.stop();
});

it("delivers every alert type, signed, once each, including those raised while the receiver was down", async () => {
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const reverter = await chain.deploy(reverterAbi, reverterBytecode);
  const fail = {
    target: reverter,
    value: 0n,
    data: encodeFunctionData({ abi: reverterAbi, functionName: "failWithReason" }),
  };
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  // Due now, and its action reverts: the worker's simulation refuses it every attempt.
  const bad = (await chain.register(timeSpec([fail], 3600n), parseEther("1"))).id;
  // Never due while the test runs: its balance moves by hand. 0.001 ETH a run at most.
  const far = (await chain.now()) + 86_400n;
  const maxFeePerRun = parseEther("0.001");
  const low = (await chain.register(timeSpec([inc], 3600n, { startTime: far, maxFeePerRun }), parseEther("0.05"))).id;
  await chain.testClient.setAutomine(false);
  await chain.testClient.setIntervalMining({ interval: 1 });
  await ix.catchUp();

  const started = Date.now();
  executor = await alertingExecutor({
    ALERT_WEBHOOK_URL: `http://127.0.0.1:${receiver.port}/hooks/autokeeper?token=url-token-never-logged`,
    ALERT_LOW_RUNS: "10",
    // Above what the dev signer holds (10,000 ETH): low from the first look.
    ALERT_SIGNER_MIN_BALANCE: "1000000",
    ALERT_INDEX_LAG_BLOCKS: "5",
  });
  // The receiver is down: the signer's alert and the dead job's are raised and wait.
  await executor.waitForLog(/"type":"signer.low_balance","msg":"alert raised"/, 60_000);
  await executor.waitForLog(/"type":"run.dead_lettered","msg":"alert raised"/, 60_000);
  await executor.waitForLog(/"alert not delivered yet: will retry"/, 30_000);
  await sleep(Math.max(0, 30_000 - (Date.now() - started)));
  expect(receiver.alerts).toEqual([]);
  await receiver.start();
  await until("the alerts raised while down to arrive", async () => ofType("run.dead_lettered").length > 0, 90_000);
  await until("the signer's alert", async () => ofType("signer.low_balance").length > 0, 30_000);

  // A run that reverts on chain: the dead job's slot, run by hand.
  const { receipt } = await chain.execute(bad);
  await until("run.failed", async () => ofType("run.failed").length > 0, 30_000);

  // The balance line: 50 runs → 5 (crossing: an alert) → 4 (still low: none) → 104 (back) → 2 (crossing again).
  const move = async (functionName: "withdraw" | "deposit", amount: string) => {
    const value = parseEther(amount);
    const hash = await chain.wallets.owner.writeContract({
      address: chain.deployment.feeEscrow,
      abi: feeEscrowAbi,
      functionName,
      args: functionName === "withdraw" ? [low, value] : [low],
      ...(functionName === "deposit" ? { value } : {}),
    });
    await chain.mined(hash);
    await ix.catchUp();
    await sleep(1500); // a few of the watch's passes
  };
  await move("withdraw", "0.045");
  await move("withdraw", "0.001");
  expect(ofType("workflow.low_balance")).toHaveLength(1);
  await move("deposit", "0.1");
  await move("withdraw", "0.102");
  await until("the second crossing", async () => ofType("workflow.low_balance").length === 2, 30_000);

  // Cancelled (its refund empties it: no low-balance alert for that).
  await chain.manage(low, "cancel");
  await until("workflow.cancelled", async () => ofType("workflow.cancelled").length > 0, 30_000);

  // The index held back: Ponder's RPC shows a frozen head while the chain goes on.
  await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  proxy.set({ staleHead: { mode: "freeze" } });
  await until("index.lagging", async () => ofType("index.lagging").length > 0, 60_000);
  proxy.clear();
  await sleep(3000); // more passes: nothing is alerted twice

  expect(receiver.forged).toBe(0);
  const ids = receiver.alerts.map((a) => a.id);
  expect(new Set(ids).size).toBe(ids.length);
  const chainId = chain.deployment.chainId;
  expect(ofType("run.dead_lettered")).toEqual([
    expect.objectContaining({
      chainId,
      workflowId: String(bad),
      summary: expect.stringContaining("never reached the chain"),
      details: expect.objectContaining({ attempts: 3, reason: expect.stringContaining("target says no") }),
    }),
  ]);
  expect(ofType("run.failed")).toEqual([
    expect.objectContaining({
      id: `run.failed/${chainId}/${receipt.transactionHash}/${parseEventLogs({ abi: actionExecutorAbi, logs: receipt.logs, eventName: "WorkflowExecuted" })[0]?.logIndex}`,
      workflowId: String(bad),
      details: expect.objectContaining({ reason: "target says no", txHash: receipt.transactionHash }),
    }),
  ]);
  expect(ofType("workflow.low_balance").map((a) => a.details.runsCovered)).toEqual([5, 2]);
  expect(ofType("workflow.cancelled")).toEqual([expect.objectContaining({ workflowId: String(low) })]);
  expect(ofType("signer.low_balance")).toHaveLength(1);
  expect(ofType("index.lagging")).toHaveLength(1);
  expect(ofType("index.lagging")[0]?.details.lag).toBeGreaterThan(5);
  for (const a of receiver.alerts) {
    expect(Object.keys(a).sort()).toEqual(["at", "chainId", "details", "id", "summary", "type", "workflowId"]);
    expect(Number.isNaN(Date.parse(a.at))).toBe(false);
  }
  // The retry figures: each alert's delivery attempts, from the executor's own account of them.
  const attempts = [
    ...executor.output().matchAll(/"alert":"([^"]+)","type":"[^"]+","attempts":(\d+),"msg":"alert delivered"/g),
  ];
  expect(attempts.map((m) => m[1]).sort()).toEqual([...ids].sort());
  const retried = attempts.filter((m) => Number(m[2]) > 1).map((m) => `${m[1]?.split("/")[0]} after ${m[2]} attempts`);
  expect(retried.length).toBeGreaterThanOrEqual(2); // raised while the receiver was down
  console.log(
    `alerts: ${receiver.alerts.length} delivered, each once; receiver down for the first 30 s: ${retried.join(", ")}; ` +
      `first arrival ${((receiver.firstAt ?? 0) - started) / 1000} s after the executor was spawned`,
  );
  // The URL's token and the secret never appear in the executor's output.
  expect(executor.output()).not.toContain("url-token-never-logged");
  expect(executor.output()).not.toContain(SECRET);
  expect(await executor.stop()).toBe(0);
  executor = undefined;
}, 300_000);

it("delivers a workflow's alerts to its owner's subscription, signed with its secret, and only while they own it", async () => {
  const reverter = await chain.deploy(reverterAbi, reverterBytecode);
  const fail = {
    target: reverter,
    value: 0n,
    data: encodeFunctionData({ abi: reverterAbi, functionName: "failWithReason" }),
  };
  // Due now (then in an hour); the action reverts: the slot's job dies in the queue, and a run made by
  // hand fails on chain.
  const mine = (await chain.register(timeSpec([fail], 3600n), parseEther("1"))).id;
  const theirs = (await chain.register(timeSpec([fail], 3600n), parseEther("1"), chain.wallets.stranger)).id;

  await receiver.start(); // (already, after the first test)
  let secret = "";
  subscriber = await makeReceiver(await freePort(), () => secret);
  await subscriber.start();
  const hook = `http://127.0.0.1:${subscriber.port}/mine?token=owner-url-token`;
  await ix.catchUp();
  const subscribed = await runCli(chain, { PONDER_URL: ix.url }, "subscribe", String(mine), hook);
  expect(subscribed.code, subscribed.out).toBe(0);
  secret = /signing secret: (whsec_[0-9a-f]+)/.exec(subscribed.out)?.[1] ?? "";
  expect(secret).not.toBe("");

  // The first test's executor, if it failed before stopping it: left running, it took this test's jobs
  // and outlived the run (seen when the first test failed).
  await executor?.kill();
  executor = await alertingExecutor({
    ALERT_WEBHOOK_URL: `http://127.0.0.1:${receiver.port}/hooks/autokeeper`,
    ALERT_SIGNER_MIN_BALANCE: "0",
    ALERT_ALLOW_LOOPBACK: "true",
  });
  const of = (r: Receiver, type: string, id: bigint) =>
    r.alerts.filter((a) => a.type === type && a.workflowId === String(id));
  const sub = subscriber;

  // Both die in the queue: the operator hears of both, the owner of theirs only.
  await until(
    "both dead-lettered jobs at the operator",
    async () =>
      of(receiver, "run.dead_lettered", mine).length === 1 && of(receiver, "run.dead_lettered", theirs).length === 1,
    90_000,
  );
  await until("the owner's dead-lettered job", async () => of(sub, "run.dead_lettered", mine).length === 1, 30_000);

  // Both fail on chain, run by hand.
  const failed = (await chain.execute(mine)).receipt.transactionHash;
  await chain.execute(theirs);
  await until(
    "both failures at the operator",
    async () => of(receiver, "run.failed", mine).length === 1 && of(receiver, "run.failed", theirs).length === 1,
    30_000,
  );
  await until("the owner's failure", async () => of(sub, "run.failed", mine).length === 1, 30_000);

  // The workflow changes hands on chain: from now on the old owner's subscription gets nothing. The new
  // owner cancels it: the operator hears of that, the old owner does not.
  await chain.manage(mine, { transferTo: chain.wallets.stranger.account.address });
  await chain.manage(mine, "cancel", chain.wallets.stranger);
  await until("the cancel at the operator", async () => of(receiver, "workflow.cancelled", mine).length === 1, 30_000);
  await sleep(3000); // several of the watch's passes and delivery attempts

  expect(sub.forged).toBe(0);
  expect(receiver.forged).toBe(0);
  expect(sub.alerts.map((a) => a.workflowId)).toEqual([String(mine), String(mine)]);
  expect(sub.alerts.map((a) => a.type).sort()).toEqual(["run.dead_lettered", "run.failed"]);
  expect(of(sub, "run.failed", mine)[0]?.details.txHash).toBe(failed);
  // The same alert, the same id, to both: a receiver of both can tell.
  for (const a of sub.alerts) expect(receiver.alerts.map((o) => o.id)).toContain(a.id);
  // Only the subscriber's origin is ever logged: not its path, token or secret.
  expect(executor.output()).not.toContain("owner-url-token");
  expect(executor.output()).not.toContain(secret);
  expect(await executor.stop()).toBe(0);
  executor = undefined;
}, 240_000);

it("never printed a private key", () => {
  expect(leakedKeys([DEV_KEYS.worker, DEV_KEYS.deployer])).toEqual([]);
});
