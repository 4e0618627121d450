/** The shape every benchmark suite has, and what the runner hands it. */
import type { Row } from "./report.js";

export interface SuiteContext {
  quick: boolean;
  /** Measured runs per figure (≥ 3); a warm-up run comes before them and is not counted. */
  runs: number;
  redisUrl: string;
  postgresUrl: string;
  say(message: string): void;
}

export interface SuiteOutput {
  method: string;
  rows: Row[];
  shortfall?: string;
  notes: string[];
}

export interface Suite {
  name: string;
  title: string;
  run(ctx: SuiteContext): Promise<SuiteOutput>;
}
