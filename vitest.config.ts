import { defineConfig } from "vitest/config";

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
          ],
          sequence: { groupOrder: 1 },
          maxWorkers: 2,
        },
      },
      {
        // The executor suites measure block-by-block timing: one at a time, after the others.
        extends: true,
        test: {
          name: "executor",
          include: ["test/executor/**/*.test.ts", "test/chaos/**/*.test.ts"],
          exclude: ["test/executor/config.test.ts"],
          sequence: { groupOrder: 2 },
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
