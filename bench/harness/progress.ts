import { sleep } from "../../tools/harness/wait.js";

/** Progress on stderr, so a long benchmark shows where it is: `[02:13] executor: batch 50 × 2 signers, run 2/3`. */
const started = Date.now();

export function say(suite: string, message: string): void {
  const s = Math.floor((Date.now() - started) / 1000);
  const clock = `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  process.stderr.write(`[${clock}] ${suite}: ${message}\n`);
}

/** Calls `report(done)` at most every `everyMs`, for loops too fast to print each step. */
export function throttled(everyMs: number, report: (done: number) => void): (done: number) => void {
  let last = 0;
  return (done) => {
    const now = Date.now();
    if (now - last >= everyMs) {
      last = now;
      report(done);
    }
  };
}

/** Polls `probe` until it returns a value, or gives up at the deadline with `undefined`. */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, deadline: number, everyMs = 100) {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) return undefined;
    await sleep(everyMs);
  }
}
