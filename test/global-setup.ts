/**
 * Once per `vitest run`: the executor the tests spawn is the compiled one (dist/, as `npm run executor`
 * runs it), so build it now if a source changed since the last build. Fresh, this is a stat per file.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const started = performance.now();
  const build = spawnSync(process.execPath, ["scripts/build.mjs", "--if-stale"], { cwd: root, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  if (build.stderr.trim()) console.log(`${build.stderr.trim()} in ${Math.round(performance.now() - started)} ms`);
}
