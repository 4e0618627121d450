/**
 * Reads past one process: API requests per second from one `ponder serve` reader, then from two, while
 * one `ponder start` writes to the same Postgres schema. autocannon drives each reader over loopback; with
 * two, two autocannon instances run at once, one per reader, and their rates add up.
 */
import autocannon from "autocannon";
import { parseEther } from "viem";
import { timeSpec } from "../../lib/spec.js";
import { startChain } from "../../tools/harness/chain.js";
import { startIndexer, startReader } from "../../tools/harness/indexer.js";
import type { PonderProcess } from "../../tools/ponder-process.js";
import { metric, type Row } from "../harness/report.js";
import type { Suite } from "../harness/suite.js";
import { counterAction, registerMany } from "../harness/workload.js";

/** Connections per reader: enough to keep one Node process busy without queueing in the generator. */
const CONNECTIONS = 20;

/** GET of one workflow's page of the API (a workflow, its balance, its schedule and its last run). */
async function load(urls: string[], seconds: number, path: string) {
  const results = await Promise.all(
    urls.map((url) => autocannon({ url: `${url}${path}`, connections: CONNECTIONS, duration: seconds })),
  );
  const failed = results.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0);
  if (failed > 0) throw new Error(`${failed} requests failed or answered non-2xx`);
  return {
    rate: results.reduce((n, r) => n + r.requests.average, 0),
    p99: Math.max(...results.map((r) => r.latency.p99)),
  };
}

export const replicasSuite: Suite = {
  name: "replicas",
  title: "Replicas: API requests per second from one and two ponder serve readers",
  async run(ctx) {
    const seconds = ctx.quick ? 3 : 10;
    ctx.say("starting anvil and a writer (ponder start, Postgres)");
    const chain = await startChain();
    const writer = await startIndexer(chain, "postgres");
    const readers: PonderProcess[] = [];
    try {
      const action = await counterAction(chain);
      const ids = await registerMany(
        chain,
        Array.from({ length: 100 }, () => timeSpec([action], 3600n, { gasLimit: 100_000 })),
        parseEther("0.01"),
      );
      for (const id of ids.slice(0, 20)) await chain.execute(id);
      await writer.catchUp();
      for (let i = 0; i < 2; i++) readers.push(await startReader(chain, writer));
      const path = `/api/workflows/${ids[0]}`;
      const samples = { one: [] as number[], two: [] as number[], p99One: [] as number[], p99Two: [] as number[] };
      for (let run = 0; run <= ctx.runs; run++) {
        const one = await load([readers[0]!.url], run === 0 ? 2 : seconds, path);
        const two = await load(
          readers.map((r) => r.url),
          run === 0 ? 2 : seconds,
          path,
        );
        if (run === 0) continue;
        samples.one.push(one.rate);
        samples.two.push(two.rate);
        samples.p99One.push(one.p99);
        samples.p99Two.push(two.p99);
        ctx.say(`run ${run}/${ctx.runs}: one reader ${Math.round(one.rate)} req/s, two ${Math.round(two.rate)} req/s`);
      }
      const rows: Row[] = [
        {
          label: "1 reader",
          params: { readers: 1, connections: CONNECTIONS, seconds },
          metrics: { "requests/s": metric("1/s", samples.one), "p99 latency": metric("ms", samples.p99One) },
        },
        {
          label: "2 readers",
          params: { readers: 2, connections: 2 * CONNECTIONS, seconds },
          metrics: { "requests/s": metric("1/s", samples.two), "p99 latency": metric("ms", samples.p99Two) },
        },
        {
          label: "ratio 2 / 1",
          params: {},
          metrics: {
            "requests/s": metric(
              "×",
              samples.two.map((t, i) => t / samples.one[i]!),
            ),
          },
        },
      ];
      return {
        method:
          `One ponder start on Postgres indexes 100 workflows (20 with a run); two ponder serve processes read the ` +
          `same schema. autocannon (${CONNECTIONS} connections per reader, ${seconds} s, loopback) requests ` +
          `GET /api/workflows/:id from one reader, then from both at once (one autocannon each; rates added). ` +
          "The generator, the readers, the writer and Postgres share this machine's cores.",
        rows,
        notes: [],
      };
    } finally {
      for (const r of readers) await r.stop();
      await writer.stop();
      await chain.stop();
    }
  },
};
