/**
 * Failures in plain sight. Found by trying it: under `npm run dev` the demo workflow whose target reverts
 * showed a green ACTIVE badge, "0 runs", and the home page "Success rate 100.0%, 0 failed", the only trace
 * a grey "Queue: dead after 3 attempt(s)". Here each health state is made for real (a run that reverts on
 * chain, a workflow without funds, a paused one, a job that fails every attempt in the real queue), and the
 * API, the workflow page and the home page must each say it.
 */
import { Queue, Worker } from "bullmq";
import { encodeFunctionData, formatEther, getAddress, parseEther } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import { counterAbi, counterBytecode, reverterAbi, reverterBytecode, workflowRegistryAbi } from "../../abis/index.js";
import { jobId, queueName } from "../../lib/queue.js";
import { timeSpec } from "../../lib/spec.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { type Indexer, startIndexer } from "../../tools/harness/indexer.js";
import { CLI_TEST_TIMEOUT, runCli } from "../cli/cli.js";

type Body = Record<string, unknown>;
type Health = { state: string; reason: string | null };

let chain: Chain;
let ix: Indexer;
let queue: Queue;
const w = { healthy: 0n, failing: 0n, unfunded: 0n, paused: 0n, dead: 0n, retrying: 0n };

beforeAll(async () => {
  chain = await startChain();
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const reverter = await chain.deploy(reverterAbi, reverterBytecode);
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  const fail = {
    target: reverter,
    value: 0n,
    data: encodeFunctionData({ abi: reverterAbi, functionName: "failWithReason" }),
  };
  w.healthy = (await chain.register(timeSpec([inc], 3600n), parseEther("1"))).id;
  w.failing = (await chain.register(timeSpec([fail], 3600n), parseEther("1"))).id;
  w.unfunded = (await chain.register(timeSpec([inc], 3600n), 0n)).id;
  w.paused = (await chain.register(timeSpec([inc], 3600n), parseEther("1"))).id;
  w.dead = (await chain.register(timeSpec([inc], 3600n), parseEther("1"))).id;
  w.retrying = (await chain.register(timeSpec([inc], 3600n), parseEther("1"))).id;
  await chain.execute(w.healthy);
  await chain.execute(w.failing);
  await chain.mined(
    await chain.wallets.owner.writeContract({
      address: chain.deployment.registry,
      abi: workflowRegistryAbi,
      functionName: "pause",
      args: [w.paused],
    }),
  );
  ix = await startIndexer(chain, "pglite");
  await ix.catchUp();
  // The two queue states, made in the real queue the API reads: one job fails its only attempt (dead), one
  // fails its first of two and waits a minute for the second (retrying).
  const connection = { host: "127.0.0.1", port: 6379 };
  queue = new Queue(queueName(chain.deployment.chainId), { connection, prefix: ix.queuePrefix });
  const slot = async (id: bigint) => (await chain.workflow(id)).nextExecutionAt;
  await queue.add(
    "run",
    { workflowId: String(w.dead), dueAt: String(await slot(w.dead)) },
    {
      jobId: jobId(chain.deployment.chainId, w.dead, await slot(w.dead)),
    },
  );
  await queue.add(
    "run",
    { workflowId: String(w.retrying), dueAt: String(await slot(w.retrying)) },
    {
      jobId: jobId(chain.deployment.chainId, w.retrying, await slot(w.retrying)),
      attempts: 2,
      backoff: { type: "fixed", delay: 60_000 },
    },
  );
  const worker = new Worker(
    queue.name,
    async (job) => {
      throw new Error(job.data.workflowId === String(w.dead) ? "simulation reverted: out of luck" : "RPC timed out");
    },
    { connection, prefix: ix.queuePrefix },
  );
  let failures = 0;
  await new Promise<void>((resolve) =>
    worker.on("failed", () => {
      failures += 1;
      if (failures === 2) resolve();
    }),
  );
  await worker.close();
});
afterAll(async () => {
  await queue?.obliterate({ force: true });
  await queue?.close();
  await ix?.stop();
  await chain?.stop();
});

const healthOf = async (id: bigint) => (await ix.get<Body>(`/api/workflows/${id}`)).body.health as Health;

