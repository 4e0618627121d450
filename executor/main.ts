/**
 * npm run executor [-- --role scheduler|worker|all]
 * Runs the scheduler and the worker (both by default); SIGINT/SIGTERM stop it gracefully.
 */
import { ConfigError, runMain } from "../lib/env.js";
import { loadConfig, type Role } from "./config.js";
import { startExecutor } from "./service.js";

function parseRole(argv: string[]): Role {
  const i = argv.indexOf("--role");
  const role = i >= 0 ? argv[i + 1] : "all";
  if (role !== "scheduler" && role !== "worker" && role !== "all") {
    throw new ConfigError("--role: must be scheduler, worker or all");
  }
  return role;
}

runMain(async () => {
  const executor = await startExecutor(loadConfig(parseRole(process.argv)));
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      executor.log.info({ signal }, "signal received");
      void executor.stop().then(resolve);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
});
