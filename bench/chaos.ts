/**
 * `npm run chaos [-- --quick] [-- --only <fault>]… | -- --soak 30m`
 *
 * Runs every fault of issue 10 against the real stack (anvil behind two JSON-RPC fault proxies, a
 * private Redis and Postgres, Ponder, `npm run executor`) under steady load, and writes one row per fault
 * to bench/results/chaos.json (lost, doubled, p95 lateness during the fault, recovery) and the table in
 * bench/results/README.md. `--soak 30m` rotates the faults for that long at half the chain's capacity
 * and records lost, doubled, p95/p99 lateness and executor memory at minute 5 and at the end, in
 * bench/results/chaos-soak.json. `--quick` is the small size (results go to bench/results/quick/).
 */
import { formatGwei } from "viem";
import { ConfigError, runMain } from "../lib/env.js";
import { allFaults, executorKill, type Fault, feeSpike } from "../tools/harness/chaos/faults.js";
import { type ChaosRow, latenessPercentiles, measureWindow, readChaosData } from "../tools/harness/chaos/measure.js";
import { injectFault, runChaos } from "../tools/harness/chaos/run.js";
import { startChaosStack } from "../tools/harness/chaos/stack.js";
import { loadWorkload } from "../tools/harness/chaos/workload.js";
import { sleep } from "../tools/harness/wait.js";
import { describeMachine } from "./harness/machine.js";
import { say as sayTo } from "./harness/progress.js";
import { metric, type Row, writeReadme, writeResult } from "./harness/report.js";
import { rssMiB } from "./harness/rss.js";

const usage = "usage: npm run chaos [-- --quick] [-- --only <fault name>]... | npm run chaos -- --soak <minutes>m";
const say = (m: string) => sayTo("chaos", m);

/** 10M gas per 1 s block holds about 135 runs: the load below is a quarter of it, the soak half. */
const GAS_LIMIT = 10_000_000n;

function parseArgs(argv: string[]) {
  let quick = false;
  let soakMinutes: number | undefined;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--quick") quick = true;
    else if (arg === "--only") only.push(argv[++i] ?? "");
    else if (arg === "--soak") {
      const m = /^(\d+)m$/.exec(argv[++i] ?? "");
      if (!m || Number(m[1]) < 6) throw new ConfigError(`--soak: minutes as <n>m, at least 6m\n${usage}`);
      soakMinutes = Number(m[1]);
    } else if (arg === "--help" || arg === "-h") {
      console.log(usage);
      process.exit(0);
    } else throw new ConfigError(`unknown option "${arg}"\n${usage}`);
  }
  return { quick, soakMinutes, only };
}

function toRow(r: ChaosRow): Row {
  const metrics: Row["metrics"] = {
    due: metric("runs", [r.due]),
    executed: metric("runs", [r.executed]),
    "skipped by rule": metric("slots", [r.skippedByRule]),
    lost: metric("runs", [r.lost]),
    doubled: metric("runs", [r.doubled]),
  };
  if (r.p95Blocks !== undefined) metrics["p95 late"] = metric("blocks", [r.p95Blocks]);
  if (r.recoveryBlocks !== undefined) metrics.recovery = metric("blocks", [r.recoveryBlocks]);
  metrics["wasted sends"] = metric("tx items", [r.wasted]);
  if (r.workerNetWei !== undefined) metrics["worker net"] = metric("gwei", [Number(r.workerNetWei / 10n ** 9n)]);
  if (r.hostileRuns !== undefined) metrics["hostile runs"] = metric("runs", [r.hostileRuns]);
  return { label: r.name, params: { seconds: r.seconds, injected: r.injected }, metrics };
}

const METHOD =
  "anvil with 1 s blocks and a 10M-gas limit behind two JSON-RPC fault proxies (the executor and Ponder both " +
  "use RPC_URLS=A,B), Redis and Postgres of its own, Ponder on that Postgres, and `npm run executor` with its " +
  "defaults (MAX_FEE_GWEI=5 against a 1 gwei base fee), both restarted a second after they exit as a process " +
  "manager would. Load: TIME workflows with 1–10 s intervals and CONDITION workflows on a Chainlink-style " +
  "upkeep that trusts its keeper. Each fault runs for its duration, then the system settles before the next. " +
  "Every figure comes from the canonical chain: a TIME slot is served (a run carries it), skipped by rule (a " +
  "late run of an earlier slot made the contract pass over it) or lost (neither, though due before the " +
  "cut-off); a CONDITION ticket is served once, doubled, or lost. Lateness counts blocks from the first block " +
  "that could carry the run (1 = on time), over the runs due during the fault; recovery counts the blocks " +
  "after the fault's last block (the last whose timestamp is within the fault: after a reorg, on the re-mined " +
  "chain) until every run lands on time for 5 blocks in a row. One pass: each row is one window.";

