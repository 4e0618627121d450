/**
 * What the executor costs to run: time from `npm run executor` to its first mined run (with work
 * already due and indexed), where that time goes (from the executor's own log), and its resident memory
 * while it works through N due runs at once.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseEther } from "viem";
import { timeSpec } from "../../lib/spec.js";
import type { Chain } from "../../tools/harness/chain.js";
import { executedRuns } from "../../tools/harness/chain-runs.js";
import { startStack } from "../../tools/harness/stack.js";
import { sleep } from "../../tools/harness/wait.js";
import { killWithParent } from "../../tools/processes.js";
import { pollUntil } from "../harness/progress.js";
import { metric } from "../harness/report.js";
import { sampleRss } from "../harness/rss.js";
import type { Suite } from "../harness/suite.js";
import { counterAction, INDEX_CATCH_UP_MS, registerMany } from "../harness/workload.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const INTERVAL = 3600n;

export const resourcesSuite: Suite = {
  name: "resources",
  title: "Resources: executor start-up and memory",
  async run(ctx) {
    const workflows = ctx.quick ? 30 : 1_000;
    ctx.say("starting anvil, Ponder (PGlite, the default) and Redis queue");
    const stack = await startStack("pglite");
    try {
      const { chain } = stack;
      const action = await counterAction(chain);
      let slot = (await chain.now()) + INTERVAL;
      const specs = Array.from({ length: workflows }, () =>
        timeSpec([action], INTERVAL, { startTime: slot, gasLimit: 100_000 }),
      );
      await registerMany(chain, specs, parseEther("0.05"));
      await stack.intervalMining(1);
      await stack.indexer.catchUp(INDEX_CATCH_UP_MS);
      // Info: the breakdown comes from "executor started" and the first "batch sent" (a few lines before
      // the first run; the 1,000 "run mined" lines come after it).
      const env = await stack.env({ LOG_LEVEL: "info" });

      const samples = { startup: [] as number[], rss: [] as number[] };
      const phases = new Map<string, number[]>();
      for (let run = 0; run <= ctx.runs; run++) {
        // Work is due and indexed before the executor starts.
        await chain.testClient.setNextBlockTimestamp({ timestamp: slot });
        await chain.testClient.mine({ blocks: 1 });
        const dueBlock = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
        await stack.indexer.waitForBlock(dueBlock);

        // Built before the clock starts: in a shared checkout a source can change between runs, and
        // `npm run executor` would then spend the first seconds compiling (measured: 18 s once).
        execFileSync(process.execPath, ["scripts/build.mjs", "--if-stale"], { cwd: ROOT, stdio: "ignore" });
        const t0 = Date.now();
        const npm = startNpmExecutor(env);
        try {
          const first = await firstRunSeen(chain, dueBlock, slot, Date.now() + 60_000);
          if (first === undefined) throw new Error("no run mined within 60 s of `npm run executor`");
          const pid = executorPid(npm.pid!);
          const rss = sampleRss(pid, 100);
          const all = await pollUntil(
            async () =>
              (await executedRuns(chain, dueBlock)).filter((r) => r.dueAt === slot).length >= workflows
                ? true
                : undefined,
            Date.now() + 120_000,
            200,
          );
          const peak = rss.stop();
          if (!all) throw new Error(`not all ${workflows} runs mined within 120 s`);
          const startup = (first - t0) / 1000;
          const breakdown = startupPhases(npm.output(), t0, first);
          ctx.say(
            `${run === 0 ? "warm-up" : `run ${run}/${ctx.runs}`}: first run mined ${startup.toFixed(2)} s after start ` +
              `(${Object.entries(breakdown)
                .map(([k, v]) => `${k} ${v.toFixed(2)}`)
                .join(", ")}); RSS peak ${peak.toFixed(0)} MiB`,
          );
          if (run > 0) {
            samples.startup.push(startup);
            samples.rss.push(peak);
            for (const [k, v] of Object.entries(breakdown)) phases.set(k, [...(phases.get(k) ?? []), v]);
          }
        } finally {
          await stopGroup(npm);
        }
        slot += INTERVAL;
      }
      return {
        method:
          `${workflows.toLocaleString("en")} TIME workflows due and indexed (Ponder on PGlite) before \`npm run executor\` ` +
          "starts with default settings on 1 s anvil blocks. Start-up: from spawning npm to the first run mined " +
          "(the moment its block first showed at the head, polled every 50 ms; the block's runs are read after " +
          "noting that, so decoding them does not count). Where it goes, from the executor's log: npm until node " +
          "starts, node until the modules are loaded, start-up (RPC endpoints checked, chain clock, signers), the " +
          "first scheduling pass until the first batch is sent, and from then until its block. RSS: peak resident " +
          "memory of the executor's node process (sampled every 100 ms) " +
          `while it runs all ${workflows.toLocaleString("en")}.`,
        rows: [
          {
            label: `executor, ${workflows.toLocaleString("en")} due runs`,
            params: { workflows },
            metrics: {
              "start → first mined run": metric("s", samples.startup),
              ...Object.fromEntries([...phases].map(([k, v]) => [k, metric("s", v)])),
              "RSS peak at saturation": metric("MiB", samples.rss),
            },
          },
        ],
        notes: [],
      };
    } finally {
      await stack.stop();
    }
  },
};

function startNpmExecutor(env: Record<string, string>): ChildProcess & { output(): string } {
  const child = killWithParent(
    spawn("npm", ["run", "--silent", "executor"], {
      cwd: ROOT,
      env: { ...(process.env as Record<string, string>), ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so npm, the shell and node stop together
    }),
  );
  let out = "";
  // Only the start-up lines are wanted: stop keeping output once the first batch was sent.
  const keep = (d: Buffer) => {
    if (!out.includes('"msg":"batch sent"')) out += d.toString();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return Object.assign(child, { output: () => out });
}

/**
 * When the first run of `slot` was mined, as Date.now(): the moment its block was first seen at the
 * head. Each new block's runs are read once, after its arrival was noted, so a poll that decodes a block
 * of hundreds of runs does not delay the figure (it had added up to a few seconds with 1,000 runs).
 */