it("derives each workflow's health, with the reason, in the API", async () => {
  expect(await healthOf(w.healthy)).toEqual({ state: "healthy", reason: null });
  expect(await healthOf(w.failing)).toEqual({
    state: "failing",
    reason: "its last run failed on chain: target says no",
  });
  const unfunded = await healthOf(w.unfunded);
  expect(unfunded.state).toBe("unfunded");
  expect(unfunded.reason).toBe("balance 0 ETH is below one run's 0.01 ETH: it will not run until funded");
  expect(await healthOf(w.paused)).toEqual({ state: "paused", reason: "paused by its owner" });
  expect(await healthOf(w.dead)).toEqual({
    state: "dead",
    reason: "its run never reached the chain (dead after 1 attempt): simulation reverted: out of luck",
  });
  expect(await healthOf(w.retrying)).toEqual({ state: "retrying", reason: "attempt 2 is scheduled: RPC timed out" });
});

it("lists what needs attention, worst first, each workflow once, with the job to retry", async () => {
  const { status, body } = await ix.get<{ items: Body[]; queueError: string | null }>("/api/attention");
  expect(status).toBe(200);
  expect(body.queueError).toBeNull();
  expect(body.items.map((i) => [i.workflowId, (i.health as Health).state, i.jobId])).toEqual([
    [String(w.dead), "dead", jobId(chain.deployment.chainId, w.dead, (await chain.workflow(w.dead)).nextExecutionAt)],
    [String(w.failing), "failing", null],
    [String(w.unfunded), "unfunded", null],
  ]);
  expect((await ix.get<Body>("/api/attention?limit=none")).status).toBe(400);
});

it("counts a dead-lettered run as a failure in the success rate, and says so", async () => {
  const { body } = await ix.get<Body>("/api/stats");
  // Two runs reached the chain (one succeeded, one reverted); one job died before it could.
  expect(body.runs).toMatchObject({ total: 2, succeeded: 1, failed: 1, deadLettered: 1 });
  expect((body.runs as Body).successRate).toBeCloseTo(1 / 3);
  const home = await ix.get<string>("/");
  expect(home.body).toContain("33.3%");
  expect(home.body).toContain("1 failed on chain, 1 dead-lettered (never reached the chain; counted as failures)");
});

it("shows health as a coloured badge on the workflow and address pages, the home page leading with attention", async () => {
  const failing = (await ix.get<string>(`/workflows/${w.failing}`)).body;
  expect(failing).toContain('<span class="badge ACTIVE">ACTIVE</span> <span class="badge health failing"');
  expect(failing).toContain("its last run failed on chain: target says no");
  const dead = (await ix.get<string>(`/workflows/${w.dead}`)).body;
  expect(dead).toMatch(/<span class="badge health dead" title="its run never reached the chain[^"]*">dead<\/span>/);
  const owner = (await ix.get<string>(`/address/${chain.wallets.owner.account.address}`)).body;
  for (const state of ["healthy", "failing", "unfunded", "paused", "dead", "retrying"]) {
    expect(owner).toContain(`class="badge health ${state}"`);
  }
  const home = (await ix.get<string>("/")).body;
  const attention = home.indexOf("Needs attention");
  expect(attention).toBeGreaterThan(-1);
  expect(attention).toBeLessThan(home.indexOf("<h1>Latest runs"));
  const rows = [...home.matchAll(/<tr class="attention (\w+)">/g)].map((m) => m[1]);
  expect(rows).toEqual(["dead", "failing", "unfunded"]);
  expect(home).toContain(
    `npm run queue -- retry ${jobId(chain.deployment.chainId, w.dead, (await chain.workflow(w.dead)).nextExecutionAt)}`,
  );
});

it("shows fees and balances to 6 significant digits, the exact amount on hover", async () => {
  const page = (await ix.get<string>(`/workflows/${w.healthy}`)).body;
  const balance = await chain.balanceOf(w.healthy);
  const exact = `${formatEther(balance)} ETH`;
  const shown = `${Number(Number(formatEther(balance)).toPrecision(6))} ETH`;
  expect(exact.length).toBeGreaterThan(shown.length);
  expect(page).toContain(`<span title="${exact}">${shown}</span>`);
});

