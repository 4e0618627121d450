/**
 * Alert delivery: each delivery is a job on its own BullMQ queue: one to the operator's webhook, its id
 * the alert's id, and one to each owner subscription of the alert's workflow (lib/subscriptions.ts), its
 * id the alert's id and the subscription's. Redis holds the state, so a restart loses nothing; adding a
 * job whose id is already there does nothing, so an event seen twice (two processes, a restart re-reading
 * the index) is delivered once to each. A receiver that is down or answers non-2xx is tried again with
 * exponential backoff, up to a day; after that the job stays in the queue's failed set, where `npm run
 * queue` can show it. A subscriber is looked up at each attempt: one unsubscribed meanwhile gets nothing
 * more, and its URL is resolved again, so a name that now points at loopback is refused.
 */
import type { Job, Queue, Worker } from "bullmq";
import { type Alert, DELIVERY_HEADER, SIGNATURE_HEADER, signBody } from "../../lib/alerts.js";
import { nodeFetch } from "../../lib/node-fetch.js";
import { queueConnection, redisClient } from "../../lib/redis.js";
import { resolvedUrlProblem, type Subscription, subscriptionKeys } from "../../lib/subscriptions.js";
import type { ExecutorConfig } from "../config.js";
import type { Logger } from "../log.js";
import { bullmq } from "../queue.js";

export const ALERT_QUEUE = "autokeeper-alerts";
/** Not the global fetch, as the index reader (lib/node-fetch.ts): connections of its own, kept alive. */
const httpFetch = nodeFetch(4, "alerts");

/** What is delivered: the exact body signed, so a retry sends the same bytes under the same signature. */
export interface AlertJob {
  body: string;
  /** To an owner's subscription; absent: to the operator's webhook. */
  subscription?: { chainId: number; workflowId: string; id: string };
}

export interface DeliverySettings {
  /** ALERT_WEBHOOK_URL and its secret: every alert goes there too. */
  operator: { url: string; secret: string } | undefined;
  /** The first retry's delay; each next one doubles it, up to an hour. */
  retryMs: number;
  /** ALERT_ALLOW_LOOPBACK: a subscriber's URL may point at this host. */
  allowLoopback: boolean;
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

/**
 * Queues an alert's deliveries: to the operator, and to each of `subscriptions` (ids of the workflow's
 * subscriptions). Answers how many; raising the same alert again adds none.
 */
export async function raise(
  queue: Queue<AlertJob>,
  alert: Alert,
  to: { operator: boolean; subscriptions: string[] },
): Promise<number> {
  const body = JSON.stringify(alert);
  const jobs = [
    ...(to.operator ? [{ name: alert.type, data: { body }, opts: { jobId: alert.id } }] : []),
    ...(alert.workflowId === null
      ? []
      : to.subscriptions.map((id) => ({
          name: alert.type,
          data: { body, subscription: { chainId: alert.chainId, workflowId: alert.workflowId as string, id } },
          opts: { jobId: `${alert.id}/to/${id}` },
        }))),
  ];
  if (jobs.length > 0) await queue.addBulk(jobs);
  return jobs.length;
}

/** Where a job goes and the secret it is signed with; undefined when it goes nowhere any more. */
type Target = { url: string; secret: string; who: string };

/** The worker that POSTs each alert, signed, to the operator's webhook or an owner's subscription. */
export function startAlertDelivery(config: Location, settings: DeliverySettings, log: Logger): Worker<AlertJob> {
  const redis = queueConnection(config);
  const store = redisClient(config);
  store.on("error", () => {}); // the worker's own connection reports Redis errors
  const operator = settings.operator;
  // A URL may carry a token (chat webhooks do): only its origin is ever logged.
  const originOf = (url: string) => new URL(url).origin;

  async function target(job: Job<AlertJob>): Promise<Target | undefined> {
    const sub = job.data.subscription;
    if (!sub) {
      if (!operator) throw new bullmq.UnrecoverableError("no ALERT_WEBHOOK_URL any more: nowhere to deliver");
      return { ...operator, who: "operator" };
    }
    const kept = await store.hget(subscriptionKeys.workflow(config.queuePrefix, sub.chainId, sub.workflowId), sub.id);
    if (!kept) return undefined;
    const subscription = JSON.parse(kept) as Subscription;
    const refused = await resolvedUrlProblem(subscription.url, settings.allowLoopback);
    if (refused) throw new bullmq.UnrecoverableError(`subscriber URL refused: ${refused}`);
    return { url: subscription.url, secret: subscription.secret, who: `subscription ${sub.id}` };
  }

  const worker = new bullmq.Worker<AlertJob>(
    ALERT_QUEUE,
    async (job: Job<AlertJob>) => {
      const to = await target(job);
      if (!to) {
        log.info({ alert: job.id }, "alert not delivered: the subscription was removed");
        return;
      }
      const origin = originOf(to.url);
      const res = await httpFetch(to.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [SIGNATURE_HEADER]: signBody(job.data.body, to.secret),
          // The alert's own id, the same to every receiver (a subscriber's job id also names its subscription).
          [DELIVERY_HEADER]: (JSON.parse(job.data.body) as Alert).id,
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
        backoffStrategy: (attemptsMade: number) => Math.min(MAX_BACKOFF_MS, settings.retryMs * 2 ** (attemptsMade - 1)),
      },
    },
  );
  worker.on("completed", (job) =>
    log.info({ alert: job.id, type: job.name, attempts: job.attemptsMade }, "alert delivered"),
  );
  worker.on("failed", (job, error) => {
    const final =
      job !== undefined && (job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === "UnrecoverableError");
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
    await store.quit().catch(() => store.disconnect());
  };
  return worker;
}
