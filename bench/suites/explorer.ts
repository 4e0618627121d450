/**
 * The live explorer's delay: from a run's transaction mined to the run shown on a workflow page left open
 * in headless Chromium, with no reload, and to the API answering it (the index's share of that delay).
 */
import { parseEther } from "viem";
import { timeSpec } from "../../lib/spec.js";
import { launchBrowser } from "../../tools/harness/browser.js";
import { startChain } from "../../tools/harness/chain.js";
import { startIndexer } from "../../tools/harness/indexer.js";
import { sleep } from "../../tools/harness/wait.js";
import { metric, type Row } from "../harness/report.js";
import type { Suite } from "../harness/suite.js";
import { counterAction } from "../harness/workload.js";

/** How often the API is asked whether the run is indexed: its share is known to within this. */
const API_POLL_MS = 25;

export const explorerSuite: Suite = {
  name: "explorer",
  title: "Live explorer: run mined → shown on an open page",
  async run(ctx) {
    const perRun = ctx.quick ? 3 : 10;
    ctx.say("starting anvil, Ponder (PGlite) and Chromium");
    const chain = await startChain();
    const ix = await startIndexer(chain, "pglite");
    const browser = await launchBrowser();
    try {
      const action = await counterAction(chain);
      const { id } = await chain.register(timeSpec([action], 1n, { gasLimit: 100_000 }), parseEther("1"));
      await chain.execute(id);
      await ix.catchUp();
      const page = await browser.newPage();
      await page.goto(`${ix.url}/workflows/${id}`);
      const indexed: number[] = [];
      const shown: number[] = [];
      let runNumber = 1;
      for (let run = 0; run <= ctx.runs; run++) {
        for (let i = 0; i < perRun; i++) {
          await chain.testClient.increaseTime({ seconds: 2 });
          runNumber += 1;
          await chain.execute(id);
          const mined = performance.now();
          const [api, row] = await Promise.all([
            apiAnswers(ix.url, id, runNumber).then(() => performance.now() - mined),
            page
              .locator(`tr.run[data-run="${runNumber}"]`)
              .waitFor({ timeout: 30_000 })
              .then(() => performance.now() - mined),
          ]);
          // The first run warms the page's feed and the index's caches; it is not counted.
          if (run === 0) continue;
          indexed.push(api);
          shown.push(row);
        }
        if (run > 0)
          ctx.say(`run ${run}/${ctx.runs}: last update shown ${Math.round(shown.at(-1) ?? 0)} ms after mining`);
      }
      const rows: Row[] = [
        {
          label: "indexed (the API answers the run)",
          params: { updates: indexed.length },
          metrics: { "after mined": metric("ms", indexed) },
        },
        {
          label: "shown on the open workflow page",
          params: { updates: shown.length },
          metrics: { "after mined": metric("ms", shown) },
        },
      ];
      return {
        method:
          "anvil (automine) and one ponder start on PGlite polling the chain every 200 ms (the tests' setting; " +
          "PONDER_POLLING_MS defaults to 1000, which adds up to 0.8 s to both figures). A workflow page is open in " +
          `headless Chromium; ${perRun} runs per measured round (${ctx.runs} rounds after a warm-up round) are ` +
          "executed one at a time. The clock starts when the run's receipt returns, and stops when GET " +
          `/api/workflows/:id/executions answers it (asked every ${API_POLL_MS} ms) and when its row is in the ` +
          "page's table (pushed by /live/runs, no reload). The page's feed reads the index once a second.",
        rows,
        notes: [],
      };
    } finally {
      await browser.close();
      await ix.stop();
      await chain.stop();
    }
  },
};

async function apiAnswers(url: string, id: bigint, runNumber: number): Promise<void> {
  for (;;) {
    const res = await fetch(`${url}/api/workflows/${id}/executions?limit=1`);
    const body = (await res.json()) as { items: { runNumber: number }[] };
    if ((body.items[0]?.runNumber ?? 0) >= runNumber) return;
    await sleep(API_POLL_MS);
  }
}
