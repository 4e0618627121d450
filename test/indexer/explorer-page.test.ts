/**
 * The explorer as a person uses it, in headless Chromium: search a workflow id on the home page and
 * land on the workflow's page with its history, the failing run marked.
 */
import { mkdirSync } from "node:fs";
import { encodeFunctionData, parseEther } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import { counterAbi, counterBytecode, reverterAbi, reverterBytecode } from "../../abis/index.js";
import { timeSpec } from "../../lib/spec.js";
import { launchBrowser } from "../../tools/harness/browser.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { type Indexer, startIndexer } from "../../tools/harness/indexer.js";

/** The one browser global this test uses; the project's types carry no DOM. */
interface BrowserGlobals {
  getComputedStyle(element: unknown): { backgroundColor: string };
}

const SCREENSHOT_DIR = "test-results";

let chain: Chain;
let ix: Indexer;
let id: bigint;

beforeAll(async () => {
  chain = await startChain();
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const reverter = await chain.deploy(reverterAbi, reverterBytecode);
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  const fail = {
    target: reverter,
    value: 0n,
    data: encodeFunctionData({ abi: reverterAbi, functionName: "failWithReason" }),
  };
  id = (await chain.register(timeSpec([inc], 1n), parseEther("1"))).id;
  await chain.execute(id);
  await chain.testClient.increaseTime({ seconds: 5 });
  await chain.execute(id);
  const failing = (await chain.register(timeSpec([fail], 1n), parseEther("1"))).id;
  await chain.execute(failing);
  ix = await startIndexer(chain, "pglite");
  await ix.catchUp();
});
afterAll(async () => {
  await ix?.stop();
  await chain?.stop();
});

it("finds a workflow by id from the home page search box and shows its history", async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${ix.url}/`);
    await expect(page.title()).resolves.toContain("Autokeeper");
    await page.fill("input[name=q]", String(id));
    await Promise.all([page.waitForURL(`**/workflows/${id}`), page.press("input[name=q]", "Enter")]);
    await expect(page.locator("h1").textContent()).resolves.toContain(`Workflow #${id}`);
    // The chain it is on (one chain configured: named in the card, no badge, no ?chainId= in the URL).
    await expect(page.locator("dl.grid").first().textContent()).resolves.toContain(
      `(chain id ${chain.deployment.chainId})`,
    );
    const rows = page.locator("tr.run");
    await expect(rows.count()).resolves.toBe(2);
    await expect(rows.first().textContent()).resolves.toContain("✓ success");
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOT_DIR}/explorer-workflow.png`, fullPage: true });

    // the failing workflow's run is visibly marked
    await page.goto(`${ix.url}/workflows/${id + 1n}`);
    const failed = page.locator("tr.run.failed");
    await expect(failed.count()).resolves.toBe(1);
    await expect(failed.first().textContent()).resolves.toContain("target says no");
    const color = await failed
      .first()
      .locator("td")
      .first()
      .evaluate((td) => (globalThis as unknown as BrowserGlobals).getComputedStyle(td).backgroundColor);
    expect(color).toBe("rgb(255, 241, 240)");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/explorer-failed-run.png`, fullPage: true });
  } finally {
    await browser.close();
  }
});
