/**
 * Preloaded by `npm run executor` and the tools (node --import): if dist/ is missing or older than a
 * source, builds it before node loads the entry point, so a fresh clone or a `git pull` never runs stale
 * JavaScript. When dist/ is fresh this is one stat per source file: a few milliseconds.
 */
import { existsSync } from "node:fs";
import { build, staleReason } from "./build.mjs";

const reason = staleReason();
if (reason !== undefined) {
  console.error(`building dist/ first: ${reason}`);
  try {
    await build({ ifStale: true });
  } catch (error) {
    // A production install without dev dependencies has no compiler: run what was built, and say so.
    const noCompiler = error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("typescript");
    if (!noCompiler || !existsSync(new URL("../dist/executor/main.js", import.meta.url))) throw error;
    console.error("TypeScript is not installed (npm ci --omit=dev?): running dist/ as last built");
  }
}
