/**
 * npm run executor [-- --role scheduler|worker|all] [--chain <id>]
 * Runs the scheduler and the worker (both by default) for every configured chain (CHAINS), or only the
 * one --chain names; SIGINT/SIGTERM stop it gracefully.
 */
import { setFlagsFromString } from "node:v8";
import { ConfigError, runMain } from "../lib/env.js";
import { chainArg } from "../lib/network.js";
import { loadConfig, type Role } from "./config.js";
import { unlockKeystores } from "./keystore.js";
import { startExecutor } from "./service.js";

function parseRole(argv: string[]): Role {
  const i = argv.indexOf("--role");
  const role = i >= 0 ? argv[i + 1] : "all";
  if (role !== "scheduler" && role !== "worker" && role !== "all") {
    throw new ConfigError("--role: must be scheduler, worker or all");
  }
  return role;
}

/**
 * After each full GC, V8 lets the old generation grow to this much more than what survived (V8's own
 * factor is dynamic, up to 4x). Every run's objects live a block or two, long enough to leave the young
 * generation, so under load the executor's RSS swung between 1.3x and 3x its live heap with the GC's
 * phase: a soak could not tell a leak from a GC that had not run yet. Bounded, RSS follows what the
 * process holds. Read by V8 at every full GC, so setting it at start-up takes effect.
 *
 * A scheduler alone gets less room: its garbage is a pass's worth, in bursts, and a full GC more often
 * costs it nothing it waits on. At 1M workflows (10,000 due a pass) its peak RSS was 102 MiB at 50% and
 * 94 MiB at 20%, the pass as fast (bench/results: scheduler).
 */
const HEAP_GROWING_PERCENT: Record<Role, number> = { all: 50, worker: 50, scheduler: 20 };

runMain(async () => {
  const role = parseRole(process.argv);
  const { chain } = chainArg(process.argv);
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT[role]}`);
  const config = await unlockKeystores(loadConfig(role, process.env, { chain }));
  // Heard from the start: a signal while one chain still waits for its endpoints stops the chains that
  // already run gracefully, rather than killing their batches in flight.
  const stopping = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => stopping.abort(signal);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const executor = await startExecutor(config, stopping.signal);
  if (!stopping.signal.aborted) {
    await new Promise((resolve) => stopping.signal.addEventListener("abort", resolve, { once: true }));
  }
  executor.log.info({ signal: stopping.signal.reason }, "signal received");
  await executor.stop();
});
