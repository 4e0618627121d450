#!/usr/bin/env node
/**
 * npm run build: the executor and its tools as JavaScript in dist/, so production runs plain
 * `node dist/executor/main.js` with no TypeScript loader (tsx cost ~1 s of every start, and it is a dev
 * dependency). `--if-stale` builds only when a source changed since the last build: one stat per file
 * of the last build, a few milliseconds, so `npm run executor` and the test setup can ask every time.
 *
 * Plain JavaScript on purpose: it must run before anything is compiled. It follows the imports from the
 * entry points in tsconfig.build.json and transpiles each file on its own with the TypeScript compiler
 * (ts.transpileModule with tsconfig.build.json's options; the repo sets isolatedModules, which guarantees
 * every file compiles alone): a few seconds, where tsc takes 10-30 s building a program out of viem's
 * and Ponder's types. Types are checked by `npm run typecheck`, which CI runs.
 *
 * The output is CommonJS, though the sources are ES modules: the executor loads ~1,000 modules (viem
 * alone is 358), and Node 20 loads them through require() with a third less CPU than through its ES
 * module loader (0.82 s against 1.31 s here, 0.43 s sooner on the wall clock). The differences are
 * handled here: `import.meta.url` becomes the CommonJS spelling, import() stays import(), and a file
 * that imports a package published as ES modules only (require() cannot load it: Ponder's schema
 * imports `ponder`) stays an ES module, as .mjs, loaded with import() by the files that use it.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
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

    const graph = readGraph(ts, parsed.fileNames);
    const esm = esmIslands(graph, parsed.fileNames);
    const written = new Set([MANIFEST, LOCK, join(OUT, "package.json")]);
    // Everything below dist/ is CommonJS unless it ends in .mjs.
    writeAtomically(join(OUT, "package.json"), '{ "type": "commonjs" }\n');
    for (const [file, node] of graph) {
      const asEsm = esm.has(file);
      const compilerOptions = asEsm
        ? { ...parsed.options, noEmit: false }
        : {
            ...parsed.options,
            noEmit: false,
            // CommonJS with import() kept as import(): what Node16 emits for a CommonJS file.
            module: ts.ModuleKind.Node16,
            moduleResolution: ts.ModuleResolutionKind.Node16,
            verbatimModuleSyntax: false,
          };
      const out = ts.transpileModule(node.text, {
        compilerOptions,
        fileName: file,
        reportDiagnostics: true,
        transformers: { before: [rewrite(ts, file, esm, asEsm)] },
      });
      const syntax = out.diagnostics?.filter((d) => d.category === ts.DiagnosticCategory.Error) ?? [];
      if (syntax.length > 0) {
        throw new Error(`${relative(ROOT, file)}: ${ts.flattenDiagnosticMessageText(syntax[0].messageText, "\n")}`);
      }
      const js = outputOf(file, esm);
      mkdirSync(dirname(js), { recursive: true });
      // One rename per file: an executor starting while another process builds never reads half a file.
      writeAtomically(js, out.outputText);
      written.add(js);
      if (out.sourceMapText) {
        writeAtomically(`${js}.map`, out.sourceMapText);
        written.add(`${js}.map`);
      }
    }
    // Outputs of files no longer built (moved, deleted, or now the other module format).
    for (const path of listFiles(OUT)) if (!written.has(path)) rmSync(path, { force: true });
    const files = [...graph.keys()].map((f) => relative(ROOT, f)).sort();
    writeAtomically(MANIFEST, `${JSON.stringify({ startedAt, files }, null, 1)}\n`);
    if (!ifStale) {
      const ms = Math.round(performance.now() - t0);
      console.log(`built ${files.length} files into dist/ (${esm.size} as ES modules) in ${ms} ms`);
    }
  });
}

/**
 * Every file reachable from the entry points, with its static imports (relative ones resolved to their
 * sources, packages by name) and the relative files it loads with import().
 */
