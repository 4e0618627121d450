/**
 * Queue throughput: the project's queue (BullMQ, as the scheduler and worker use it) against the
 * earlier system's pattern on the same Redis in the same process: one RPUSH per job awaited in turn,
 * then one BLPOP per job. Each run measures both back to back, so the ratio is taken side by side; then
 * the project's queue again on a local three-master Redis Cluster (REDIS_CLUSTER_NODES).
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { createQueue, createQueueWorker, type WorkerSettings } from "../../executor/queue.js";
import { jobId, type RunJobData } from "../../lib/queue.js";
import { startRedisCluster } from "../../tools/harness/servers.js";
import { sleep } from "../../tools/harness/wait.js";
import { throttled } from "../harness/progress.js";
import type { Row } from "../harness/report.js";
import { metric } from "../harness/report.js";
import type { Suite, SuiteContext } from "../harness/suite.js";

const CHAIN_ID = 31337;
/** The scheduler hands a pass's jobs to addBulk; this is the chunk the benchmark uses. */
const CHUNK = 1_000;

const jobData = (i: number): RunJobData => ({
  chainId: CHAIN_ID,
  workflowId: String(i),
  dueAt: String(1_800_000_000 + i),
  performData: "0x",
  gasLimit: 100_000,
});

async function seedPattern(ctx: SuiteContext, jobs: number) {
  const redis = new Redis(ctx.redisUrl);
  const key = `bench-seed-${randomBytes(4).toString("hex")}`;
  try {
    const progress = throttled(2000, (n) => ctx.say(`  seed pattern: ${n}/${jobs} pushed`));
    let t = performance.now();
    for (let i = 0; i < jobs; i++) {
      await redis.rpush(key, JSON.stringify(jobData(i)));
      progress(i);
    }
    const pushSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    for (let i = 0; i < jobs; i++) {
      const popped = await redis.blpop(key, 1);
      if (!popped) throw new Error(`seed pattern: queue empty after ${i} pops`);
    }
    const popSeconds = (performance.now() - t) / 1000;
    return { enqueue: jobs / pushSeconds, dequeue: jobs / popSeconds };
  } finally {
    await redis.del(key);
    redis.disconnect();
  }
}

