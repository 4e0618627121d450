/**
 * CI smoke run of `npm run dev` (at most 90 s): the demo workflows run (the LOG one on the first ping; the
 * CRON one's minute may not come round in the window), the failing one shows its
 * failure through the API, and Ctrl-C (SIGINT) leaves no process and no port behind.
 */
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { sleep } from "../tools/harness/wait.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ports = { ANVIL_PORT: "8645", PONDER_PORT: "42169", METRICS_PORT: "9564" };
const api = `http://127.0.0.1:${ports.PONDER_PORT}`;
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

const dev = spawn(process.execPath, ["--import", "tsx", "scripts/dev.ts"], {
  cwd: ROOT,
  env: { ...process.env, ...ports, QUEUE_PREFIX: "autokeeper-dev-smoke" },
  stdio: ["ignore", "pipe", "pipe"],
});
let output = "";
dev.stdout.on("data", (d: Buffer) => (output += d.toString()));
dev.stderr.on("data", (d: Buffer) => (output += d.toString()));
const exited = new Promise<number | null>((r) => dev.once("exit", r));

interface Workflow {
  counts: { runs: number };
  queue: { state: string; lastError: string | null } | null;
}
const get = async (id: number) => (await (await fetch(`${api}/api/workflows/${id}`)).json()) as Workflow;

function portFree(port: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(port), "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

async function main(): Promise<string[]> {
  const seen: string[] = [];
  while (Date.now() - started < 90_000) {
    await sleep(2000);
    if (dev.exitCode !== null) throw new Error(`npm run dev exited early:\n${output}`);
    try {
      const [counter, upkeep, gelato, failing, onPing] = await Promise.all([get(1), get(2), get(3), get(4), get(5)]);
      const failure = failing.queue?.lastError ?? "";
      if (
        counter.counts.runs >= 2 &&
        upkeep.counts.runs >= 1 &&
        gelato.counts.runs >= 1 &&
        onPing.counts.runs >= 1 &&
        failure.includes("target says no")
      ) {
        seen.push(
          `counter ${counter.counts.runs} runs, upkeep ${upkeep.counts.runs}, gelato ${gelato.counts.runs}, on-ping ${onPing.counts.runs}`,
        );
        seen.push(`failing workflow ${failing.queue?.state}: ${failure}`);
        return seen;
      }
    } catch {
      // not up yet
    }
  }
  throw new Error(`demo workflows did not all run within 90 s:\n${output.slice(-3000)}`);
}

try {
  const seen = await main();
  console.log(`dev smoke: after ${elapsed()}: ${seen.join("; ")}`);
} finally {
  dev.kill("SIGINT");
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), 30_000).unref())]);
  if (code === "timeout") {
    dev.kill("SIGKILL");
    console.error("dev smoke: npm run dev did not stop within 30 s of Ctrl-C");
    process.exitCode = 1;
  }
}
for (const [name, port] of Object.entries(ports)) {
  if (!(await portFree(port))) {
    console.error(`dev smoke: ${name} ${port} still in use after Ctrl-C`);
    process.exitCode = 1;
  }
}
console.log(`dev smoke: stopped cleanly; total ${elapsed()}`);
