/** The executor's /metrics text: every chain's series under one HELP and TYPE per family, each with its chain. */
import { expect, it } from "vitest";
import { createMetrics, createProcessRegistry, metricsText } from "../../executor/metrics.js";

it("merges the chains' registries and the process's into one exposition", async () => {
  const [a, b] = [createMetrics(31337), createMetrics(31338)];
  a.feeCapExceeded.set(1);
  b.jobsDelayed.inc({ reason: "underpriced" }, 2);
  a.dueToMined.observe({ trigger: "TIME" }, 0);
  const text = await metricsText([createProcessRegistry(), a.registry, b.registry]);
  const lines = text.split("\n");
  const types = lines.filter((l) => l.startsWith("# TYPE ")).map((l) => l.split(" ")[2]);
  expect(types.length).toBe(new Set(types).size);
  expect(types).toContain("process_resident_memory_bytes");
  expect(lines).toContain('autokeeper_fee_cap_exceeded{chain="31337"} 1');
  expect(lines).toContain('autokeeper_fee_cap_exceeded{chain="31338"} 0');
  expect(lines).toContain('autokeeper_jobs_delayed_total{reason="underpriced",chain="31338"} 2');
  expect(lines).toContain('autokeeper_due_to_mined_seconds_count{chain="31337",trigger="TIME"} 1');
  // Every sample of a family follows its TYPE line; every autokeeper_* sample names its chain.
  const family = lines.indexOf("# TYPE autokeeper_fee_cap_exceeded gauge");
  expect(lines.slice(family + 1, family + 3)).toEqual([
    'autokeeper_fee_cap_exceeded{chain="31337"} 1',
    'autokeeper_fee_cap_exceeded{chain="31338"} 0',
  ]);
  expect(lines.filter((l) => l.startsWith("autokeeper_") && !l.includes('chain="'))).toEqual([]);
  expect(lines.filter((l) => l.startsWith("process_") && l.includes('chain="'))).toEqual([]);
});