it(
  "prints `workflow status` for a person, health first; --json keeps the API's answer",
  async () => {
    const env = { PONDER_URL: ix.url };
    const failing = await runCli(chain, env, "status", String(w.failing));
    expect(failing.code).toBe(0);
    expect(failing.out).toContain(`Workflow #${w.failing} on chain ${chain.deployment.chainId}`);
    expect(failing.out).toMatch(
      / {2}status {4}ACTIVE\n {2}health {4}failing — its last run failed on chain: target says no\n/,
    );
    expect(failing.out).toContain("  trigger   every 1 h");
    expect(failing.out).toMatch(/ {2}balance {3}0\.99\d{1,4} ETH, covers 99 run\(s\) at the max fee of 0\.01 ETH/);
    expect(failing.out).toContain("  runs      1 (0 succeeded, 1 failed, 0 skipped)");
    expect(failing.out).toMatch(/Last run:\n {2}#1 .* ✗ failed: target says no .* fee 0\.\d+ ETH {2}tx 0x/);
    const dead = await runCli(chain, env, "status", String(w.dead));
    const job = jobId(chain.deployment.chainId, w.dead, (await chain.workflow(w.dead)).nextExecutionAt);
    expect(dead.out).toContain(
      `  queue     dead after 1 attempt(s) — simulation reverted: out of luck (retry: npm run queue -- retry ${job})`,
    );
    expect(dead.out).toContain("No runs yet.");
    const json = await runCli(chain, env, "status", String(w.failing), "--json");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual((await ix.get<Body>(`/api/workflows/${w.failing}`)).body);
    const missing = await runCli(chain, env, "status", "999");
    expect([missing.code, missing.out]).toEqual([1, expect.stringContaining("999")]);
  },
  CLI_TEST_TIMEOUT,
);

it(
  "names each action's function where it is known, and learns the ones `register --call` names",
  async () => {
    const api = await ix.get<Body>(`/api/workflows/${w.healthy}`);
    expect((api.body.actions as Body[])[0]?.call).toEqual({ signature: "increment()", args: [] });
    expect((await ix.get<string>(`/workflows/${w.healthy}`)).body).toMatch(
      /<span class="call" title="increment\(\)\n0x[0-9a-f]+">increment\(\)<\/span>/,
    );

    const post = (body: string) =>
      fetch(`${ix.url}/api/signatures`, { method: "POST", headers: { "content-type": "application/json" }, body }).then(
        async (r) => ({ status: r.status, body: (await r.json()) as Body }),
      );
    expect(await post(JSON.stringify({ signature: "increment()" }))).toEqual({
      status: 200,
      body: { selector: "0xd09de08a", signature: "increment()", added: false },
    });
    for (const bad of ["not json", JSON.stringify({ signature: "bump(uint257)" }), JSON.stringify({ sig: "x()" })]) {
      const answer = await post(bad);
      expect([answer.status, (answer.body.error as Body).code]).toEqual([400, "invalid_signature"]);
    }

    // The CLI registers a call the explorer has never seen, and tells it the name.
    const target = ((await ix.get<Body>(`/api/workflows/${w.healthy}`)).body.actions as Body[])[0]?.target as string;
    const signature = `bump${Date.now()}(uint256,address)`;
    const registered = await runCli(
      chain,
      { PONDER_URL: ix.url },
      "register",
      "--every",
      "3600",
      "--target",
      target,
      "--call",
      signature,
      "--args",
      `7,${target}`,
      "--fund",
      "0.1",
    );
    expect(registered.code, registered.out).toBe(0);
    expect(registered.out).not.toContain("could not be told");
    const id = /registered workflow (\d+)/.exec(registered.out)?.[1];
    // An API that does not answer: the workflow is registered all the same, and the CLI says what it could not do.
    const unheard = await runCli(
      chain,
      { PONDER_URL: "http://127.0.0.1:1" },
      "register",
      "--every",
      "3600",
      "--target",
      target,
      "--call",
      "other(uint256)",
      "--args",
      "1",
      "--fund",
      "0.1",
    );
    expect(unheard.code, unheard.out).toBe(0);
    expect(unheard.out).toMatch(
      /registered workflow \d+[\s\S]*note: the explorer at http:\/\/127\.0\.0\.1:1 could not be told "other\(uint256\)" \(no answer\)/,
    );
    await ix.catchUp();
    const again = await post(JSON.stringify({ signature }));
    expect(again.body).toMatchObject({ signature, added: false });
    const page = (await ix.get<string>(`/workflows/${id}`)).body;
    // Arguments as the function's types read them: the address checksummed.
    expect(page).toContain(`${signature.slice(0, signature.indexOf("("))}(7, ${getAddress(target)})`);
  },
  CLI_TEST_TIMEOUT,
);
