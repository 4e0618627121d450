/**
 * The queue on a real Redis Cluster (three masters, no replicas, made here with `redis-cli --cluster
 * create`): the executor and the API reach it through ioredis' cluster client (REDIS_CLUSTER_NODES), and
 * the queue's keys share one hash slot (QUEUE_PREFIX in braces). The master that serves that slot is
 * SIGKILLed mid-run and restarted 3 s later with nothing kept: every job and lock of the queue is gone, as
 * in the chaos suite's Redis kill. Judged from the chain: every TIME slot and CONDITION ticket due was
 * served or passed over by the contract's missed-slot rule, none lost, none doubled.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ChaosData, readChaosData } from "../../tools/harness/chaos/measure.js";
import { loadWorkload } from "../../tools/harness/chaos/workload.js";
import { type ExecutorProcess, spawnExecutor } from "../../tools/harness/executor.js";
import { type RedisCluster, startRedisCluster } from "../../tools/harness/servers.js";
import { type Stack, startStack } from "../../tools/harness/stack.js";
import { sleep, until } from "../../tools/harness/wait.js";

let cluster: RedisCluster;
let stack: Stack;
let executor: ExecutorProcess | undefined;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
  // Nothing answers at REDIS_URL: a process that ignored REDIS_CLUSTER_NODES would fail, not pass elsewhere.
  stack = await startStack("pglite", {}, { clusterNodes: cluster.nodeUrls, url: "redis://127.0.0.1:1" });
}, 180_000);
afterAll(async () => {
  await executor?.kill();
  await stack?.stop();
  await cluster?.stop();
});

const lostOrDoubled = (d: ChaosData) => ({
  lost: [
    ...d.slots.filter((s) => s.state === "lost").map((s) => `TIME #${s.workflowId} slot ${s.at}`),
    ...d.tickets.lost.map((t) => `CONDITION #${t.workflowId} ticket ${t.at}`),
  ],
  doubled: [
    ...d.doubledTime.map((r) => `TIME slot ${r.dueAt}`),
    ...d.tickets.doubled.map((p) => `CONDITION #${p.workflowId} ticket ${p.ticket}`),
  ],
});

it("runs every due run once on a Redis Cluster, through the loss of the master holding the queue", async () => {
  const { chain } = stack;
  // The queue's keys all hash to the slot of its prefix's tag.
  expect(stack.queuePrefix).toMatch(/^\{test-[0-9a-f]+\}$/);
  const workload = await loadWorkload(stack, { time: 30, conditions: 4, leadSeconds: 12 });
  executor = spawnExecutor(await stack.env());
  await executor.waitForLog(/"index ready; scheduling"/);
  while ((await chain.now()) < workload.start + 10n) await sleep(500);
  expect((await chain.workflow(workload.time[0]!.id)).runCount).toBeGreaterThan(0n);

  // The API reads a workflow's queue state from the cluster too.
  const { body } = await stack.indexer.get<{ queue: { state: string } | null }>(
    `/api/workflows/${workload.time[0]!.id}`,
  );
  expect(body.queue).not.toBeNull();

  const holder = await cluster.masterOf(stack.queuePrefix);
  await holder.kill();
  await sleep(3000);
  await holder.start();
  await cluster.waitUntilOk();
  // It came back empty, and the scheduler saw that the queue's keys went with it.
  await executor.waitForLog(/"queue state was lost \(Redis flushed\?\); re-enqueueing everything due from the index"/);

  // The executor (never restarted) offers everything again; slots due from here on land in their block.
  const restarted = await chain.now();
  await until(
    "runs after the restart",
    async () => {
      const ran = await Promise.all(workload.time.map(async (w) => (await chain.workflow(w.id)).nextExecutionAt));
      return ran.every((next) => next > restarted + 5n);
    },
    60_000,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; the executor's last output:\n${executor?.output().slice(-6000)}`);
  });
  const cutoff = await chain.now();
  await sleep(8000); // the last slots due before the cut-off land before the chain is read
  const data = await readChaosData(chain, workload, cutoff);
  const served = data.slots.filter((s) => s.state === "served").length + data.tickets.served.length;
  console.log({ served, skippedByRule: data.slots.filter((s) => s.state === "skipped").length });
  expect(served).toBeGreaterThan(100);
  expect(lostOrDoubled(data)).toEqual({ lost: [], doubled: [] });
  expect(data.anomalies).toEqual([]);
  expect(executor.output()).not.toMatch(/"level":60/); // nothing fatal
  expect(await executor.stop()).toBe(0);
  executor = undefined;
}, 240_000);
