/**
 * Triggers as the API, GraphQL and the explorer show them, against a real anvil and a real Ponder
 * (PGlite): a LOG workflow's filter decoded, its matched logs going PENDING → RAN with the run that
 * served each, every LOG run naming its log, a CRON workflow's expression and next ticks, lateness per
 * trigger kind, a CONDITION job's readyAt, and malformed ids and cursors answered 400. Runs are sent with executeBatch directly: no executor.
 */
import { Queue } from "bullmq";
import { type Address, encodeFunctionData, getAddress, type Hash, type Hex, parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chainlinkStyleLogUpkeepAbi,
  chainlinkStyleLogUpkeepBytecode,
  chainlinkStyleUpkeepAbi,
  chainlinkStyleUpkeepBytecode,
  counterAbi,
  counterBytecode,
  emitterAbi,
  emitterBytecode,
} from "../../abis/index.js";
import { conditionPerformData } from "../../lib/check-ref.js";
import { nextTicks, parseCron } from "../../lib/cron.js";
import { logPerformData } from "../../lib/log-trigger.js";
import { jobId, queueName } from "../../lib/queue.js";
import { chainlinkLogSpec, chainlinkSpec, cronSpec, logSpec, timeSpec } from "../../lib/spec.js";
import { encodeCursor } from "../../src/api/params.js";
import { decodeTrigger } from "../../src/api/trigger.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { type Indexer, startIndexer } from "../../tools/harness/indexer.js";
import { PING, word } from "../../tools/harness/ping.js";

const PING_SIGNATURE = "Ping(address indexed from, uint256 indexed n, uint256 indexed tag, bytes data)";
const WEEKDAYS = "30 9 * * 1-5";