async function fullRun(quick: boolean, only: string[]) {
  const faults = allFaults(quick ? [2] : [1, 4, 10]).filter((f) => only.length === 0 || only.some((o) => f.name === o));
  if (faults.length === 0) throw new ConfigError(`--only: no fault by that name\n${usage}`);
  const long = (f: Fault) => f === feeSpike || f === executorKill;
  const result = await runChaos(
    {
      faults,
      faultSeconds: (f) => (long(f) ? (quick ? 30 : 120) : quick ? 10 : 30),
      settleSeconds: quick ? 15 : 30,
      warmupSeconds: quick ? 10 : 30,
      size: { time: 120, conditions: 10, leadSeconds: 30 },
      gasLimit: GAS_LIMIT,
    },
    say,
  );
  for (const r of result.rows) {
    say(
      `${r.name.padEnd(24)} due ${r.due}, executed ${r.executed}, skipped by rule ${r.skippedByRule}, ` +
        `lost ${r.lost}, doubled ${r.doubled}, p95 ${r.p95Blocks ?? "–"} blocks, recovery ${r.recoveryBlocks ?? "–"} blocks`,
    );
  }
  const nets = result.rows.map((r) => r.workerNetWei).filter((n): n is bigint => n !== undefined);
  const notes = [
    `Struck (requests faulted, transactions undone, processes killed; for hostile rows: slots or checks refused): ${result.rows.map((r) => `${r.name} ${r.injected}`).join(", ")}.`,
    `Worker net (balance plus unclaimed earnings) over the whole run, every row but the one that sets the balance: ${formatGwei(nets.reduce((a, b) => a + b, 0n))} gwei; the lowest row ${formatGwei([...nets].sort((a, b) => (a < b ? -1 : 1))[0] ?? 0n)} gwei.`,
    `What the executor said during each hostile row: ${result.rows
      .filter((r) => r.hostileRuns !== undefined)
      .map((r) => `${r.name}: ${r.observed.join(", ")}`)
      .join("; ")}.`,
    `Crashes nobody asked for: Ponder ${result.unplannedRestarts.ponder}, executor ${result.unplannedRestarts.executor}.`,
  ];
  if (result.data.anomalies.length > 0)
    notes.push(`Runs the schedule cannot explain: ${result.data.anomalies.length}.`);
  return { rows: result.rows.map(toRow), notes };
}

