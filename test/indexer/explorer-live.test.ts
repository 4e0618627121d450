/**
 * The live explorer in headless Chromium: a workflow page and the home page, left open, show each run as
 * it lands (the workflow page's counts, badges and health follow, with a run and without one), and a transaction's page opened before its transaction was indexed shows it once it is, all with
 * no reload; with JavaScript off they are the same complete pages, as of their loading.
 * Prints how long a run took from mined to shown (the figure bench/ and the README quote comes from
 * `npm run bench -- explorer`, not from here).
 */
import { encodeFunctionData, parseEther } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import { actionExecutorAbi, counterAbi, counterBytecode } from "../../abis/index.js";
import { timeSpec } from "../../lib/spec.js";
import { launchBrowser } from "../../tools/harness/browser.js";
import { type Chain, startChain } from "../../tools/harness/chain.js";
import { type Indexer, startIndexer } from "../../tools/harness/indexer.js";

/** The one browser global this test touches; the project's types carry no DOM. */
interface Marked {
  loadedOnce?: string;
}

let chain: Chain;
let ix: Indexer;
let id: bigint;

beforeAll(async () => {
  chain = await startChain();
  const counter = await chain.deploy(counterAbi, counterBytecode);
  const inc = { target: counter, value: 0n, data: encodeFunctionData({ abi: counterAbi, functionName: "increment" }) };
  id = (await chain.register(timeSpec([inc], 1n), parseEther("1"))).id;
  await chain.execute(id);
  ix = await startIndexer(chain, "pglite");
  await ix.catchUp();
});
afterAll(async () => {
  await ix?.stop();
  await chain?.stop();
});

it("puts each new run on the open workflow and home pages as it lands, with no reload", async () => {
  const browser = await launchBrowser();
  try {
    const workflowPage = await browser.newPage();
    const home = await browser.newPage();
    await workflowPage.goto(`${ix.url}/workflows/${id}`);
    await home.goto(`${ix.url}/`);
    for (const page of [workflowPage, home]) {
      await expect(page.locator("tr.run").count()).resolves.toBe(1);
      // A mark in the page's own memory: a reload would wipe it.
      await page.evaluate(() => {
        (globalThis as Marked).loadedOnce = "yes";
      });
    }
    for (let run = 2; run <= 4; run++) {
      await chain.testClient.increaseTime({ seconds: 2 });
      await chain.execute(id);
      const row = `tr.run[data-run="${run}"]`;
      for (const page of [workflowPage, home]) {
        await page.locator(row).waitFor({ timeout: 30_000 });
        await expect(page.locator("tr.run").count()).resolves.toBe(run);
        // Newest on top, as a loaded page has it.
        await expect(page.locator("tr.run").first().getAttribute("data-run")).resolves.toBe(String(run));
      }
      // The workflow page's summary counts it too.
      await workflowPage.waitForFunction(
        `document.querySelector('[data-part="runs"]').textContent.startsWith("${run} (${run} succeeded")`,
        undefined,
        { timeout: 30_000 },
      );
    }
    for (const page of [workflowPage, home]) {
      await expect(page.evaluate(() => (globalThis as Marked).loadedOnce)).resolves.toBe("yes");
    }
  } finally {
    await browser.close();
  }
});

it("shows a transaction's page once it is indexed, when the page was opened before", async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    // A run sent but not mined: the page opened now finds nothing in the index.
    await chain.testClient.setAutomine(false);
    await chain.testClient.increaseTime({ seconds: 2 });
    const hash = await chain.wallets.worker.writeContract({
      address: chain.deployment.actionExecutor,
      abi: actionExecutorAbi,
      functionName: "execute",
      args: [id, "0x"],
    });
    const response = await page.goto(`${ix.url}/tx/${hash}`);
    expect(response?.status()).toBe(404);
    await expect(page.locator(".pending").textContent()).resolves.toContain("No Autokeeper activity");
    await page.evaluate(() => {
      (globalThis as Marked).loadedOnce = "yes";
    });
    await chain.testClient.mine({ blocks: 1 });
    await page.locator("tr.run").waitFor({ timeout: 30_000 });
    await expect(page.locator("h1").textContent()).resolves.toBe("Transaction");
    await expect(page.locator(".pending").count()).resolves.toBe(0);
    await expect(page.evaluate(() => (globalThis as Marked).loadedOnce)).resolves.toBe("yes");
  } finally {
    await chain.testClient.setAutomine(true);
    await browser.close();
  }
});

it("serves the same complete page without JavaScript", async () => {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${ix.url}/workflows/${id}`);
    const runs = (await chain.workflow(id)).runCount;
    await expect(page.locator("tr.run").count()).resolves.toBe(Number(runs));
    await expect(page.locator("tr.run").first().textContent()).resolves.toContain("✓ success");
  } finally {
    await browser.close();
  }
});

it("keeps the workflow page's badges and health current when it changes without a run, with no reload", async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${ix.url}/workflows/${id}`);
    const text = (part: string) => page.locator(`[data-part="${part}"]`).first().textContent();
    await expect(text("badges")).resolves.toContain("ACTIVE");
    await page.evaluate(() => {
      (globalThis as Marked).loadedOnce = "yes";
    });
    // Paused by its owner: no run lands, the summary still follows.
    await chain.manage(id, "pause");
    await page.waitForFunction(
      `document.querySelector('[data-part="badges"]').textContent.includes("PAUSED")`,
      undefined,
      {
        timeout: 30_000,
      },
    );
    await expect(text("badges")).resolves.toContain("paused");
    await expect(text("health")).resolves.toContain("paused");
    await expect(page.evaluate(() => (globalThis as Marked).loadedOnce)).resolves.toBe("yes");
  } finally {
    await browser.close();
  }
});

it("answers a bad feed request with 400, not a stream", async () => {
  expect((await ix.get("/live/runs?workflowId=abc")).status).toBe(400);
  expect((await ix.get("/live/runs?chainId=1")).status).toBe(400);
  expect((await ix.get("/live/workflow?workflowId=abc")).status).toBe(400);
  expect((await ix.get("/live/workflow?workflowId=999")).status).toBe(404);
});