function readGraph(ts, entries) {
  const graph = new Map();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.shift();
    if (graph.has(file)) continue;
    const text = readFileSync(file, "utf8");
    const node = { text, staticFiles: [], staticPackages: [], dynamicFiles: [] };
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
    const visit = (n) => {
      const isStatic =
        (ts.isImportDeclaration(n) && !n.importClause?.isTypeOnly) || (ts.isExportDeclaration(n) && !n.isTypeOnly);
      const spec = isStatic
        ? n.moduleSpecifier
        : ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword
          ? n.arguments[0]
          : undefined;
      if (spec && ts.isStringLiteral(spec)) {
        if (!spec.text.startsWith(".")) {
          if (isStatic) node.staticPackages.push(spec.text);
        } else {
          const dep = sourceOf(file, spec.text);
          (isStatic ? node.staticFiles : node.dynamicFiles).push(dep);
          queue.push(dep);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(source);
    graph.set(file, node);
  }
  return graph;
}

/**
 * The files that must stay ES modules: those that import (statically) a package published as ES modules
 * only, which require() cannot load (Ponder's schema imports `ponder`), and whatever imports them
 * statically. CommonJS loads them with import(); an entry point cannot be one.
 */
function esmIslands(graph, entries) {
  const esm = new Set();
  for (const [file, node] of graph) {
    if (node.staticPackages.some((pkg) => !requireable(pkg, file))) esm.add(file);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const [file, node] of graph) {
      if (!esm.has(file) && node.staticFiles.some((dep) => esm.has(dep))) {
        esm.add(file);
        grew = true;
      }
    }
  }
  const entry = entries.find((e) => esm.has(e));
  if (entry) throw new Error(`${relative(ROOT, entry)}: imports an ES-module-only package; import() it instead`);
  return esm;
}

function requireable(pkg, from) {
  try {
    createRequire(from).resolve(pkg);
    return true;
  } catch (error) {
    if (error.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || error.code === "ERR_REQUIRE_ESM") return false;
    throw error;
  }
}

/**
 * Per file: `import.meta.url` as CommonJS spells it, and imports of files that stay ES modules by their
 * .mjs name.
 */
function rewrite(ts, file, esm, asEsm) {
  return (context) => (source) => {
    const f = context.factory;
    const visit = (n) => {
      if (
        !asEsm &&
        ts.isPropertyAccessExpression(n) &&
        ts.isMetaProperty(n.expression) &&
        n.expression.keywordToken === ts.SyntaxKind.ImportKeyword &&
        n.name.text === "url"
      ) {
        // require("node:url").pathToFileURL(__filename).href
        const url = f.createCallExpression(f.createIdentifier("require"), undefined, [
          f.createStringLiteral("node:url"),
        ]);
        const call = f.createCallExpression(f.createPropertyAccessExpression(url, "pathToFileURL"), undefined, [
          f.createIdentifier("__filename"),
        ]);
        return f.createPropertyAccessExpression(call, "href");
      }
      if (ts.isStringLiteral(n) && n.text.startsWith(".") && n.parent && isModuleSpecifier(ts, n)) {
        const target = sourceOf(file, n.text);
        if (esm.has(target)) return f.createStringLiteral(n.text.replace(/\.js$/, ".mjs"));
      }
      return ts.visitEachChild(n, visit, context);
    };
    return ts.visitNode(source, visit);
  };
}

function isModuleSpecifier(ts, n) {
  const p = n.parent;
  return (
    ((ts.isImportDeclaration(p) || ts.isExportDeclaration(p)) && p.moduleSpecifier === n) ||
    (ts.isCallExpression(p) && p.expression.kind === ts.SyntaxKind.ImportKeyword && p.arguments[0] === n)
  );
}

function outputOf(file, esm) {
  return join(OUT, relative(ROOT, file)).replace(/\.tsx?$/, esm.has(file) ? ".mjs" : ".js");
}

/** The .ts/.tsx source a relative import names. */
function sourceOf(from, specifier) {
  const base = resolve(dirname(from), specifier).replace(/\.js$/, "");
  const found = [`${base}.ts`, `${base}.tsx`, join(base, "index.ts")].find(isFile);
  if (!found) throw new Error(`${relative(ROOT, from)}: cannot find the source of ${specifier}`);
  return found;
}

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
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