interface TriggerLogItem {
  chainId: number;
  workflowId: string;
  txHash: Hash;
  logIndex: number;
  blockNumber: string;
  state: string;
  skipReason: string | null;
  run: { runNumber: number; txHash: Hash; blockNumber: string } | null;
}
interface ExecutionItem {
  chainId: number;
  runNumber: number;
  triggerKind: string;
  latenessFrom: string | null;
  trigger: { txHash: Hash; logIndex: number; blockNumber: string } | null;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface Percentiles {
  p50: number | null;
  p95: number | null;
  count: number;
  from: string;
}
interface ErrorBody {
  error?: { code: string; message: string };
}

let chain: Chain;
let ix: Indexer;
const s: {
  emitter: Address;
  upkeep: Address;
  checker: Address;
  logId: bigint;
  upkeepId: bigint;
  timeId: bigint;
  conditionId: bigint;
  cronId: bigint;
  cronLaterId: bigint;
  cronRunId: bigint;
  laterStart: bigint;
  pingTx: Hash;
  pings: { blockNumber: bigint; blockHash: Hex; logIndex: number }[];
  runTx: Hash;
} = {} as never;

beforeAll(async () => {
  chain = await startChain();
  s.emitter = await chain.deploy(emitterAbi, emitterBytecode);
  s.upkeep = await chain.deploy(chainlinkStyleLogUpkeepAbi, chainlinkStyleLogUpkeepBytecode);
  s.checker = await chain.deploy(chainlinkStyleUpkeepAbi, chainlinkStyleUpkeepBytecode, [10n]);
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  // Pings tagged 7 only (topic3), any sender and any n.
  s.logId = (
    await chain.register(logSpec({ emitter: s.emitter, topic0: PING, topic3: word(7n) }, [inc]), parseEther("1"))
  ).id;
  // Declines logs whose n is a multiple of 5 (checkData).
  s.upkeepId = (
    await chain.register(
      chainlinkLogSpec(s.upkeep, { emitter: s.emitter, topic0: PING }, { checkData: word(5n), gasLimit: 150_000 }),
      parseEther("1"),
    )
  ).id;
  s.timeId = (await chain.register(timeSpec([inc], 3600n), parseEther("1"))).id;
  await chain.execute(s.timeId);
  s.conditionId = (await chain.register(chainlinkSpec(s.checker), parseEther("1"))).id;
  await chain.mined(
    await chain.wallets.stranger.writeContract({
      address: s.checker,
      abi: chainlinkStyleUpkeepAbi,
      functionName: "setValue",
      args: [10n],
    }),
  );
  await chain.execute(s.conditionId, conditionPerformData(await chain.checkRef(1n), "0x"));
  // CRON: one shown (weekdays 09:30 UTC), one that starts in 30 days, one run 2 s after its tick.
  s.cronId = (await chain.register(cronSpec(WEEKDAYS, [inc]), parseEther("1"))).id;
  s.laterStart = BigInt(Math.floor(Date.now() / 1000)) + 30n * 86_400n;
  s.cronLaterId = (await chain.register(cronSpec(WEEKDAYS, [inc], { startTime: s.laterStart }), parseEther("1"))).id;
  s.cronRunId = (await chain.register(cronSpec("* * * * *", [inc]), parseEther("1"))).id;
  const tick = (await chain.workflow(s.cronRunId)).nextExecutionAt;
  await chain.setNextTimestamp(tick + 2n);
  await chain.execute(s.cronRunId);
  ix = await startIndexer(chain, "pglite");
  await ix.catchUp();
});
afterAll(async () => {
  await ix?.stop();
  await chain?.stop();
});

describe("LOG triggers in the API, GraphQL and explorer", () => {
  it("shows a LOG workflow's filter decoded beside the raw data, topics named from the event", async () => {
    const { status, body } = await ix.get<{ trigger: Record<string, unknown> }>(`/api/workflows/${s.logId}`);
    expect(status).toBe(200);
    expect(body.trigger).toMatchObject({
      kind: "LOG",
      checkerKind: "NONE",
      data: expect.stringMatching(/^0x[0-9a-f]+$/),
      cron: null,
      log: {
        emitter: s.emitter.toLowerCase(),
        topic0: PING,
        event: PING_SIGNATURE,
        topic1: null,
        topic2: null,
        topic3: word(7n),
        topics: [
          { position: 1, name: "from", type: "address", value: null, decoded: null },
          { position: 2, name: "n", type: "uint256", value: null, decoded: null },
          { position: 3, name: "tag", type: "uint256", value: word(7n), decoded: "7" },
        ],
        checkData: null,
        error: null,
      },
    });
    const upkeep = await ix.get<{ trigger: { log: Record<string, unknown> } }>(`/api/workflows/${s.upkeepId}`);
    expect(upkeep.body.trigger.log).toMatchObject({ topic3: null, checkData: word(5n) });
    const time = await ix.get<{ trigger: Record<string, unknown> }>(`/api/workflows/${s.timeId}`);
    expect(time.body.trigger).toMatchObject({ kind: "TIME", log: null, cron: null });
  });

  it("lists matched logs PENDING (a log upkeep's refusal SKIPPED with the reason); the page shows the filter and the logs", async () => {
    const receipt = await chain.mined(
      await chain.wallets.stranger.writeContract({
        address: s.emitter,
        abi: emitterAbi,
        functionName: "pingMany",
        args: [5n, 7n],
      }),
    );
    s.pingTx = receipt.transactionHash;
    s.pings = receipt.logs
      .filter((l) => getAddress(l.address) === s.emitter)
      .map((l) => ({ blockNumber: l.blockNumber, blockHash: l.blockHash, logIndex: l.logIndex }));
    expect(s.pings).toHaveLength(5);
    await ix.catchUp();

    const logs = await ix.get<Page<TriggerLogItem>>(`/api/workflows/${s.logId}/logs`);
    expect(logs.status).toBe(200);
    expect(new Set(logs.body.items.map((l) => l.chainId))).toEqual(new Set([chain.deployment.chainId]));
    const onChain = await ix.get<Page<TriggerLogItem>>(
      `/api/workflows/${s.logId}/logs?chainId=${chain.deployment.chainId}`,
    );
    expect(onChain.body).toEqual(logs.body);
    expect(logs.body.items.map((l) => [l.txHash, l.logIndex, l.state, l.run])).toEqual(
      [...s.pings].reverse().map((p) => [s.pingTx, p.logIndex, "PENDING", null]),
    );
    // Pages of 2, by cursor, give the same five in the same order.
    const paged: TriggerLogItem[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Page<TriggerLogItem> } = await ix.get<Page<TriggerLogItem>>(
        `/api/workflows/${s.logId}/logs?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      paged.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged.map((l) => l.logIndex)).toEqual(logs.body.items.map((l) => l.logIndex));

    const upkeepLogs = await ix.get<Page<TriggerLogItem>>(`/api/workflows/${s.upkeepId}/logs`);
    const skipped = upkeepLogs.body.items.filter((l) => l.state === "SKIPPED");
    expect(skipped).toHaveLength(1); // n = 5
    expect(skipped[0]?.skipReason).toBeTruthy();
    expect(upkeepLogs.body.items.filter((l) => l.state === "PENDING")).toHaveLength(4);

    const page = await ix.get<string>(`/workflows/${s.logId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(PING_SIGNATURE);
    expect(page.body).toContain("from any, n any, tag = 7");
    expect(page.body).toContain("Recent matching logs");
    expect(page.body.match(/<tr class="trigger-log PENDING"/g)).toHaveLength(5);
    expect(page.body).toContain(`href="/tx/${s.pingTx}"`);
    const upkeepPage = await ix.get<string>(`/workflows/${s.upkeepId}`);
    expect(upkeepPage.body).toContain(`checked by checkLog on <span class="mono">${s.upkeep.toLowerCase()}</span>`);
    expect(upkeepPage.body).toMatch(
      new RegExp(
        `<tr class="trigger-log SKIPPED"[^>]*>[\\s\\S]*?SKIPPED</span> ${escapeRe(skipped[0]?.skipReason ?? "")}`,
      ),
    );
  });

  it("marks the logs RAN with their run, and each LOG run names the log that caused it (API, GraphQL, explorer)", async () => {
    const refs = s.pings.map((p) => logPerformData(p));
    const batch = await chain.executeBatch(
      s.pings.map(() => s.logId),
      refs,
      chain.wallets.worker,
      5_000_000n,
    );
    s.runTx = batch.receipt.transactionHash;
    expect(batch.events.filter((e) => e.eventName === "WorkflowExecuted")).toHaveLength(5);
    await ix.catchUp();

    const logs = await ix.get<Page<TriggerLogItem>>(`/api/workflows/${s.logId}/logs`);
    expect(logs.body.items.map((l) => [l.logIndex, l.state, l.run?.txHash])).toEqual(
      [...s.pings].reverse().map((p) => [p.logIndex, "RAN", s.runTx]),
    );

    const runs = await ix.get<Page<ExecutionItem>>(`/api/workflows/${s.logId}/executions`);
    // Newest first: run 5 served the last ping.
    expect(runs.body.items.map((r) => [r.runNumber, r.triggerKind, r.latenessFrom, r.trigger])).toEqual(
      [...s.pings]
        .reverse()
        .map((p, i) => [
          5 - i,
          "LOG",
          "the log's block",
          { txHash: s.pingTx, logIndex: p.logIndex, blockNumber: String(p.blockNumber) },
        ]),
    );
    expect(runs.body.items.every((r) => r.chainId === chain.deployment.chainId)).toBe(true);
    const time = await ix.get<Page<ExecutionItem>>(`/api/workflows/${s.timeId}/executions`);
    expect(time.body.items[0]).toMatchObject({ chainId: chain.deployment.chainId, triggerKind: "TIME", trigger: null });

    const gql = await fetch(`${ix.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: `{ triggerLogs(where: { workflowId: "${s.logId}" }, orderBy: "logIndex") { items { state txHash logIndex runTx } }
                  executions(where: { workflowId: "${s.logId}" }, orderBy: "runNumber") { items { runNumber triggerTxHash triggerLogIndex } } }`,
      }),
    }).then(
      (r) =>
        r.json() as Promise<{
          data: {
            triggerLogs: { items: { state: string; txHash: Hash; logIndex: number; runTx: Hash }[] };
            executions: { items: { runNumber: number; triggerTxHash: Hash; triggerLogIndex: number }[] };
          };
        }>,
    );
    expect(gql.data.triggerLogs.items).toEqual(
      s.pings.map((p) => ({ state: "RAN", txHash: s.pingTx, logIndex: p.logIndex, runTx: s.runTx })),
    );
    expect(gql.data.executions.items).toEqual(
      s.pings.map((p, i) => ({ runNumber: i + 1, triggerTxHash: s.pingTx, triggerLogIndex: p.logIndex })),
    );

    // The workflow page: each run's "Caused by" cell links the log's transaction; each log links its run.
    const page = await ix.get<string>(`/workflows/${s.logId}`);
    const causedBy = [
      ...page.body.matchAll(/<td class="mono caused-by"><a href="\/tx\/(0x[0-9a-f]{64})">[^<]*<\/a> log #(\d+)/g),
    ];
    expect(causedBy.map((m) => [m[1], Number(m[2])])).toEqual(
      [...s.pings].reverse().map((p) => [s.pingTx, p.logIndex]),
    );
    expect(page.body.match(/<tr class="trigger-log RAN"/g)).toHaveLength(5);
    expect(page.body).toContain(`class="mono run-link" href="/tx/${s.runTx}"`);
    // The run's transaction page names the logs too, and the log's transaction page (no run in it) is no 404.
    const runPage = await ix.get<string>(`/tx/${s.runTx}`);
    expect(runPage.body.match(/<td class="mono caused-by"><a href="\/tx\/0x[0-9a-f]{64}">/g)).toHaveLength(5);
    expect(runPage.body).toContain(`href="/tx/${s.pingTx}"`);
    const pingPage = await ix.get<string>(`/tx/${s.pingTx}`);
    expect(pingPage.status).toBe(200);
    expect(pingPage.body).toContain("Logs that trigger workflows");
    expect(pingPage.body).toContain(`href="/workflows/${s.upkeepId}"`);
    const pingApi = await ix.get<{ triggerLogs: TriggerLogItem[] }>(`/api/tx/${s.pingTx}`);
    expect(pingApi.body.triggerLogs.filter((l) => l.workflowId === String(s.logId)).map((l) => l.state)).toEqual(
      Array(5).fill("RAN"),
    );
  });
});

describe("lateness per trigger kind", () => {
  it("reports p50/p95/count per kind in /api/stats, CONDITION with where its real figure is", async () => {
    const { body } = await ix.get<{
      lateness: Record<"TIME" | "CRON" | "LOG" | "CONDITION", Percentiles & { note?: string }>;
      latenessSeconds: { runs: number; p50: number | null };
    }>("/api/stats");
    expect(body.lateness.TIME).toMatchObject({ count: 1, from: "its due slot" });
    expect(body.lateness.LOG).toMatchObject({ count: 5, from: "the log's block" });
    expect(body.lateness.CRON).toEqual({ p50: 2, p95: 2, count: 1, from: "its due tick" });
    expect(body.lateness.CONDITION).toMatchObject({ count: 1, from: "when its minimum interval elapsed" });
    expect(body.lateness.CONDITION.note).toContain('autokeeper_due_to_mined_seconds{trigger="CONDITION"}');
    for (const kind of ["TIME", "CRON", "LOG", "CONDITION"] as const) {
      const l = body.lateness[kind];
      expect(typeof l.p50).toBe("number");
      expect(l.p95).toBeGreaterThanOrEqual(l.p50 ?? 0);
      // Rounded: no 24.799999999999994.
      expect(String(l.p95)).toMatch(/^\d+(\.\d{1,2})?$/);
    }
    // The old all-kinds figures stay for older clients.
    expect(body.latenessSeconds.runs).toBe(8);
  });

  it("shows lateness per kind on the home page, rounded for display", async () => {
    const { body } = await ix.get<string>("/");
    const card = body.slice(body.indexOf('class="card lateness"'), body.indexOf("<h1>Latest runs"));
    for (const kind of ["TIME", "CRON", "LOG", "CONDITION"]) expect(card).toContain(`data-kind="${kind}"`);
    expect(card).toMatch(/<td>LOG<\/td><td>\d+(\.\d)? s \/ \d+(\.\d)? s<\/td><td class="muted">5 runs<\/td>/);
    expect(card).toMatch(/<td>CRON<\/td><td>2 s \/ 2 s<\/td><td class="muted">1 run<\/td>/);
    expect(card).not.toMatch(/\d\.\d{2,}/);
    expect(card).toContain("autokeeper_due_to_mined_seconds");
  });

  it("shows a queued CONDITION job's readyAt (when its check first said yes) in the API and on the page", async () => {
    const { body } = await ix.get<{ schedule: { nextExecutionAt: string } }>(`/api/workflows/${s.conditionId}`);
    const slot = BigInt(body.schedule.nextExecutionAt);
    const queue = new Queue(queueName(chain.deployment.chainId), {
      connection: { host: "127.0.0.1", port: 6379 },
      prefix: ix.queuePrefix,
    });
    const readyAt = 1_800_000_000n; // 2027-01-15 08:00:00 UTC
    try {
      const id = jobId(chain.deployment.chainId, s.conditionId, slot);
      await queue.add(
        "run",
        { workflowId: String(s.conditionId), trigger: "CONDITION", readyAt: String(readyAt) },
        { jobId: id, delay: 60_000 },
      );
      const api = await ix.get<{ queue: { state: string; jobId: string; readyAt: string | null } }>(
        `/api/workflows/${s.conditionId}`,
      );
      expect(api.body.queue).toMatchObject({ state: "waiting", jobId: id, readyAt: String(readyAt) });
      const page = await ix.get<string>(`/workflows/${s.conditionId}`);
      expect(page.body).toContain("check said yes at 2027-01-15 08:00:00 UTC");
      const idle = await ix.get<{ queue: { readyAt: string | null } }>(`/api/workflows/${s.timeId}`);
      expect(idle.body.queue.readyAt).toBeNull();
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});

describe("CRON triggers", () => {
  const iso = (ticks: bigint[]) => ticks.map((t) => new Date(Number(t) * 1000).toISOString());
  const expectedFrom = (after: bigint) => iso(nextTicks(parseCron(WEEKDAYS), after, 3));
  const wallNow = () => BigInt(Math.floor(Date.now() / 1000));

  it("shows a CRON workflow's expression and its next 3 ticks from now (ISO UTC) in the API and on its page", async () => {
    const before = expectedFrom(wallNow());
    const { status, body } = await ix.get<{ trigger: Record<string, unknown> }>(`/api/workflows/${s.cronId}`);
    const after = expectedFrom(wallNow());
    expect(status).toBe(200);
    expect(body.trigger).toMatchObject({ kind: "CRON", log: null, data: `0x${Buffer.from(WEEKDAYS).toString("hex")}` });
    expect(body.trigger.cron).toEqual({ expression: WEEKDAYS, next: expect.any(Array), error: null });
    const next = (body.trigger.cron as { next: string[] }).next;
    expect([before, after]).toContainEqual(next);
    for (const t of next) expect(t).toMatch(/^\d{4}-\d\d-\d\dT09:30:00\.000Z$/);
    const page = await ix.get<string>(`/workflows/${s.cronId}`);
    expect(page.body).toContain(`cron <code>${WEEKDAYS}</code> (UTC)`);
    for (const t of next) expect(page.body).toContain(`<time datetime="${t}">${t.slice(0, 10)} 09:30 UTC</time>`);
    const owner = await ix.get<string>(`/address/${chain.wallets.owner.account.address}`);
    expect(owner.body).toContain(`cron ${WEEKDAYS}`);
  });

  it("gives GraphQL readers the CRON expression and the LOG filter decoded, beside the raw trigger data", async () => {
    const gql = await fetch(`${ix.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        // A workflow is (chainId, id): its registry's id on that chain.
        query: `{ cron: workflow(chainId: ${chain.deployment.chainId}, id: "${s.cronId}") { cron logFilter nextExecutionAt }
                  log: workflow(chainId: ${chain.deployment.chainId}, id: "${s.logId}") { cron logFilter } }`,
      }),
    }).then(
      (r) =>
        r.json() as Promise<{
          data: Record<"cron" | "log", { cron: string | null; logFilter: Record<string, unknown> | null }>;
        }>,
    );
    expect(gql.data.cron).toMatchObject({ cron: WEEKDAYS, logFilter: null });
    expect(gql.data.log.cron).toBeNull();
    expect(gql.data.log.logFilter).toMatchObject({ topics: [PING, null, null, word(7n)], checkData: "0x" });
    expect(String(gql.data.log.logFilter?.emitter).toLowerCase()).toBe(s.emitter.toLowerCase());
  });

  it("counts a CRON workflow's ticks from its start when it starts later", async () => {
    const { body } = await ix.get<{ trigger: { cron: { next: string[] } } }>(`/api/workflows/${s.cronLaterId}`);
    expect(body.trigger.cron.next).toEqual(expectedFrom(s.laterStart - 1n));
    expect(new Date(body.trigger.cron.next[0] ?? "").getTime()).toBeGreaterThanOrEqual(Number(s.laterStart) * 1000);
  });

  it("decodes CRON data as the API shares it: fixed ticks from a fixed now, the end time, and why when it cannot", () => {
    const cron = (expression: string, now: bigint, endTime = 0n) =>
      decodeTrigger(
        {
          triggerKind: "CRON",
          checkerKind: "NONE",
          checker: "0x0000000000000000000000000000000000000000",
          interval: 0n,
          triggerData: `0x${Buffer.from(expression).toString("hex")}`,
          startTime: 0n,
          endTime,
        },
        now,
      );
    const sunday = BigInt(Date.UTC(2026, 10, 29, 2, 17) / 1000); // Sun 2026-11-29 02:17 UTC
    expect(cron("0 9 * * 1-5", sunday)).toEqual({
      log: null,
      cron: {
        expression: "0 9 * * 1-5",
        next: ["2026-11-30T09:00:00.000Z", "2026-12-01T09:00:00.000Z", "2026-12-02T09:00:00.000Z"],
        error: null,
      },
    });
    expect(cron("*/15 * * * *", sunday).cron?.next).toEqual([
      "2026-11-29T02:30:00.000Z",
      "2026-11-29T02:45:00.000Z",
      "2026-11-29T03:00:00.000Z",
    ]);
    // Ticks after the end time do not run, so they are not shown.
    const end = BigInt(Date.UTC(2026, 11, 1, 12) / 1000);
    expect(cron("0 9 * * 1-5", sunday, end).cron?.next).toEqual([
      "2026-11-30T09:00:00.000Z",
      "2026-12-01T09:00:00.000Z",
    ]);
    expect(cron("0 9 * * 1-5", sunday, sunday + 60n).cron).toMatchObject({
      next: [],
      error: "no tick before its end time",
    });
    expect(cron("61 * * * *", sunday).cron).toMatchObject({ expression: "61 * * * *", next: [] });
    expect(cron("61 * * * *", sunday).cron?.error).toMatch(/position 0/);
  });
});

describe("bad input", () => {
  it("answers 400 or 404 as JSON for bad ids, limits and cursors on /logs and /executions, never 500", async () => {
    const huge = encodeCursor([1n, 2n ** 40n]);
    const cases: [string, number, string][] = [
      ["/api/workflows/abc/logs", 400, "invalid_workflow_id"],
      ["/api/workflows/0/logs", 400, "invalid_workflow_id"],
      [`/api/workflows/${2n ** 256n}/logs`, 400, "invalid_workflow_id"],
      ["/api/workflows/999999/logs", 404, "not_found"],
      [`/api/workflows/${s.logId}/logs?limit=0`, 400, "invalid_limit"],
      [`/api/workflows/${s.logId}/logs?cursor=Zm9v`, 400, "invalid_cursor"],
      [`/api/workflows/${s.logId}/logs?cursor=%27%3B--`, 400, "invalid_cursor"],
      [`/api/workflows/${s.logId}/logs?cursor=${encodeCursor([1n])}`, 400, "invalid_cursor"],
      [`/api/workflows/${s.logId}/logs?cursor=${huge}`, 400, "invalid_cursor"],
      [`/api/workflows/${s.logId}/executions?cursor=${huge}`, 400, "invalid_cursor"],
      ["/api/workflows?trigger=LOGS", 400, "invalid_trigger"],
      [`/api/workflows/${s.logId}/logs?chainId=${chain.deployment.chainId + 1}`, 400, "invalid_chain_id"],
      [`/api/workflows/999999/logs?chainId=${chain.deployment.chainId}`, 404, "not_found"],
    ];
    for (const [path, status, code] of cases) {
      const res = await ix.get<ErrorBody>(path);
      expect([path, res.status, res.body.error?.code]).toEqual([path, status, code]);
    }
    // A cursor at the very largest log index is still a cursor: an empty page, not an error.
    const edge = await ix.get<Page<TriggerLogItem>>(
      `/api/workflows/${s.logId}/logs?cursor=${encodeCursor([0n, 2n ** 31n - 1n])}`,
    );
    expect([edge.status, edge.body.items]).toEqual([200, []]);
    // LOG is a trigger kind one may filter by.
    const onLog = await ix.get<Page<{ id: string }>>("/api/workflows?trigger=log");
    expect(onLog.body.items.map((w) => w.id)).toEqual([String(s.upkeepId), String(s.logId)]);
    const onCron = await ix.get<Page<{ id: string }>>("/api/workflows?trigger=CRON");
    expect(onCron.body.items.map((w) => w.id)).toEqual([s.cronRunId, s.cronLaterId, s.cronId].map(String));
  });

  it("documents /api/workflows/{id}/logs and the new fields in the OpenAPI document and /docs", async () => {
    const { body } = await ix.get<{
      paths: Record<string, { get: { parameters: { name: string }[] } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }>("/openapi.json");
    expect(body.paths["/api/workflows/{id}/logs"]?.get.parameters.map((p) => p.name)).toEqual([
      "id",
      "chainId",
      "limit",
      "cursor",
    ]);
    expect(Object.keys(body.components.schemas.Trigger?.properties ?? {})).toEqual(
      expect.arrayContaining(["log", "cron", "data"]),
    );
    expect(Object.keys(body.components.schemas.Execution?.properties ?? {})).toEqual(
      expect.arrayContaining(["chainId", "trigger", "triggerKind", "latenessFrom"]),
    );
    expect(Object.keys(body.components.schemas.Stats?.properties?.lateness ?? {})).toContain("properties");
    expect((await ix.get<string>("/docs")).body).toContain("/api/workflows/{id}/logs");
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
