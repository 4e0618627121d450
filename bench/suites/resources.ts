/**
 * What the executor costs to run: time from `npm run executor` to its first mined run (with work
 * already due and indexed), and its resident memory while it works through N due runs at once.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseEther } from "viem";
import { killWithParent } from "../../lib/processes.js";
import { timeSpec } from "../../lib/spec.js";
import { executedRuns } from "../../test/helpers/chain-runs.js";
import { startStack } from "../../test/helpers/stack.js";
import { sleep } from "../../test/helpers/wait.js";
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
      const env = await stack.env({ LOG_LEVEL: "warn" });

      const samples = { startup: [] as number[], rss: [] as number[] };
      for (let run = 0; run <= ctx.runs; run++) {
        // Work is due and indexed before the executor starts.
        await chain.testClient.setNextBlockTimestamp({ timestamp: slot });
        await chain.testClient.mine({ blocks: 1 });
        const dueBlock = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
        await stack.indexer.waitForBlock(dueBlock);

        const t0 = performance.now();
        const npm = startNpmExecutor(env);
        try {
          const first = await pollUntil(
            async () =>
              (await executedRuns(chain, dueBlock)).some((r) => r.dueAt === slot) ? performance.now() : undefined,
            Date.now() + 60_000,
            50,
          );
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
          ctx.say(
            `${run === 0 ? "warm-up" : `run ${run}/${ctx.runs}`}: first run mined ${startup.toFixed(2)} s after start; RSS peak ${peak.toFixed(0)} MiB`,
          );
          if (run > 0) {
            samples.startup.push(startup);
            samples.rss.push(peak);
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
          "(polled every 50 ms). RSS: peak resident memory of the executor's node process (sampled every 100 ms) " +
          `while it runs all ${workflows.toLocaleString("en")}.`,
        rows: [
          {
            label: `executor, ${workflows.toLocaleString("en")} due runs`,
            params: { workflows },
            metrics: {
              "start → first mined run": metric("s", samples.startup),
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

function startNpmExecutor(env: Record<string, string>): ChildProcess {
  return killWithParent(
    spawn("npm", ["run", "--silent", "executor"], {
      cwd: ROOT,
      env: { ...(process.env as Record<string, string>), ...env },
      stdio: "ignore",
      detached: true, // its own process group, so npm, the shell and node stop together
    }),
  );
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
