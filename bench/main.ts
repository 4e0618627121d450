/**
 * `npm run bench [-- <suite>…] [--quick] [--runs N]`: runs the benchmark suites one after another on
 * this machine and writes bench/results/<suite>.json and bench/results/README.md.
 * `--quick` runs every suite at a small size, each row once (a smoke test: CI runs it, results go to
 * results/quick/).
 */
import { ConfigError, runMain } from "../lib/env.js";
import { describeMachine } from "./harness/machine.js";
import { say } from "./harness/progress.js";
import { writeReadme, writeResult } from "./harness/report.js";
import type { Suite } from "./harness/suite.js";
import { executorSuite } from "./suites/executor.js";
import { explorerSuite } from "./suites/explorer.js";
import { indexerSuite } from "./suites/indexer.js";
import { latencySuite } from "./suites/latency.js";
import { logSuite } from "./suites/log.js";
import { queueSuite } from "./suites/queue.js";
import { replicasSuite } from "./suites/replicas.js";
import { resourcesSuite } from "./suites/resources.js";
import { schedulerSuite } from "./suites/scheduler.js";

const SUITES: Suite[] = [
  queueSuite,
  executorSuite,
  latencySuite,
  logSuite,
  schedulerSuite,
  indexerSuite,
  resourcesSuite,
  replicasSuite,
  explorerSuite,
];

const usage = `usage: npm run bench [-- <suite>...] [--quick] [--runs N]   (suites: ${SUITES.map((s) => s.name).join(", ")})`;

function parseArgs(argv: string[]) {
  let quick = false;
  let runs: number | undefined;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--quick") quick = true;
    else if (arg === "--runs") {
      runs = Number(argv[++i]);
      if (!Number.isInteger(runs) || runs < 3 || runs > 50) throw new ConfigError("--runs: an integer from 3 to 50");
    } else if (arg === "--help" || arg === "-h") {
      console.log(usage);
      process.exit(0);
    } else if (SUITES.some((s) => s.name === arg)) names.push(arg);
    else throw new ConfigError(`unknown suite or option "${arg}"\n${usage}`);
  }
  const suites = names.length === 0 ? SUITES : SUITES.filter((s) => names.includes(s.name));
  // Quick (CI's smoke test) measures each row once: it proves the suites run, and its figures are not kept.
  return { quick, runs: runs ?? (quick ? 1 : 3), suites };
}

runMain(async () => {
  const { quick, runs, suites } = parseArgs(process.argv.slice(2));
  process.env.PONDER_TELEMETRY_DISABLED = "true";
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const postgresUrl = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const machine = await describeMachine(redisUrl, postgresUrl);
  say("bench", `${suites.map((s) => s.name).join(", ")}${quick ? " (quick)" : ""}; ${runs} runs each`);
  const failed: string[] = [];
  const t0 = Date.now();
  for (const suite of suites) {
    const started = Date.now();
    try {
      const output = await suite.run({ quick, runs, redisUrl, postgresUrl, say: (m) => say(suite.name, m) });
      const file = writeResult({
        suite: suite.name,
        title: suite.title,
        quick,
        measuredAt: new Date(started).toISOString(),
        durationSeconds: Math.round((Date.now() - started) / 1000),
        machine,
        ...output,
      });
      if (output.shortfall) say(suite.name, `SHORT OF ITS SIZE: ${output.shortfall}`);
      say(suite.name, `done in ${Math.round((Date.now() - started) / 1000)} s → ${file}`);
    } catch (error) {
      failed.push(suite.name);
      say(suite.name, `FAILED: ${(error as Error).stack ?? error}`);
    }
  }
  if (!quick) say("bench", `table → ${writeReadme()}`);
  say("bench", `finished in ${Math.round((Date.now() - t0) / 1000)} s`);
  if (failed.length > 0) throw new Error(`suites failed: ${failed.join(", ")}`);
});
