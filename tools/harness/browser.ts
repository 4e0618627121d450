/**
 * A headless Chromium for the page tests, found without asking the machine for one: `CHROMIUM_PATH` if
 * set, else Debian's `/usr/bin/chromium`, else the Chromium that `@sparticuz/chromium` ships inside its
 * npm package (unpacked to the temp directory on first use, about 2 s). So `npm install && npm test` runs
 * the browser tests on a machine with no system browser, and never skips them.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";

const SYSTEM_CHROMIUM = "/usr/bin/chromium";

// Chromium's background services reach for Google's hosts at every start; on a closed network each one
// fails slowly, many at a time.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchBrowser(): Promise<Browser> {
  const { path, env } = await findChromium();
  return chromium.launch({ executablePath: path, args: FLAGS, env: { ...process.env, ...env } });
}

async function findChromium(): Promise<{ path: string; env: Record<string, string> }> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return { path: configured, env: {} };
  if (existsSync(SYSTEM_CHROMIUM)) return { path: SYSTEM_CHROMIUM, env: {} };
  const { default: packaged } = await import("@sparticuz/chromium");
  const path = await packaged.executablePath();
  return { path, env: { FONTCONFIG_PATH: fontConfig() } };
}

/**
 * The packaged Chromium reads fonts through fontconfig, and the package's own configuration names only
 * its serverless paths. This one adds the fonts it unpacked (Open Sans) to the machine's own, so pages
 * render text, and the marks (✓ ✗) where the machine has a font for them.
 */
function fontConfig(): string {
  const dir = join(tmpdir(), "autokeeper-fontconfig");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "fonts.conf"),
    [
      '<?xml version="1.0"?>',
      '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
      "<fontconfig>",
      `  <dir>${join(tmpdir(), "fonts")}</dir>`,
      "  <dir>/usr/share/fonts</dir>",
      `  <cachedir>${join(dir, "cache")}</cachedir>`,
      "</fontconfig>",
      "",
    ].join("\n"),
  );
  return dir;
}
