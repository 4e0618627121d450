import { defineConfig } from "vitest/config";

const LOOSE_EXECUTOR_SUITES = [
  "test/executor/alerts.test.ts",
  "test/executor/conditions.test.ts",
  "test/executor/earnings.test.ts",
  "test/executor/economics.test.ts",
  "test/executor/faults-crash.test.ts",
  "test/executor/faults-queue.test.ts",
  "test/executor/faults-reorg.test.ts",
  "test/executor/log.test.ts",
  "test/executor/redis-cluster.test.ts",
  "test/executor/redis-tls.test.ts",
  // Every fault once, judged by lost, doubled and struck; lateness is npm run chaos's to measure.
  "test/chaos/chaos.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Builds dist/ if stale: the executor tests spawn the compiled executor, as production runs it.
    globalSetup: ["test/global-setup.ts"],
    projects: [
      {
        // Pure functions: no chain, no services; runs in a second or two, first.
        extends: true,
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], sequence: { groupOrder: 0 } },
      },
      {
        // Each file starts its own anvil (and Ponder) on its own ports: two files at a time on two cores.
        extends: true,
        test: {
          name: "contracts+indexer",
          include: [
            "test/contracts/**/*.test.ts",
            "test/indexer/**/*.test.ts",
            "test/cli/**/*.test.ts",
            "test/tooling/**/*.test.ts",
            // Processes that refuse their config and exit: no timing to disturb.
            "test/executor/config.test.ts",
            // Executor suites that assert what happened, never when: every run once, none lost, none
            // doubled, the money right. Sharing the cores only makes their runs later.
            ...LOOSE_EXECUTOR_SUITES,
          ],
          sequence: { groupOrder: 1 },
          maxWorkers: 2,
        },
      },
      {
        // The executor suites that measure block-by-block timing (a run in the first block at or after
        // its slot, a warm-up that fits its lead, a chain on time while another is down): one at a time,
        // after the others, with the machine to themselves.
        extends: true,
        test: {
          name: "executor",
          include: ["test/executor/**/*.test.ts", "test/chaos/**/*.test.ts"],
          exclude: ["test/executor/config.test.ts", ...LOOSE_EXECUTOR_SUITES],
          sequence: { groupOrder: 2 },
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