/** `clusterNodes`: on that cluster, with the prefix hash-tagged as lib/queue.ts does it. */
async function projectQueue(ctx: SuiteContext, jobs: number, clusterNodes?: string[]) {
  const prefix = `bench-${randomBytes(4).toString("hex")}`;
  const settings: WorkerSettings = {
    redisUrl: ctx.redisUrl,
    clusterNodes,
    queuePrefix: clusterNodes ? `{${prefix}}` : prefix,
    maxAttempts: 3,
    chainId: CHAIN_ID,
    // The executor's defaults (WORKER_CONCURRENCY, JOB_LOCK_MS, BACKOFF_MS).
    concurrency: 400,
    jobLockMs: 30_000,
    backoffMs: 2_000,
  };
  const queue = createQueue(settings);
  try {
    const progress = throttled(2000, (n) => ctx.say(`  project queue: ${n}/${jobs} enqueued`));
    let t = performance.now();
    for (let i = 0; i < jobs; i += CHUNK) {
      const chunk = Array.from({ length: Math.min(CHUNK, jobs - i) }, (_, k) => {
        const data = jobData(i + k);
        return { name: "run", data, opts: { jobId: jobId(CHAIN_ID, BigInt(data.workflowId), BigInt(data.dueAt)) } };
      });
      await queue.addBulk(chunk);
      progress(i);
    }
    const enqueueSeconds = (performance.now() - t) / 1000;

    let done = 0;
    t = performance.now();
    let allProcessed = () => {};
    const processed = new Promise<void>((resolve) => {
      allProcessed = resolve;
    });
    const worker = createQueueWorker(settings, async () => {
      if (++done === jobs) allProcessed();
      return "ok";
    });
    await processed;
    // The last processor call is not the last acknowledgement: wait until BullMQ has recorded them all.
    await waitAllAcknowledged(queue);
    const dequeueSeconds = (performance.now() - t) / 1000;
    await worker.close();
    return { enqueue: jobs / enqueueSeconds, dequeue: jobs / dequeueSeconds };
  } finally {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
}

async function waitAllAcknowledged(queue: ReturnType<typeof createQueue>) {
  for (;;) {
    const counts = await queue.getJobCounts("wait", "active", "delayed", "prioritized");
    if (Object.values(counts).every((n) => n === 0)) return;
    await sleep(5);
  }
}

export const queueSuite: Suite = {
  name: "queue",
  title: "Queue: jobs per second through Redis",
  async run(ctx) {
    const jobs = ctx.quick ? 10_000 : 100_000;
    type Sample = "seedIn" | "seedOut" | "akIn" | "akOut" | "ratioIn" | "ratioOut" | "clusterIn" | "clusterOut";
    const samples: Record<Sample, number[]> = {
      seedIn: [],
      seedOut: [],
      akIn: [],
      akOut: [],
      ratioIn: [],
      ratioOut: [],
      clusterIn: [],
      clusterOut: [],
    };
    ctx.say("starting a three-master Redis Cluster (redis-cli --cluster create)");
    const cluster = await startRedisCluster(3);
    try {
      for (let run = 0; run <= ctx.runs; run++) {
        const n = run === 0 ? Math.ceil(jobs / 10) : jobs;
        ctx.say(run === 0 ? `warm-up with ${n} jobs` : `run ${run}/${ctx.runs}: ${n} jobs each way`);
        const seed = await seedPattern(ctx, n);
        const ak = await projectQueue(ctx, n);
        const onCluster = await projectQueue(ctx, n, cluster.nodeUrls);
        if (run === 0) continue;
        samples.clusterIn.push(onCluster.enqueue);
        samples.clusterOut.push(onCluster.dequeue);
        samples.seedIn.push(seed.enqueue);
        samples.seedOut.push(seed.dequeue);
        samples.akIn.push(ak.enqueue);
        samples.akOut.push(ak.dequeue);
        samples.ratioIn.push(ak.enqueue / seed.enqueue);
        samples.ratioOut.push(ak.dequeue / seed.dequeue);
        ctx.say(
          `  seed ${Math.round(seed.enqueue)}/${Math.round(seed.dequeue)} jobs/s in/out; ` +
            `autokeeper ${Math.round(ak.enqueue)}/${Math.round(ak.dequeue)} jobs/s; ` +
            `on the cluster ${Math.round(onCluster.enqueue)}/${Math.round(onCluster.dequeue)} jobs/s`,
        );
      }
    } finally {
      await cluster.stop();
    }
    const rows: Row[] = [
      {
        label: "seed pattern (RPUSH / BLPOP)",
        params: { jobs },
        metrics: { enqueue: metric("jobs/s", samples.seedIn), dequeue: metric("jobs/s", samples.seedOut) },
      },
      {
        label: "Autokeeper queue (BullMQ)",
        params: { jobs, chunk: CHUNK, concurrency: 400 },
        metrics: { enqueue: metric("jobs/s", samples.akIn), dequeue: metric("jobs/s", samples.akOut) },
      },
      {
        label: "ratio Autokeeper / seed",
        params: { jobs },
        metrics: { enqueue: metric("×", samples.ratioIn), dequeue: metric("×", samples.ratioOut) },
      },
      {
        label: "Autokeeper queue on a Redis Cluster (3 masters)",
        params: { jobs, chunk: CHUNK, concurrency: 400, masters: 3 },
        metrics: { enqueue: metric("jobs/s", samples.clusterIn), dequeue: metric("jobs/s", samples.clusterOut) },
      },
    ];
    return {
      method:
        `${jobs.toLocaleString("en")} jobs each way per run on one local Redis. Seed pattern: one awaited RPUSH per ` +
        "job, then one awaited BLPOP per job (the earlier system reported 9,923 pushes/s and 9,645 pops/s). " +
        "Autokeeper: the executor's BullMQ queue and worker (executor/queue.ts), jobs added with addBulk in chunks " +
        `of ${CHUNK} as the scheduler does, consumed by one worker at the default concurrency of 400 with a ` +
        "processor that returns at once; dequeue is timed until BullMQ has recorded every job completed. " +
        "The cluster row runs the same on three local redis-server masters joined by redis-cli --cluster create " +
        "(no replicas), through ioredis' cluster client, the queue's keys in one hash slot (one master serves " +
        "one queue; more queues spread over the masters).",
      rows,
      notes: [],
    };
  },
};