/** Rotates the faults (but executor kill, which would reset the memory being watched) for `minutes`. */
async function soak(minutes: number) {
  const stack = await startChaosStack({ gasLimit: GAS_LIMIT, log: say });
  try {
    // About 67 runs a second: half of the ~135 a 10M-gas block holds.
    const workload = await loadWorkload(stack, { time: 230, conditions: 10, leadSeconds: 40, fundingEth: "2" });
    while ((await stack.chain.now()) < workload.start) await sleep(500);
    const started = Date.now();
    const from = await stack.chain.now();
    // What keeping memory level costs: the executor's CPU time and its full-GC pauses over the soak.
    const gcCost = async () => {
      const [cpu, majorGcs, majorGcSeconds] = await stack.processMetrics(
        "process_cpu_seconds_total",
        'nodejs_gc_duration_seconds_count{kind="major"}',
        'nodejs_gc_duration_seconds_sum{kind="major"}',
      );
      return { cpu, majorGcs, majorGcSeconds };
    };
    const costAtStart = await gcCost();
    // RSS from /proc, and the V8 heap in use from the executor's own /metrics: a heap that stays level
    // while RSS climbs is memory the allocator keeps, not objects the executor holds on to.
    const samples: { atMs: number; rss: number; heap: number | undefined }[] = [];
    const sampler = setInterval(() => {
      const rss = rssMiB(stack.executor.current.process.pid ?? 0);
      if (rss === undefined) return;
      const atMs = Date.now() - started;
      void stack.processMetrics("nodejs_heap_size_used_bytes").then(([bytes]) => {
        samples.push({
          atMs,
          rss: Math.round(rss),
          heap: bytes === undefined ? undefined : Math.round(bytes / 2 ** 20),
        });
      });
    }, 5_000);
    const rotation = allFaults([1, 4, 10]).filter((f) => f !== executorKill && !f.hostile);
    const windows = [];
    const restarts = stack.executor.restarts;
    try {
      for (let i = 0; Date.now() - started < minutes * 60_000; i++) {
        const fault = rotation[i % rotation.length]!;
        const w = await injectFault(stack, fault, fault === feeSpike ? 60 : 30, 30, say);
        if (windows.length > 0) windows[windows.length - 1]!.until = w.from;
        windows.push(w);
        say(`  ${Math.round((Date.now() - started) / 60_000)} of ${minutes} min`);
      }
    } finally {
      clearInterval(sampler);
    }
    const costAtEnd = await gcCost();
    const spent = (k: keyof typeof costAtStart) => (costAtEnd[k] ?? Number.NaN) - (costAtStart[k] ?? Number.NaN);
    const soakSeconds = (Date.now() - started) / 1000;
    const until = windows.at(-1)?.until ?? (await stack.chain.now());
    await sleep(20_000);
    const data = await readChaosData(stack.chain, workload, until);
    const rows = windows.map((w) => measureWindow(w, data));
    const [p95, p99] = latenessPercentiles(data, from, until, [95, 99]);
    const around = (min: number, key: "rss" | "heap" = "rss") => {
      const near = samples
        .filter((s) => Math.abs(s.atMs - min * 60_000) <= 60_000)
        .map((s) => s[key])
        .filter((v): v is number => v !== undefined);
      return near.sort((a, b) => a - b)[Math.floor(near.length / 2)] ?? Number.NaN;
    };
    const marks = Array.from({ length: Math.floor(minutes / 5) }, (_, i) => 5 * (i + 1));
    const sum = (k: "due" | "executed" | "lost" | "doubled" | "skippedByRule") => rows.reduce((n, r) => n + r[k], 0);
    const row: Row = {
      label: `${minutes} min, ${windows.length} faults`,
      params: { minutes, faults: windows.length, workflows: workload.time.length + workload.tickets.length },
      metrics: {
        due: metric("runs", [sum("due")]),
        executed: metric("runs", [sum("executed")]),
        "skipped by rule": metric("slots", [sum("skippedByRule")]),
        lost: metric("runs", [sum("lost")]),
        doubled: metric("runs", [sum("doubled")]),
        "p95 late": metric("blocks", [p95!]),
        "p99 late": metric("blocks", [p99!]),
        "RSS at min 5": metric("MiB", [around(5)]),
        [`RSS at min ${minutes}`]: metric("MiB", [around(minutes)]),
        "heap used at min 5": metric("MiB", [around(5, "heap")]),
        [`heap used at min ${minutes}`]: metric("MiB", [around(minutes, "heap")]),
      },
    };
    return {
      rows: [row],
      notes: [
        `Executor memory every 5 minutes, RSS / V8 heap in use (MiB): ${marks.map((m) => `min ${m}: ${around(m)} / ${around(m, "heap")}`).join(", ")}.`,
        `Faults in rotation (executor kill left out: it would restart the process whose memory is watched): ${rotation.map((f) => f.name).join(", ")}.`,
        `Executor restarts nobody asked for: ${stack.executor.restarts - restarts}.`,
        // Which window a loss or a double fell in: the row above only sums them.
        `Windows that lost or doubled a run: ${
          rows
            .map((r, i) => ({ r, i }))
            .filter(({ r }) => r.lost > 0 || r.doubled > 0)
            .map(({ r, i }) => `#${i + 1} ${r.name}: ${r.lost} lost, ${r.doubled} doubled of ${r.due} due`)
            .join("; ") || "none"
        }.`,
        `Executor CPU over the soak: ${Math.round(spent("cpu"))} s in ${Math.round(soakSeconds)} s (${Math.round((100 * spent("cpu")) / soakSeconds)}% of a core); full GCs: ${spent("majorGcs")}, paused ${spent("majorGcSeconds").toFixed(2)} s in all.`,
      ],
    };
  } finally {
    await stack.stop();
  }
}

runMain(async () => {
  const { quick, soakMinutes, only } = parseArgs(process.argv.slice(2));
  process.env.PONDER_TELEMETRY_DISABLED = "true";
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const postgresUrl = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const machine = await describeMachine(redisUrl, postgresUrl);
  const started = Date.now();
  const output = soakMinutes ? await soak(soakMinutes) : await fullRun(quick, only);
  const file = writeResult({
    suite: soakMinutes ? "chaos-soak" : "chaos",
    title: soakMinutes
      ? "Chaos soak: faults in rotation at half capacity"
      : "Chaos: every fault, nothing lost or doubled",
    method: soakMinutes
      ? `${METHOD} The soak rotates the faults for ${soakMinutes} minutes with about 67 runs a second (half of what the chain holds); memory is the executor's RSS, the median of 5 s samples within a minute of each mark.`
      : METHOD,
    quick,
    measuredAt: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine,
    ...output,
  });
  say(`results → ${file}`);
  if (!quick) say(`table → ${writeReadme()}`);
});