async function firstRunSeen(chain: Chain, after: bigint, slot: bigint, deadline: number): Promise<number | undefined> {
  const seen = new Map<bigint, number>();
  let checked = after;
  while (Date.now() < deadline) {
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    for (let b = checked + 1n; b <= head; b++) if (!seen.has(b)) seen.set(b, Date.now());
    for (; checked < head; checked++) {
      const runs = await executedRuns(chain, checked + 1n, checked + 1n);
      if (runs.some((r) => r.dueAt === slot)) return seen.get(checked + 1n);
    }
    await sleep(50);
  }
  return undefined;
}

/** Seconds per start-up phase, from the executor's "executor started" and first "batch sent" lines. */
function startupPhases(output: string, t0: number, mined: number): Record<string, number> {
  const lines = output.split("\n").flatMap((l) => {
    try {
      return [JSON.parse(l) as { msg?: string; time?: string; startupMs?: Record<string, number> }];
    } catch {
      return [];
    }
  });
  const started = lines.find((l) => l.msg === "executor started");
  const sent = lines.find((l) => l.msg === "batch sent");
  if (!started?.startupMs || !started.time || !sent?.time) return {};
  // startupMs counts from the node process's start; the log line's own time anchors it to the wall clock.
  const { loaded = 0, started: ready = 0 } = started.startupMs;
  const nodeStart = Date.parse(started.time) - ready;
  const sentAt = Date.parse(sent.time);
  const s = (ms: number) => Math.max(0, ms) / 1000;
  return {
    "npm → node": s(nodeStart - t0),
    "node → modules loaded": s(loaded),
    "→ executor started": s(ready - loaded),
    "→ first batch sent": s(sentAt - (nodeStart + ready)),
    "→ its block": s(mined - sentAt),
  };
}

/** The node process running the compiled executor under npm (npm → sh → node dist/executor/main.js). */
function executorPid(root: number): number {
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (argv[0]?.endsWith("node") && argv.includes("dist/executor/main.js")) return pid;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    if (children) queue.push(...children.split(" ").map(Number));
  }
  throw new Error("the executor's node process was not found under npm");
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(-child.pid!, "SIGINT");
  await Promise.race([exited, sleep(35_000)]);
  if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
}
