/**
 * Alert delivery: each alert is a job on its own BullMQ queue, its id the alert's id. Redis holds the
 * state, so a restart loses nothing; adding an alert whose id is already there does nothing, so an event
 * seen twice (two processes, a restart re-reading the index) is delivered once. A receiver that is down or
 * answers non-2xx is tried again with exponential backoff, up to a day; after that the job stays in the
 * queue's failed set, where `npm run queue` can show it.
 */
import type { Job, Queue, Worker } from "bullmq";
import { type Alert, DELIVERY_HEADER, SIGNATURE_HEADER, signBody } from "../../lib/alerts.js";
import { nodeFetch } from "../../lib/node-fetch.js";
import { queueConnection } from "../../lib/redis.js";
import type { ExecutorConfig } from "../config.js";
import type { Logger } from "../log.js";
import { bullmq } from "../queue.js";

export const ALERT_QUEUE = "autokeeper-alerts";
/** Not the global fetch, as the index reader (lib/node-fetch.ts): connections of its own, kept alive. */
const httpFetch = nodeFetch(4, "alerts");

/** What is delivered: the exact body signed, so a retry sends the same bytes under the same signature. */
export interface AlertJob {
  body: string;
}

export interface WebhookSettings {
  url: string;
  secret: string;
  /** The first retry's delay; each next one doubles it, up to an hour. */
  retryMs: number;
}

/** Attempts before giving up: with a 1 s first retry doubling to an hour, about a day. */
const ATTEMPTS = 36;
const MAX_BACKOFF_MS = 3_600_000;
const DELIVERY_TIMEOUT_MS = 10_000;
/** Delivered alerts are kept (for deduplication) this long. */
const KEEP_DELIVERED_S = 7 * 86_400;

type Location = Pick<ExecutorConfig, "redisUrl" | "queuePrefix" | "clusterNodes">;

export function createAlertQueue(config: Location): Queue<AlertJob> {
  const redis = queueConnection(config);
  const queue = new bullmq.Queue<AlertJob>(ALERT_QUEUE, {
    connection: redis.connection,
    prefix: config.queuePrefix,
    defaultJobOptions: {
      attempts: ATTEMPTS,
      backoff: { type: "capped" },
      removeOnComplete: { age: KEEP_DELIVERED_S },
      removeOnFail: false,
    },
  });
  const close = queue.close.bind(queue);
  queue.close = async () => {
    await close();
    await redis.close();
  };
  return queue;
}

/** Queues an alert for delivery; a second alert with the same id is a no-op. */
export async function raise(queue: Queue<AlertJob>, alert: Alert): Promise<void> {
  await queue.add(alert.type, { body: JSON.stringify(alert) }, { jobId: alert.id });
}

/** The worker that POSTs each alert, signed, to the operator's webhook. */
export function startAlertDelivery(config: Location, webhook: WebhookSettings, log: Logger): Worker<AlertJob> {
  const redis = queueConnection(config);
  // The URL may carry a token (chat webhooks do): only its origin is ever logged.
  const origin = new URL(webhook.url).origin;
  const worker = new bullmq.Worker<AlertJob>(
    ALERT_QUEUE,
    async (job: Job<AlertJob>) => {
      const res = await httpFetch(webhook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [SIGNATURE_HEADER]: signBody(job.data.body, webhook.secret),
          [DELIVERY_HEADER]: job.id ?? "",
        },
        body: job.data.body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      }).catch((error: unknown) => {
        throw new Error(`${origin} did not answer: ${(error as Error).cause ?? (error as Error).message}`);
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`${origin} answered HTTP ${res.status}`);
    },
    {
      connection: redis.connection,
      prefix: config.queuePrefix,
      concurrency: 4,
      settings: {
        backoffStrategy: (attemptsMade: number) => Math.min(MAX_BACKOFF_MS, webhook.retryMs * 2 ** (attemptsMade - 1)),
      },
    },
  );
  worker.on("completed", (job) =>
    log.info({ alert: job.id, type: job.name, attempts: job.attemptsMade }, "alert delivered"),
  );
  worker.on("failed", (job, error) => {
    const final = job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1);
    log.warn(
      { alert: job?.id, type: job?.name, attempt: job?.attemptsMade, err: error.message },
      final ? "alert not delivered: gave up" : "alert not delivered yet: will retry",
    );
  });
  worker.on("error", (error) => log.warn({ err: error.message }, "alert delivery: redis error"));
  const close = worker.close.bind(worker);
  worker.close = async () => {
    await close();
    await redis.close();
  };
  return worker;
}
