/**
 * Preloaded by `npm run executor` and the queue tools (node --import): if dist/ is missing or older
 * than a source, builds it before node loads the entry point, so a fresh clone or a `git pull` never
 * runs stale JavaScript. When dist/ is fresh this is one stat per source file: a few milliseconds.
 */
import { build, staleReason } from "./build.mjs";

const reason = staleReason();
if (reason !== undefined) {
  console.error(`building dist/ first: ${reason}`);
  await build({ ifStale: true });
}
