#!/usr/bin/env node
/**
 * npm run build: the executor and its queue tools as JavaScript in dist/, so production runs plain
 * `node dist/executor/main.js` with no TypeScript loader (tsx cost ~1 s of every start, and it is a dev
 * dependency). `--if-stale` builds only when a source changed since the last build: one stat per file
 * of the last build, a few milliseconds, so `npm run executor` and the test setup can ask every time.
 *
 * Plain JavaScript on purpose: it must run before anything is compiled. It follows the imports from the
 * entry points in tsconfig.build.json and transpiles each file on its own with the TypeScript compiler
 * (ts.transpileModule, tsconfig.build.json's options). The repo sets isolatedModules, which guarantees
 * every file compiles alone, so this is tsc's emit (`tsc -p tsconfig.build.json` writes the same files)
 * in about a second, where tsc takes 10-30 s building a program out of viem's and Ponder's types.
 * Types are checked by `npm run typecheck`, which CI runs.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CONFIG = "tsconfig.build.json";
const OUT = join(ROOT, "dist");
const MANIFEST = join(OUT, ".build.json");
const LOCK = join(OUT, ".build.lock");
/** Inputs besides the sources: a change to any of them changes the output. */
const ALWAYS = [CONFIG, "tsconfig.json", "scripts/build.mjs"];

/** What the last build read, or undefined when it must build: dist missing, or an input changed since. */
export function staleReason() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, "utf8"));
  } catch {
    return "dist/ has not been built";
  }
  // Any input newer than the build's start (git checkout, an edit) or gone. A file the build never saw
  // can only matter through an import, and adding that import changes a file the build did see.
  for (const file of [...ALWAYS, ...manifest.files]) {
    let mtime;
    try {
      mtime = statSync(join(ROOT, file)).mtimeMs;
    } catch {
      return `${file} is gone`;
    }
    if (mtime > manifest.startedAt) return `${file} changed`;
  }
  return undefined;
}

/** `ifStale`: quietly, and only if still stale once the lock is ours (another process may have built). */
export async function build({ ifStale = false } = {}) {
  const t0 = performance.now();
  mkdirSync(OUT, { recursive: true });
  await withLock(async () => {
    if (ifStale && staleReason() === undefined) return;
    const startedAt = Date.now();
    const { default: ts } = await import("typescript");
    const parsed = ts.getParsedCommandLineOfConfigFile(
      join(ROOT, CONFIG),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        },
      },
    );
    if (!parsed) throw new Error(`${CONFIG}: unreadable`);
    const errors = parsed.errors.filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length > 0)
      throw new Error(errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("\n"));
    const options = { ...parsed.options, noEmit: false };
    const files = [];
    const queue = [...parsed.fileNames];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const file = queue.shift();
      const text = readFileSync(file, "utf8");
      files.push(relative(ROOT, file));
      for (const dep of localImports(ts, file, text)) {
        if (!seen.has(dep)) {
          seen.add(dep);
          queue.push(dep);
        }
      }
      const out = ts.transpileModule(text, { compilerOptions: options, fileName: file, reportDiagnostics: true });
      const syntax = out.diagnostics?.filter((d) => d.category === ts.DiagnosticCategory.Error) ?? [];
      if (syntax.length > 0) {
        throw new Error(`${relative(ROOT, file)}: ${ts.flattenDiagnosticMessageText(syntax[0].messageText, "\n")}`);
      }
      const js = join(OUT, relative(ROOT, file)).replace(/\.tsx?$/, ".js");
      mkdirSync(dirname(js), { recursive: true });
      // One rename per file: an executor starting while another process builds never reads half a file.
      writeAtomically(js, out.outputText);
      if (out.sourceMapText) writeAtomically(`${js}.map`, out.sourceMapText);
    }
    files.sort();
    writeAtomically(MANIFEST, `${JSON.stringify({ startedAt, files }, null, 1)}\n`);
    if (!ifStale) {
      const ms = Math.round(performance.now() - t0);
      console.log(`built ${files.length} files into dist/ in ${ms} ms`);
    }
  });
}

/** Relative imports of a file (static, re-exports and import()), as the .ts/.tsx files they name. */
function localImports(ts, file, text) {
  const found = [];
  for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
    if (!fileName.startsWith(".")) continue;
    const base = resolve(dirname(file), fileName).replace(/\.js$/, "");
    const candidate = [`${base}.ts`, `${base}.tsx`, join(base, "index.ts")].find(isFile);
    if (!candidate) throw new Error(`${relative(ROOT, file)}: cannot find the source of ${fileName}`);
    found.push(candidate);
  }
  return found;
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function writeAtomically(path, text) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** One build at a time per checkout: tests, benches and executors may start together. */
async function withLock(fn) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      // A lock older than any build is left by a killed process.
      const age = Date.now() - (statMtime(LOCK) ?? Date.now());
      if (age > 60_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${relative(ROOT, LOCK)}: held for over 2 minutes`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function statMtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes("--if-stale");
  const reason = staleReason();
  if (ifStale && reason === undefined) process.exit(0);
  try {
    await build({ ifStale });
    if (ifStale) console.error(`built dist/ (${reason})`);
  } catch (error) {
    console.error(`build failed: ${error.message}`);
    process.exit(1);
  }
}
